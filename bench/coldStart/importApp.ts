import { startApp } from "./startApp.js";

/** The function app started as the worker starts it: entry modules imported, start hooks run. */
await startApp();
