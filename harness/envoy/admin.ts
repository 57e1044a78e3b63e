// Reads Envoy's admin interface.

export async function adminGet(adminUrl: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(adminUrl + path);
  return { status: res.status, body: await res.text() };
}

/** Counters and gauges from /stats, by name. */
export async function readStats(adminUrl: string, filter?: string): Promise<Map<string, number>> {
  const query = filter ? `?filter=${encodeURIComponent(filter)}` : "";
  const { body } = await adminGet(adminUrl, `/stats${query}`);
  const stats = new Map<string, number>();
  for (const line of body.split("\n")) {
    const match = /^(\S+): (\d+)$/.exec(line);
    if (match) stats.set(match[1]!, Number(match[2]));
  }
  return stats;
}

/** The port the named listener is bound to (the bootstrap asks for port 0). */
export async function listenerPort(adminUrl: string, name: string): Promise<number> {
  const { body } = await adminGet(adminUrl, "/listeners?format=json");
  const statuses = (
    JSON.parse(body) as {
      listener_statuses: Array<{ name: string; local_address: { socket_address: { port_value: number } } }>;
    }
  ).listener_statuses;
  const listener = statuses.find((l) => l.name === name);
  if (!listener) throw new Error(`Envoy has no listener named ${name}`);
  return listener.local_address.socket_address.port_value;
}

/** Envoy's release, e.g. "1.40.0", from /server_info. */
export async function envoyVersion(adminUrl: string): Promise<string> {
  const { body } = await adminGet(adminUrl, "/server_info");
  const build = (JSON.parse(body) as { version: string }).version;
  return build.split("/")[1] ?? build;
}
