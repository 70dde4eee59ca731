// Screenshots of every dashboard page for the README (make screenshots):
// otplab serve with the demo tree, some activity first (a call traced, a
// kill, a sandbox), then one PNG per page. Usage: node tests/web/screenshots.mjs OTPLAB OUTDIR
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startServe } from "./serve.mjs";
import { chromiumMissing, launch, openPage } from "./browser.mjs";

const [otplab, outDir] = process.argv.slice(2);
const missing = chromiumMissing();
if (missing) {
  console.error(`screenshots: ${missing}`);
  process.exit(1);
}
await mkdir(outDir, { recursive: true });
const server = await startServe(otplab);
const browser = await launch();
const post = (path, body) => fetch(server.url + path, { method: "POST", body: JSON.stringify(body) });
try {
  const page = await openPage(browser);
  await page.setViewport({ width: 1200, height: 760 });
  const ready = () => page.waitForFunction(() => document.querySelector("main").dataset.ready === "1");
  const shot = async (name) => {
    await page.screenshot({ path: join(outDir, `${name}.png`) });
    console.log(`screenshots: ${join(outDir, `${name}.png`)}`);
  };

  await page.goto(`${server.url}/trace`);
  await page.type("input[name=pids]", "counter_a");
  await page.click("button.start");
  await page.waitForFunction(() => /^Tracing/.test(document.querySelector(".status").textContent));
  await post("/api/v1/processes/counter_a/message", { type: "call", message: "next" });
  await post("/api/v1/supervisors/demo_sup/simulate-failure", { child: "counter_a", kind: "crash" });
  await page.waitForFunction(() => /restart counter_a/.test(document.querySelector(".mermaid-source").textContent)
    && document.querySelector(".diagram").dataset.at === document.querySelector("input[name=at]").max);
  await shot("trace");

  await page.goto(`${server.url}/supervisors`);
  await ready();
  await page.click('.outline .row.child[data-sup="pipeline"][data-child="transformer"] button[data-action="kill"]');
  await page.waitForSelector('.outline .row.child.restarted[data-sup="pipeline"]');
  await shot("supervisors");

  await post("/api/v1/sandboxes", { name: "lab", max_memory: 16 << 20, demo: true });
  for (const name of ["processes", "sandboxes", "operations", "lessons"]) {
    await page.goto(`${server.url}/${name}`);
    await ready();
    if (name === "operations") {
      await page.click('details.op[data-op="supervisor_analytics"] summary');
      await page.type('details.op[data-op="supervisor_analytics"] input[name=sup]', "demo_sup");
      await page.click('details.op[data-op="supervisor_analytics"] button[type=submit]');
      await page.waitForSelector('details.op[data-op="supervisor_analytics"] pre.result:not([hidden])');
    }
    if (name === "lessons") {        // lesson 8 running: its text, its tree, the Continue of its first pause
      await page.click('li[data-lesson="8"] button[data-action="run"]');
      await page.waitForFunction(() => document.querySelector("main").dataset.runState === "paused"
        && document.querySelector(".lesson-graph")?.dataset.nodes === "4", { timeout: 20000 });
    }
    await shot(name);
  }

  await page.goto(`${server.url}/system`);
  await page.waitForFunction(() => Number(document.querySelector("[data-frames]")?.dataset.frames) >= 8, { timeout: 30000 })
    .catch(async (err) => {
      const seen = await page.evaluate(() => `${document.querySelector("[data-frames]").textContent} / ${document.getElementById("live").dataset.state}`);
      const stats = await (await fetch(`${server.url}/api/v1/system/metrics`)).json();
      throw new Error(`${err.message}: the page saw ${seen}; the server: ${JSON.stringify(stats.data.server)} ${page.problems}`);
    });
  await shot("system");
} finally {
  await browser.close();
  await server.stop();
}
