import { startFunctionsHost } from "../../dev/functionsHost.js";
import { importBuiltFunctions } from "../../dev/importBuiltFunctions.js";
import { loadApp } from "../../dev/loadApp.js";
import { benchAppSettings } from "../signedMessageRequest.js";
import { announce } from "./announce.js";

/** Switchboard's built function app behind the local Functions host, request logs off. */
Object.assign(process.env, benchAppSettings());
const app = await loadApp(importBuiltFunctions, () => undefined);
const host = await startFunctionsHost({ port: 0, routes: app.routes, log: () => undefined });
announce(host.port);
