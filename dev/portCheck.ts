import { createServer } from "node:net";

/** Resolves when the port can be bound on loopback; rejects with a readable message when it cannot. */
export async function ensurePortFree(port: number, who: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `Port ${port} is already in use, and ${who} needs it. Stop whatever listens there (for example: lsof -i :${port}) and try again.`
            : `Cannot listen on port ${port} for ${who}: ${error.message}`,
        ),
      );
    });
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}
