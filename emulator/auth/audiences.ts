/**
 * Hosts a token's audience may name: the Host the request came to, and the emulator's own
 * host:port under its loopback names (the real service checks its own endpoint; `localhost`
 * and `127.0.0.1` are the same machine here).
 */
export function acceptedHosts(requestHost: string, ownHost: string): string[] {
  const port = /:(\d+)$/.exec(ownHost)?.[1];
  const loopback = port === undefined ? [] : [`localhost:${port}`, `127.0.0.1:${port}`];
  return [...new Set([requestHost, ownHost, ...loopback])];
}

/** Audiences a client access token may carry for a hub: http(s)/ws(s), with or without `/`. */
export function clientAudiences(hosts: readonly string[], hub: string): string[] {
  const forms: string[] = [];
  for (const host of hosts) {
    for (const scheme of ["http", "https", "ws", "wss"]) {
      const base = `${scheme}://${host}/client/hubs/${hub}`;
      forms.push(base, `${base}/`);
    }
  }
  return forms;
}

/** Audiences a REST token may carry: the request URL with and without its query string. */
export function restAudiences(hosts: readonly string[], requestUrl: string): string[] {
  return hosts.flatMap((host) => {
    const full = `http://${host}${requestUrl}`;
    const path = full.split("?")[0] ?? full;
    const forms = [full, path, path.endsWith("/") ? path.slice(0, -1) : `${path}/`];
    return [...forms, ...forms.map((form) => form.replace(/^http:/, "https:"))];
  });
}
