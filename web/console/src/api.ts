// The local host's console endpoints (development only; the host serves them on 127.0.0.1).

export interface TokenAnswer {
  token: string;
  /** The WebSocket endpoint with its stage. */
  url: string;
  user: string;
}

export interface ConnectionInfo {
  connection_id: string;
  connected_at: string;
  source_ip?: string;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const fetchToken = (user: string) => call<TokenAnswer>(`/console/api/token?user=${encodeURIComponent(user)}`);

export const fetchConnections = (user: string) =>
  call<{ connections: ConnectionInfo[] }>(`/console/api/connections?user=${encodeURIComponent(user)}`).then((a) => a.connections);

export const playExampleRun = (user: string) =>
  call<{ run_id: string }>(`/console/api/play?user=${encodeURIComponent(user)}`, { method: "POST" });
