/**
 * Why a Table Storage connection string cannot work, or undefined when it has what the Tables
 * client needs: `UseDevelopmentStorage=true`, an account name and key, or a shared access
 * signature with an endpoint or account.
 */
export function storageConnectionProblem(value: string): string | undefined {
  if (/^\s*UseDevelopmentStorage=true\s*;?\s*$/i.test(value)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(";")) {
    const at = part.indexOf("=");
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const named = (key: string) => (fields.get(key) ?? "") !== "";
  if (named("accountname") && named("accountkey")) return undefined;
  if (named("sharedaccesssignature") && (named("tableendpoint") || named("accountname")))
    return undefined;
  return "must hold AccountName and AccountKey, a SharedAccessSignature with an endpoint, or UseDevelopmentStorage=true";
}
