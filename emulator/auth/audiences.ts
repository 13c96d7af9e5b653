/** Audiences a client access token may carry for a hub, reached through `host` (host:port). */
export function clientAudiences(host: string, hub: string): string[] {
  const forms: string[] = [];
  for (const scheme of ["http", "https", "ws", "wss"]) {
    const base = `${scheme}://${host}/client/hubs/${hub}`;
    forms.push(base, `${base}/`);
  }
  return forms;
}

/** Audiences a REST token may carry: the request URL with and without its query string. */
export function restAudiences(host: string, requestUrl: string): string[] {
  const full = `http://${host}${requestUrl}`;
  const path = full.split("?")[0] ?? full;
  const forms = [full, path, path.endsWith("/") ? path.slice(0, -1) : `${path}/`];
  return [...forms, ...forms.map((form) => form.replace(/^http:/, "https:"))];
}
