import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { announce } from "./announce.js";

/** The ceiling: a bare Node HTTP server that reads the body and answers 204. */
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
