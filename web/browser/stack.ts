// Starts a real `agentbridge dev` for browser tests: built from this checkout, on a free
// loopback port, stopped with Ctrl-C as a developer would.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Stack {
  /** http://127.0.0.1:PORT */
  baseURL: string;
  stop(): Promise<void>;
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "go.mod"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("go.mod not found above the browser tests");
    dir = up;
  }
  return dir;
}

let binary: string | undefined;

/** Builds cmd/agentbridge once per test process. */
function build(): string {
  if (binary) return binary;
  const out = join(mkdtempSync(join(tmpdir(), "agentbridge-web-")), "agentbridge");
  console.log("browser tests: building agentbridge (go build ./cmd/agentbridge)…");
  const r = spawnSync("go", ["build", "-o", out, "./cmd/agentbridge"], { cwd: repoRoot(), stdio: "inherit" });
  if (r.status !== 0) throw new Error(`go build ./cmd/agentbridge failed (exit ${r.status})`);
  return (binary = out);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startStack(): Promise<Stack> {
  const bin = build();
  const port = await freePort();
  const proc = spawn(bin, ["dev", "--port", String(port), "--quiet"], { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (stdout.includes("stack is up")) return resolve();
      if (proc.exitCode !== null) return reject(new Error(`agentbridge dev exited ${proc.exitCode}:\n${stderr}`));
      setTimeout(check, 50);
    };
    check();
  });
  return { baseURL: `http://127.0.0.1:${port}`, stop: () => stop(proc) };
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once("exit", () => resolve());
    proc.kill("SIGINT");
  });
}
