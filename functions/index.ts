import { app } from "@azure/functions";
import { getRuntime } from "../shared/runtime.js";

// Fail closed: a missing or malformed setting stops the app at start-up, naming every problem.
app.hook.appStart(() => {
  getRuntime();
});
