// Bundles the console into dist/: one script, the page and its stylesheet. The local host
// serves dist/ at /console/.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const started = Date.now();
rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outfile: "dist/console.js",
  logLevel: "warning",
});
cpSync("static", "dist", { recursive: true });
console.log(`console built into web/console/dist in ${Date.now() - started} ms`);
