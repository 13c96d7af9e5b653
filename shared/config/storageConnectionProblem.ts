import { connectionStringFields } from "./parseConnectionString.js";

const MUST_HOLD =
  "must hold AccountName and AccountKey, a SharedAccessSignature with an endpoint, or UseDevelopmentStorage=true";

/**
 * Why a Table Storage connection string cannot work, or undefined when it has what the Tables
 * client needs: `UseDevelopmentStorage=true`, an account name and key, or a shared access
 * signature with an endpoint or account.
 */
export function storageConnectionProblem(value: string): string | undefined {
  if (/^\s*UseDevelopmentStorage=true\s*;?\s*$/i.test(value)) return undefined;
  const parsed = connectionStringFields(value);
  if ("problem" in parsed) return MUST_HOLD;
  const { fields } = parsed;
  const named = (key: string) => (fields.get(key) ?? "") !== "";
  if (named("accountname") && named("accountkey")) return undefined;
  if (named("sharedaccesssignature") && (named("tableendpoint") || named("accountname")))
    return undefined;
  return MUST_HOLD;
}
