// The dashboard in a real browser against `otplab serve` with the demo
// tree: every page loads without a console error; the supervisors page
// shows demo_sup's children and a kill becomes a new pid in place; the
// processes page pages and sorts on the server; an operation's form runs.
// Waits are on DOM content with bounded timeouts, never sleeps.
// Usage: node tests/web/dashboard.test.mjs OTPLAB
import { startServe, runner, assert } from "./serve.mjs";
import { chromiumMissing, launch, openPage } from "./browser.mjs";

const [otplab] = process.argv.slice(2);
const missing = chromiumMissing();
if (missing) {
  console.log(`skip  tests/web/dashboard.test.mjs: ${missing}`);
  console.log("0 passed, 0 failed");
  process.exit(0);
}

const { test, done } = runner();
const server = await startServe(otplab);
const browser = await launch();
const api = async (path, init) => (await (await fetch(server.url + path, init)).json());

// A test on one page of the dashboard, which must end with no console error
// and no failed request.
const pageTest = (name, path, fn) => test(name, async () => {
  const page = await openPage(browser);
  try {
    await page.goto(server.url + path);
    await fn(page);
    assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
  } finally {
    await page.close();
  }
});

try {
  await test("web: every page loads with no console error, no failed request", async () => {
    const page = await openPage(browser);
    for (const [path, title] of [["/supervisors", "Supervisors"], ["/processes", "Processes"], ["/trace", "Trace"],
                                 ["/system", "System"], ["/sandboxes", "Sandboxes"], ["/operations", "Operations"],
                                 ["/lessons", "Lessons"], ["/cluster", "Cluster"]]) {
      try {
        await page.goto(server.url + path, { waitUntil: "load" });
        await page.waitForFunction((t) => document.querySelector("main h1")?.textContent === t, {}, title);
        await page.waitForFunction(() => document.querySelector("main")?.dataset.ready === "1");
      } catch (err) {
        const text = await page.$eval("main", (m) => m.innerText.slice(0, 300)).catch(() => "");
        throw new Error(`${path}: ${err.message}\npage: ${text}\nproblems: ${page.problems.join("\n")}`);
      }
    }
  });

  await pageTest("web: the supervisors page shows demo_sup's children with their live pids", "/supervisors", async (page) => {
    await page.waitForSelector('.outline .row.child[data-sup="demo_sup"][data-child="counter_a"]');
    // demo_sup's workers, and its child supervisors (their own rows, named by their child id)
    const ids = await page.$$eval('.outline .row.child[data-sup="demo_sup"], .outline .row.sup[data-child]', (rows) => rows.map((r) => r.dataset.child));
    for (const id of ["counter_a", "counter_b", "printer", "pipeline", "pool"]) assert(ids.includes(id), `no child ${id}: ${ids}`);
    const info = await api("/api/v1/supervisors/demo_sup");
    const want = info.data.children.find((c) => c.id === "counter_a").pid;
    const shown = await page.$eval('.outline .row.child[data-sup="demo_sup"][data-child="counter_a"] .pid-cell button.pid', (b) => b.textContent);
    assert(shown === want, `counter_a shown as ${shown}, the node says ${want}`);
  });

  await pageTest("web C6 C9: clicking kill on counter_a shows its new pid in place, its sibling's unchanged, the restart counted in the budget", "/supervisors", async (page) => {
    const row = '.outline .row.child[data-sup="demo_sup"][data-child="counter_a"]';
    await page.waitForSelector(`${row} button[data-action="kill"]`);
    await page.waitForFunction(() => document.getElementById("live")?.dataset.state === "live");
    const before = await page.$eval(`${row} .pid-cell button.pid`, (b) => b.textContent);
    const sibling = '.outline .row.child[data-sup="demo_sup"][data-child="counter_b"] .pid-cell button.pid';
    const siblingBefore = await page.$eval(sibling, (b) => b.textContent);
    const restartsBefore = Number(await page.$eval(`${row} .restarts`, (td) => td.textContent));
    await page.click(`${row} button[data-action="kill"]`);
    await page.waitForFunction((sel, old) => {
      const b = document.querySelector(`${sel} .pid-cell button.pid`);
      return b && /^<\d+\.\d+\.\d+>$/.test(b.textContent) && b.textContent !== old;
    }, { timeout: 10000 }, row, before);
    const after = await page.$eval(`${row} .pid-cell button.pid`, (b) => b.textContent);
    const restarts = Number(await page.$eval(`${row} .restarts`, (td) => td.textContent));
    assert(restarts === restartsBefore + 1, `restarts ${restartsBefore} -> ${restarts}`);
    const info = await api("/api/v1/supervisors/demo_sup");
    const now = info.data.children.find((c) => c.id === "counter_a").pid;
    assert(after === now, `the page shows ${after}, the node has ${now} (was ${before})`);
    assert(await page.$eval(sibling, (b) => b.textContent) === siblingBefore, "counter_b's pid changed on the page");
    // the budget meter: the node's count of restarts in the period (asked after the restart)
    await page.waitForFunction(() => Number(document.querySelector('.outline .row.sup[data-sup="demo_sup"] meter').value) >= 1);
  });

  await pageTest("web: supervisors started inside a sandbox (events, no REST resource) cost no failed request", "/supervisors", async (page) => {
    await page.waitForFunction(() => document.querySelector("main").dataset.ready === "1"
      && document.getElementById("live")?.dataset.state === "live");
    const made = await api("/api/v1/sandboxes", { method: "POST", body: JSON.stringify({ name: "suplab", demo: true }) });
    assert(made.success, `create: ${JSON.stringify(made)}`);
    try {
      await page.waitForFunction(() => Number(document.querySelector("main").dataset.foreign) >= 1);
      const shown = await page.$$eval(".outline .row.sup", (s) => s.length);
      const listed = (await api("/api/v1/supervisors")).total;
      assert(shown === listed, `${shown} supervisors shown, the API lists ${listed}`);
    } finally {
      await api("/api/v1/sandboxes/suplab", { method: "DELETE" });
    }
  });

  await pageTest("web: the graph view draws a node for every supervisor and worker of the tree", "/supervisors", async (page) => {
    await page.waitForFunction(() => document.querySelector("main").dataset.ready === "1");
    const want = await page.evaluate(() => document.querySelectorAll(".outline .row.sup").length
      + [...document.querySelectorAll(".outline .row.child")].filter((r) => r.querySelector(".type").textContent === "worker").length);
    await page.click('button[aria-pressed="false"]');
    await page.waitForSelector(".graph canvas");
    await page.waitForFunction((n) => Number(document.querySelector(".graph").dataset.nodes) === n, {}, want);
  });

  await pageTest("web: clicking a pid opens its process panel with info, state and links", "/supervisors", async (page) => {
    const pidBtn = '.outline .row.child[data-sup="demo_sup"][data-child="counter_b"] .pid-cell button.pid';
    await page.waitForSelector(pidBtn);
    const pid = await page.$eval(pidBtn, (b) => b.textContent);
    await page.click(pidBtn);
    await page.waitForFunction((p) => {
      const panel = document.querySelector(`aside.panel[data-pid="${p}"]`);
      return panel && /counter_b/.test(panel.querySelector("h2").textContent) && panel.querySelector("table.kv")
        && !/loading/.test(panel.textContent);
    }, {}, pid);
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector("aside.panel"));
  });

  await pageTest("web: the process panel of a process that is no gen_server says it has no state, and asks for none", "/processes", async (page) => {
    await page.waitForSelector('tr[data-pid] button.pid');
    await page.type("input[name=q]", "serve_file");
    await page.waitForFunction(() => document.querySelectorAll("table.procs tbody tr[data-pid]").length === 1);
    await page.click("table.procs tbody tr[data-pid] button.pid");
    await page.waitForFunction(() => /no state to ask for/.test(document.querySelector("aside.panel")?.textContent || "")
      && !/loading/.test(document.querySelector("aside.panel").textContent));
  });

  await pageTest("web: the system page charts the node's metrics frames and shows memory by kind", "/system", async (page) => {
    await page.waitForFunction(() => Number(document.querySelector("[data-frames]")?.dataset.frames) >= 2, { timeout: 20000 });
    const shown = await page.$eval('[data-metric="process_count"]', (e) => Number(e.textContent.replace(/,/g, "")));
    const now = (await api("/api/v1/system/metrics")).data.process_count;
    assert(shown > 0 && Math.abs(shown - now) <= 20, `the chart says ${shown} processes, the node ${now}`);
    await page.waitForSelector('.memory-by-kind [data-kind="processes"]');
    assert(await page.$$eval(".uplot", (u) => u.length) === 5, "not five charts");
  });

  await pageTest("web: the processes page pages on the server and sorts by memory", "/processes", async (page) => {
    await page.waitForSelector("table.procs tbody tr");
    await page.select("select[name=limit]", "5");
    await page.waitForFunction(() => document.querySelectorAll("table.procs tbody tr").length === 5
      && /^1–5 of \d+/.test(document.querySelector(".pager .range").textContent));
    const total = Number((await page.$eval(".pager .range", (e) => e.textContent)).match(/of (\d+)/)[1]);
    const firstPage = await page.$$eval("table.procs tbody tr", (rows) => rows.map((r) => r.dataset.pid));
    await page.click(".pager button.next");
    await page.waitForFunction(() => /^6–/.test(document.querySelector(".pager .range").textContent));
    const second = await page.$$eval("table.procs tbody tr", (rows) => rows.map((r) => r.dataset.pid));
    assert(second.every((p) => !firstPage.includes(p)), `page 2 repeats page 1: ${firstPage} / ${second}`);
    const apiPage = await api("/api/v1/processes?offset=5&limit=5&sort=pid");
    assert(apiPage.total === total || Math.abs(apiPage.total - total) < 5, `total ${total} vs ${apiPage.total}`);
    await page.click('th[data-sort="memory"] button');
    await page.waitForFunction(() => document.querySelector('th[data-sort="memory"]').getAttribute("aria-sort") === "descending"
      && /^1–/.test(document.querySelector(".pager .range").textContent));
    const mem = await page.$$eval("table.procs tbody tr", (rows) => rows.map((r) => Number(r.dataset.memory)));
    for (let i = 1; i < mem.length; i++) assert(mem[i - 1] >= mem[i], `not sorted by memory: ${mem}`);
    const top = await api("/api/v1/processes?sort=memory&limit=1");
    assert(top.data[0].memory >= mem[0] * 0.5, `the largest process by the API (${top.data[0].memory}) is far from the page's (${mem[0]})`);
    await page.type("input[name=q]", "counter_");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("table.procs tbody tr")];
      return rows.length === 2 && rows.every((r) => /counter_/.test(r.textContent));
    });
  });

  await pageTest("web: the cluster page shows this node, alone, with its live counts (section 11)", "/cluster", async (page) => {
    const health = (await api("/api/v1/cluster/health")).data;
    await page.waitForSelector(`table.cluster tr[data-node="${health.node}"]`);
    const rows = await page.$$eval("table.cluster tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert(rows.length === 1, `one node expected: ${JSON.stringify(rows)}`);
    const info = (await api(`/api/v1/cluster/nodes/${encodeURIComponent(health.node)}/info`)).data;
    const shown = Number(rows[0][3].replace(/,/g, ""));     // node, kind, status, processes, ...
    assert(shown > 0 && Math.abs(shown - info.process_count) <= 5, `processes shown ${shown}, the node says ${info.process_count}`);
    const text = await page.$eval("main", (m) => m.innerText);
    assert(/not distributed, a cluster of one/.test(text), `the page does not say the node is alone: ${text.slice(0, 300)}`);
  });

  await pageTest("web: an operation's generated form executes for real and shows the result", "/operations", async (page) => {
    const op = 'details.op[data-op="supervisor_info"]';
    await page.waitForSelector(op);
    const ops = await api("/api/v1/operations");
    const shown = await page.$$eval("details.op", (d) => d.length);
    assert(shown === ops.data.length, `${shown} forms for ${ops.data.length} operations`);
    await page.click(`${op} summary`);
    await page.type(`${op} input[name=sup]`, "demo_sup");
    await page.click(`${op} button[type=submit]`);
    await page.waitForFunction((sel) => /"strategy": "one_for_one"/.test(document.querySelector(`${sel} pre.result`)?.textContent || ""), {}, op);
    const text = await page.$eval(`${op} .result-status`, (e) => e.textContent);
    assert(/200/.test(text), `status shown: ${text}`);
  });

  await pageTest("web: a trace of counter_a shows a call and its reply in the live diagram and its Mermaid text", "/trace", async (page) => {
    await page.waitForSelector("input[name=pids]");
    await page.type("input[name=pids]", "counter_a");
    await page.click("button.start");
    await page.waitForFunction(() => /^Tracing counter_a/.test(document.querySelector(".status").textContent));
    const r = await api("/api/v1/processes/counter_a/message", { method: "POST", body: JSON.stringify({ type: "call", message: "next" }) });
    assert(r.success, `the call failed: ${JSON.stringify(r)}`);
    await page.waitForFunction(() => {
      const svg = document.querySelector(".diagram svg");
      return svg && /call: next/.test(svg.textContent) && new RegExp(`reply: \\d+`).test(svg.textContent);
    }, { timeout: 20000 });
    const source = await page.$eval(".mermaid-source", (e) => e.textContent);
    assert(/->>P\d+: call: next/.test(source) && /-->>P\d+: reply: \d+/.test(source), `mermaid text:\n${source}`);
    await page.click("button.stop");
    await page.waitForFunction(() => /^Stopped with \d+ events/.test(document.querySelector(".status").textContent));
  });

  await pageTest("web: the trace time slider replays the tree: the old pid before a restart, the new one after", "/trace", async (page) => {
    await page.waitForSelector("input[name=pids]");
    await page.type("input[name=pids]", "counter_b");
    await page.click("button.start");
    await page.waitForFunction(() => /^Tracing counter_b/.test(document.querySelector(".status").textContent));
    const old = (await api("/api/v1/supervisors/demo_sup")).data.children.find((c) => c.id === "counter_b").pid;
    const kill = await api("/api/v1/supervisors/demo_sup/simulate-failure", { method: "POST", body: JSON.stringify({ child: "counter_b", kind: "kill" }) });
    assert(kill.success, `kill: ${JSON.stringify(kill)}`);
    const shownPid = () => page.$eval('.trees-at li[data-sup="demo_sup"] li[data-child="counter_b"] code.pid', (e) => e.textContent);
    await page.waitForFunction((o) => {
      const e = document.querySelector('.trees-at li[data-sup="demo_sup"] li[data-child="counter_b"] code.pid');
      return e && e.textContent !== o && /exit/.test(document.querySelector(".mermaid-source").textContent);
    }, { timeout: 20000 }, old);
    const now = (await api("/api/v1/supervisors/demo_sup")).data.children.find((c) => c.id === "counter_b").pid;
    assert(await shownPid() === now, `live: the page shows ${await shownPid()}, the node has ${now}`);
    const seek = async (where) => {
      const n = await page.evaluate((w) => {
        const s = document.querySelector("input[name=at]");
        s.value = w === "start" ? "0" : s.max;
        s.dispatchEvent(new Event("input", { bubbles: true }));
        return s.value;
      }, where);
      await page.waitForFunction((v) => document.querySelector(".trees-at").dataset.at === v
        && document.querySelector(".diagram").dataset.at === v, {}, n);
    };
    await seek("start");
    assert(await shownPid() === old, `at the start the page shows ${await shownPid()}, want the old pid ${old}`);
    assert(!/exit/.test(await page.$eval(".mermaid-source", (e) => e.textContent)), "the diagram at the start already has the exit");
    await seek("end");
    assert(await shownPid() === now, `at the end the page shows ${await shownPid()}, want the new pid ${now}`);
    const text = await page.$eval(".mermaid-source", (e) => e.textContent);
    assert(/Note over P\d+: exit killed/.test(text) && /Note over P\d+: restart counter_b/.test(text), `the diagram at the end:\n${text}`);
    await page.click("button.stop");
  });

  await pageTest("web: a sandbox is created from the form with the demo tree inside, then destroyed", "/sandboxes", async (page) => {
    await page.waitForFunction(() => document.querySelector("main").dataset.ready === "1");
    await page.type("input[name=name]", "weblab");
    await page.click("input[name=demo]");
    await page.click("form button[type=submit]");
    await page.waitForSelector('tr[data-sandbox="weblab"]');
    const procs = Number(await page.$eval('tr[data-sandbox="weblab"] td:nth-child(3)', (td) => td.textContent));
    const info = (await api("/api/v1/sandboxes/weblab")).data;
    assert(procs > 1 && info.processes > 1, `the demo tree is not inside: page ${procs}, node ${info.processes}`);
    await page.click('tr[data-sandbox="weblab"] button[data-action="destroy"]');
    await page.waitForFunction(() => !document.querySelector('tr[data-sandbox="weblab"]'));
    const list = (await api("/api/v1/sandboxes")).data;
    assert(!list.some((s) => s.name === "weblab"), "the node still has the sandbox");
  });
} finally {
  await browser.close();
}
await test("web: with --token the dashboard opened as /?token=T works (REST and the event stream), without it says how", async () => {
  const guarded = await startServe(otplab, ["--token", "web-test-token"]);
  const b = await launch();
  try {
    const page = await openPage(b);
    await page.goto(`${guarded.url}/supervisors?token=web-test-token`);
    await page.waitForSelector('.outline .row.child[data-sup="demo_sup"][data-child="counter_a"]');
    await page.waitForFunction(() => document.getElementById("live")?.dataset.state === "live");
    assert(!page.url().includes("token"), `the token stayed in the address: ${page.url()}`);
    assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
    const other = await b.createBrowserContext();
    const bare = await other.newPage();
    await bare.goto(`${guarded.url}/supervisors`);
    await bare.waitForFunction(() => /needs its token: open the dashboard as .*\?token=TOKEN/.test(document.querySelector(".status")?.textContent || ""));
  } finally {
    await b.close();
    await guarded.stop();
  }
});

await test("web: otplab serve stops cleanly after the browser sessions", async () => {
  const code = await server.stop();
  assert(code === 0, `exit status ${code}:\n${server.output().slice(-2000)}`);
});
done();
