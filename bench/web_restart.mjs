// The dashboard's supervisors page under load: how long it takes to load a
// tree, and from a click on "kill" to the child's new pid on the page (the
// REST call, the kill, the restart, its tree frame and the row swapped in
// place), measured in the page (performance.now() at the click, a
// MutationObserver on the row). Headless Chromium, otplab serve on loopback.
//   node bench/web_restart.mjs [OTPLAB] [KILLS]
// Two trees from bench/web_big_tree.lua (each supervisor allows 1000
// restarts, so the kills never exhaust a budget): 1 x 10, then NSUP x 10
// (default 1000), every supervisor expanded. Also: the forest's REST call
// alone, and in the page a search (typed pid -> its one row) and collapse
// all / expand all (click -> rows in place).
import { startServe } from "../tests/web/serve.mjs";
import { chromiumMissing, launch, openPage } from "../tests/web/browser.mjs";

const otplab = process.argv[2] || "build/otplab";
const kills = Number(process.argv[3] || 20);
const missing = chromiumMissing();
if (missing) {
  console.error(`web_restart: ${missing}`);
  process.exit(1);
}

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function run(label, nsup, row) {
  process.env.NSUP = String(nsup);
  const server = await startServe(otplab, ["bench/web_big_tree.lua"], { timeoutMs: 120000 });
  const browser = await launch();
  try {
    const page = await openPage(browser);
    // the moment each tree frame reaches the page, before the page handles it (the
    // restarted child's start frame is the one that swaps the pid)
    await page.evaluateOnNewDocument(() => {
      const Native = window.WebSocket;
      window.WebSocket = function (...args) {
        const ws = new Native(...args);
        ws.addEventListener("message", (m) => { if (m.data.includes('"type":"tree"')) window.__treeFrameAt = performance.now(); });
        return ws;
      };
      window.WebSocket.prototype = Native.prototype;
    });
    const tRest = performance.now();
    const forest = await (await fetch(`${server.url}/api/v1/trees`)).json();
    const restMs = performance.now() - tRest;
    const t0 = Date.now();
    await page.goto(`${server.url}/supervisors`);
    await page.waitForFunction(() => document.querySelector("main").dataset.ready === "1", { timeout: 300000 });
    const loadMs = Date.now() - t0;
    const children = await page.$eval(".outline", (o) => Number(o.dataset.rows));
    const inDom = await page.$$eval(".outline [role=treeitem]", (r) => r.length);
    // click (or keystroke) -> the outline's row count within [lo, hi], measured in the page (no eval: the CSP)
    const untilRows = (sel, pred) => page.evaluate((s, p) => new Promise((resolve) => {
      const outline = document.querySelector(".outline");
      const start = performance.now();
      const obs = new MutationObserver(() => {
        const n = Number(outline.dataset.rows);
        if (n >= p[0] && n <= p[1]) {
          obs.disconnect();
          resolve(performance.now() - start);
        }
      });
      obs.observe(outline, { attributes: true, attributeFilter: ["data-rows"] });
      if (s.startsWith("type:")) {
        const input = document.querySelector("input[type=search]");
        input.value = s.slice(5);
        input.dispatchEvent(new Event("input", { bubbles: true }));
      } else document.querySelector(s).click();
    }), sel, pred);
    const deep = forest.data.at(-1).children.at(-1).pid;
    const searchMs = await untilRows(`type:${deep}`, [1, 3]);
    const clearMs = await untilRows("type:", [children, children]);
    const collapseMs = await untilRows('button[data-action="collapse-all"]', [1, 1]);
    const expandMs = await untilRows('button[data-action="expand-all"]', [children, children]);
    await page.waitForSelector(row);
    const times = [], afterFrame = [];
    for (let i = 0; i < kills; i++) {
      const ms = await page.evaluate((sel) => new Promise((resolve, reject) => {
        const target = document.querySelector(sel);
        const pidOf = () => target.querySelector("button.pid")?.textContent;
        const before = pidOf();
        const start = performance.now();
        const obs = new MutationObserver(() => {
          const now = pidOf();
          if (now && now !== before) {
            obs.disconnect();
            const end = performance.now();
            resolve([end - start, end - (window.__treeFrameAt ?? end)]);
          }
        });
        obs.observe(target, { childList: true, subtree: true, characterData: true });
        setTimeout(() => { obs.disconnect(); reject(new Error("no new pid within 10 s")); }, 10000);
        target.querySelector('button[data-action="kill"]').click();
      }), row);
      times.push(ms[0]);
      afterFrame.push(ms[1]);
    }
    console.log(`${label}: GET /api/v1/trees ${restMs.toFixed(0)} ms (${(JSON.stringify(forest).length / 1024).toFixed(0)} KB); `
      + `page load ${loadMs} ms, ${children} rows, ${inDom} in the DOM; search ${searchMs.toFixed(1)} ms, clear ${clearMs.toFixed(1)} ms, `
      + `collapse all ${collapseMs.toFixed(1)} ms, expand all ${expandMs.toFixed(1)} ms\n  `
      + `click->new pid p50 ${pct(times, 0.5).toFixed(1)} p99 ${pct(times, 0.99).toFixed(1)} ms  `
      + `frame->new pid p50 ${pct(afterFrame, 0.5).toFixed(1)} p99 ${pct(afterFrame, 0.99).toFixed(1)} ms  (${kills} kills)`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

const big = Number(process.env.NSUP || 1000);
const row = '.outline .row.child[data-child="w3"]';
await run("1 supervisor x 10 workers", 1, row);
await run(`${big} supervisors x 10 workers`, big, row);
