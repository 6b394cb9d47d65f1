// The console in a real browser against a stand-in server that speaks protocol v2 as
// specified (offsets, resume, replay), the test server of @agentbridge/client's own tests.
// It shows the browser side's part of "reload mid-run shows the whole run" on its own, also
// where the local host does not store a stream yet.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { BrowserContext } from "playwright-core";
import { FakeServer } from "../../client/test/fake-server.js";
import { exampleRun } from "../../agui/test/example-run.js";
import { launch } from "../browser.js";
import { repoRoot } from "../stack.js";

let server: FakeServer;
let browser: BrowserContext;
let resume!: () => void; // lets the example run go on after the test reloaded the page

const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

function send(res: ServerResponse, status: number, body: string | Buffer, type = "application/json"): void {
  res.writeHead(status, { "Content-Type": type }).end(body);
}

/** Plays the example run: its first half, then waits for the test, then the rest. */
async function play(user: string, runId: string): Promise<void> {
  const run = exampleRun(runId);
  const half = run.findIndex((e) => e.type === "tool_completed");
  const gate = new Promise<void>((r) => (resume = r));
  for (const [i, e] of run.entries()) {
    if (i === half) await gate;
    server.emit(user, e.type, runId, e.seq, e.payload);
  }
}

before(async () => {
  server = await FakeServer.start();
  const dist = join(repoRoot(), "web", "console", "dist");
  let runs = 0;
  server.handler = (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const user = url.searchParams.get("user") ?? "";
    if (url.pathname === "/console/api/token") return send(res, 200, JSON.stringify({ token: `good-${user}-${Date.now()}`, url: server.url, user }));
    if (url.pathname === "/console/api/connections") {
      return send(res, 200, JSON.stringify({ connections: server.open(user).map((c, i) => ({ connection_id: `c${i}`, connected_at: new Date().toISOString() })) }));
    }
    if (url.pathname === "/console/api/play" && req.method === "POST") {
      const runId = `run-v2-${++runs}`;
      void play(user, runId);
      return send(res, 202, JSON.stringify({ run_id: runId }));
    }
    const file = url.pathname === "/console/" ? "index.html" : url.pathname.replace(/^\/console\//, "");
    try {
      return send(res, 200, readFileSync(join(dist, file)), types[extname(file)] ?? "application/octet-stream");
    } catch {
      return send(res, 404, "not found", "text/plain");
    }
  };
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe("console against a protocol v2 stream", () => {
  it("shows the whole run after a reload mid-run, each event once", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(90_000);
    const base = server.url.replace(/^ws/, "http").replace(/\/dev$/, "");
    await page.goto(`${base}/console/?user=frank`);
    await page.waitForSelector("#status[data-status=open]");
    await page.click("#play");
    await page.waitForSelector(".card[data-kind=tool][data-status=pending]");
    await page.reload();
    await page.waitForSelector("#status[data-status=open]");
    resume(); // the rest of the run happens after the reload
    const run = await page.waitForSelector("article.run[data-status=completed]");
    const seqs = await run.$$eval(".raw-run pre.envelope", (pres) => pres.map((p) => Number(p.getAttribute("data-seq"))));
    assert.deepEqual(seqs, seqs.map((_, i) => i), "every event of the run, in order, once");
    assert.equal(seqs.length, exampleRun().length);
    const second = server.conns.at(-1)!.actions.map((a) => a.action);
    assert.ok(second.includes("replay") && second.includes("resume"), `after the reload the page replays and resumes: ${second}`);
    assert.notEqual(await page.locator("#position").innerText(), "0");
    await page.close();
  });
});
