// Writes docs/console.png: the console after a whole example run, as the README shows it.
//   cd web && npm run screenshot
import { join } from "node:path";
import { launch } from "./browser.js";
import { repoRoot, startStack } from "./stack.js";

const stack = await startStack();
const browser = await launch();
try {
  const page = await browser.newPage();
  const peer = await browser.newPage(); // a second tab of alice, so the console lists two connections
  await page.goto(`${stack.baseURL}/?user=alice`);
  await peer.goto(`${stack.baseURL}/?user=alice`);
  await page.waitForFunction(() => document.querySelector("#connection-count")?.textContent === "2");
  await page.click("#play");
  await page.waitForSelector("article.run[data-status=completed]", { timeout: 60_000 });
  const out = join(repoRoot(), "docs", "console.png");
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await stack.stop();
}
