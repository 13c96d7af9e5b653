import { bulkGroupRoutes } from "./bulkGroupRoutes.js";
import { closeRoutes } from "./closeRoutes.js";
import { connectionRoutes } from "./connectionRoutes.js";
import { groupRoutes } from "./groupRoutes.js";
import { permissionRoutes } from "./permissionRoutes.js";
import type { Route } from "./route.js";
import { sendRoutes } from "./sendRoutes.js";
import { tokenRoute } from "./tokenRoute.js";
import { userRoutes } from "./userRoutes.js";

/** Every data-plane operation of api-version 2024-12-01 under `/api/hubs/{hub}`. */
export const routes: readonly Route[] = [
  ...sendRoutes,
  ...connectionRoutes,
  ...groupRoutes,
  ...userRoutes,
  ...closeRoutes,
  ...bulkGroupRoutes,
  ...permissionRoutes,
  tokenRoute,
];
