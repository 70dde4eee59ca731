// Bundles the dashboard into OUT (default ../build/web): index.html, and
// assets/ with the ES modules (split: mermaid loads only on the trace page)
// and the stylesheet. Run by the CMake build through scripts/build-web.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "build", "web"));
await rm(join(out, "assets"), { recursive: true, force: true });
await mkdir(join(out, "assets"), { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.js"), join(here, "src", "style.css")],
  outdir: join(out, "assets"),
  bundle: true,
  format: "esm",
  splitting: true,
  minify: true,
  sourcemap: true,
  target: "es2020",
  logLevel: "warning",
});
await copyFile(join(here, "index.html"), join(out, "index.html"));
console.log(`dashboard built into ${out}`);
