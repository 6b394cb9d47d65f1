// The console: one user's live connections and runs, over @agentbridge/client. Reloading
// mid-run shows the whole run again: the client keeps its position and the runs it showed in
// sessionStorage, replays those runs and resumes after the position.
import { AgentBridgeClient, type AgentBridgeError } from "@agentbridge/client";
import { fetchConnections, fetchToken, playExampleRun } from "./api.js";
import { byId, h } from "./dom.js";
import { renderRun } from "./render.js";

const params = new URLSearchParams(location.search);
const user = params.get("user") || "alice";
// ?token= connects with that token instead of a fresh development one: for trying a
// token from elsewhere, or a bad one to see how a refusal looks.
const fixedToken = params.get("token");

byId<HTMLInputElement>("user").value = user;
document.title = `agentbridge console · ${user}`;

const first = await fetchToken(user).catch((err: unknown) => {
  showError(`Could not reach the local host's console API: ${String(err)}`);
  throw err;
});
let unused: string | undefined = first.token; // the first connect uses the token that came with the URL

const client = new AgentBridgeClient({
  url: first.url,
  user,
  token: async () => {
    if (fixedToken) return fixedToken;
    const tok = unused ?? (await fetchToken(user)).token;
    unused = undefined;
    return tok;
  },
});

const timeline = byId("timeline");
client.on("event", (env, run) => {
  byId("empty").hidden = true;
  const card = renderRun(run);
  const old = timeline.querySelector(`[data-run-id="${CSS.escape(run.runId)}"]`);
  if (old) old.replaceWith(card);
  else timeline.prepend(card); // newest run first
  // Stacks without a durable stream send no offsets; then there is no position to show.
  if (env.offset !== undefined) {
    byId("stream").hidden = false;
    byId("position").textContent = String(client.position);
  }
});
client.on("status", (status) => {
  const pill = byId("status");
  pill.textContent = status;
  pill.dataset.status = status;
  if (status === "open") clearErrors();
  void refreshConnections();
});
client.on("error", (err: AgentBridgeError) => showError(err.message, err.kind));
client.start();

byId("user-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const next = byId<HTMLInputElement>("user").value.trim();
  if (next && next !== user) location.search = `?user=${encodeURIComponent(next)}`;
});
byId("play").addEventListener("click", () => {
  playExampleRun(user).catch((err: unknown) => showError(String(err)));
});
byId("replay").addEventListener("click", () => {
  for (const runId of client.runs.keys()) client.replay(runId);
});

async function refreshConnections(): Promise<void> {
  try {
    const conns = await fetchConnections(user);
    byId("connection-count").textContent = String(conns.length);
    byId("connections").replaceChildren(...conns.map((c) =>
      h("li", { "data-connection-id": c.connection_id }, c.connection_id, h("br"), `since ${new Date(c.connected_at).toLocaleTimeString()}`)));
  } catch {
    // The list is a convenience; the timeline works without it.
  }
}
setInterval(() => void refreshConnections(), 2000);

function showError(message: string, kind?: string): void {
  const box = byId("errors");
  // One line per kind: a refusal retried every few seconds should not fill the page.
  const existing = kind ? box.querySelector(`[data-kind="${kind}"]`) : null;
  const line = h("div", { "data-kind": kind }, message);
  if (existing) existing.replaceWith(line);
  else box.append(line);
}

function clearErrors(): void {
  byId("errors").replaceChildren();
}
