import jwt from "jsonwebtoken";

export interface ClientTokenInit {
  audience: string;
  userId?: string | undefined;
  roles?: string[];
  groups?: string[];
  minutesToExpire: number;
}

/** Signs a client access token as the service's `:generateToken` does. */
export function signClientToken(accessKey: string, init: ClientTokenInit): string {
  const payload: Record<string, unknown> = {};
  if (init.userId !== undefined && init.userId !== "") payload.sub = init.userId;
  if (init.roles && init.roles.length > 0) payload.role = init.roles;
  if (init.groups && init.groups.length > 0) payload["webpubsub.group"] = init.groups;
  return jwt.sign(payload, accessKey, {
    algorithm: "HS256",
    audience: init.audience,
    expiresIn: init.minutesToExpire * 60,
  });
}
