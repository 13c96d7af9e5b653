import { SettingNames as S } from "../config/settingNames.js";
import { AdminError } from "./adminError.js";

/** The caller as App Service Authentication describes it (`x-ms-client-principal*` headers). */
export interface Principal {
  /** `x-ms-client-principal-id`. */
  readonly id: string;
  /** The decoded `x-ms-client-principal`: `{ auth_typ, name_typ, role_typ, claims: [{ typ, val }] }`. */
  readonly claims: unknown;
}

/** Who called the admin API, once the role check passed. */
export interface AdminCaller {
  readonly id: string;
}

/** The claim type Microsoft Entra ID uses for app roles in v2 tokens, checked besides `role_typ`. */
const ROLES_CLAIM = "roles";

/**
 * The admin API's one decision: the caller is the verified principal (trusted under the same rule
 * as `negotiate`: App Service Authentication on, or `SWITCHBOARD_TRUST_PRINCIPAL_HEADERS`), and
 * holds `role` among its role claims (the claim type its `role_typ` names, and `roles`).
 * No trusted principal: 401. No such role: 403.
 */
export function authorizeAdmin(
  principal: Principal | undefined,
  trusted: boolean,
  role: string,
): AdminCaller {
  if (!trusted) {
    throw new AdminError(
      401,
      "unauthenticated",
      `the admin API needs App Service Authentication (or ${S.trustPrincipalHeaders} behind a front end that sets the principal headers)`,
    );
  }
  if (principal === undefined || principal.id.trim() === "") {
    throw new AdminError(401, "unauthenticated", "sign in first: no authenticated principal");
  }
  if (!roleClaims(principal.claims).includes(role)) {
    throw new AdminError(403, "forbidden", `the admin API needs the app role '${role}'`);
  }
  return { id: principal.id };
}

/** The values of the principal's role claims; none when the data has another shape. */
export function roleClaims(data: unknown): string[] {
  if (data === null || typeof data !== "object") return [];
  const { claims, role_typ: roleType } = data as { claims?: unknown; role_typ?: unknown };
  if (!Array.isArray(claims)) return [];
  const types = new Set([ROLES_CLAIM, ...(typeof roleType === "string" ? [roleType] : [])]);
  const roles: string[] = [];
  for (const claim of claims as unknown[]) {
    if (claim === null || typeof claim !== "object") continue;
    const { typ, val } = claim as { typ?: unknown; val?: unknown };
    if (typeof typ === "string" && typeof val === "string" && types.has(typ)) roles.push(val);
  }
  return roles;
}
