// The console in a real browser against a real local stack: what a developer sees after
// `make dev`. Each test uses its own user, so the tests share one stack and one browser.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { launch } from "../browser.js";
import { startStack, type Stack } from "../stack.js";

let stack: Stack;
let browser: BrowserContext;

before(async () => {
  stack = await startStack();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function open(user: string, extra = ""): Promise<Page> {
  const page = await browser.newPage();
  // Conditions, not durations: the generous ceiling only bounds a wait on a loaded machine.
  page.setDefaultTimeout(90_000);
  await page.goto(`${stack.baseURL}/?user=${user}${extra}`);
  return page;
}

/** Waits for a condition in the page; on failure says what the page showed. */
async function until<T>(page: Page, what: string, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const shown = await page.evaluate(() => ({
      url: location.href,
      status: document.querySelector("#status")?.textContent,
      errors: document.querySelector("#errors")?.textContent,
      connections: document.querySelector("#connection-count")?.textContent,
      runs: [...document.querySelectorAll("article.run")].map((r) => `${r.getAttribute("data-run-id")}:${r.getAttribute("data-status")}:${r.getAttribute("data-events")}`),
    })).catch(() => "page unavailable");
    throw new Error(`waiting for ${what}: ${String(err)}\npage: ${JSON.stringify(shown)}`);
  }
}

async function connected(page: Page): Promise<void> {
  await until(page, "the connection to open", () => page.waitForSelector("#status[data-status=open]"));
}

/** Waits until the page shows a run finished; returns its seqs and event ids, in order. */
async function finishedRun(page: Page): Promise<{ seqs: number[]; ids: string[]; types: string[] }> {
  const run = await until(page, "a completed run", () => page.waitForSelector("article.run[data-status=completed]"));
  return run.$$eval(".raw-run pre.envelope", (pres) => ({
    seqs: pres.map((p) => Number(p.getAttribute("data-seq"))),
    ids: pres.map((p) => p.getAttribute("data-event-id") ?? ""),
    types: pres.map((p) => (JSON.parse(p.textContent ?? "{}") as { type: string }).type),
  }));
}

function assertWholeRun(run: { seqs: number[]; ids: string[]; types: string[] }): void {
  assert.deepEqual(run.seqs, run.seqs.map((_, i) => i), "every event of the run, in order, once");
  assert.equal(new Set(run.ids).size, run.ids.length, "no event shown twice");
  assert.equal(run.types[0], "agent_started");
  assert.equal(run.types.at(-1), "agent_completed");
  for (const t of ["agent_thinking", "tool_executing", "tool_completed", "message_started", "message_delta", "message_completed"]) {
    assert.ok(run.types.includes(t), `the run shows ${t}`);
  }
}

describe("console", () => {
  it("shows a whole example run: reasoning, the tool call done with its result, the streamed message", async () => {
    const page = await open("alice-whole");
    await connected(page);
    await page.click("#play");
    assertWholeRun(await finishedRun(page));
    const tool = page.locator(".card[data-kind=tool]");
    assert.equal(await tool.getAttribute("data-status"), "completed");
    assert.match(await tool.innerText(), /7,688,287/);
    assert.match(await page.locator(".card[data-kind=reasoning] .text").innerText(), /search for current figures/);
    assert.equal(
      await page.locator(".card[data-kind=message] .text").innerText(),
      "The contiguous United States is slightly larger: about 8.08 million km² against Australia's 7.69 million km².",
    );
    await page.close();
  });

  it("shows the whole run after a reload mid-run, each event once", async () => {
    const page = await open("bob-reload");
    await connected(page);
    await page.click("#play");
    await until(page, "the run under way", () => page.waitForSelector(".card[data-kind=tool]"));
    await page.reload();
    assertWholeRun(await finishedRun(page));
    await page.close();
  });

  it("shows a run in both tabs of its user, and nothing in another user's tab", async () => {
    const [tab1, tab2, other] = [await open("carol-tabs"), await open("carol-tabs"), await open("dave-other")];
    await Promise.all([tab1, tab2, other].map(connected));
    await until(tab1, "two connections listed", () => tab1.waitForFunction(() => document.querySelector("#connection-count")?.textContent === "2"));
    await tab1.click("#play");
    const [one, two] = await Promise.all([finishedRun(tab1), finishedRun(tab2)]);
    assertWholeRun(one);
    assert.deepEqual(two.ids, one.ids, "both tabs show the same events");
    assert.equal(await other.locator("article.run").count(), 0, "another user's tab shows nothing");
    await Promise.all([tab1.close(), tab2.close(), other.close()]);
  });

  it("reports a refused token in the page, saying what to check", async () => {
    const page = await open("erin-refused", "&token=not-a-valid-token");
    const error = await until(page, "the refusal reported", () => page.waitForSelector("#errors [data-kind=handshake_refused]"));
    const text = await error.innerText();
    assert.match(text, /refused/);
    assert.match(text, /token/);
    assert.match(text, /URL and stage/);
    assert.doesNotMatch(text, /not-a-valid-token/, "the page never shows the token");
    await page.close();
  });
});
