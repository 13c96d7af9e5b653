import { app } from "@azure/functions";

// Fail closed: a missing or malformed setting stops the app at start-up, naming every problem.
app.hook.appStart(async () => {
  (await import("./adapter/startApp.js")).startApp();
});
