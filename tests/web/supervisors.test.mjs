// The supervisors page in a real browser: a big forest (200 supervisors x
// 10 workers) loads in one request into a virtualised outline, search finds
// a deep child and a kill of it shows its new pid; the page driven by the
// keyboard alone; restart counts of siblings restarted with a failing
// child (rest_for_one, one_for_all) and the live budget meter, each checked
// against the node; readable contrast in light and dark. Waits are on DOM
// content with bounded timeouts, never sleeps.
// Usage: node tests/web/supervisors.test.mjs OTPLAB
import { startServe, runner, assert } from "./serve.mjs";
import { chromiumMissing, launch, openPage } from "./browser.mjs";

const [otplab] = process.argv.slice(2);
const missing = chromiumMissing();
if (missing) {
  console.log(`skip  tests/web/supervisors.test.mjs: ${missing}`);
  console.log("0 passed, 0 failed");
  process.exit(0);
}

const { test, done } = runner();
const browser = await launch();
const demo = await startServe(otplab);
process.env.NSUP = "200";
const big = await startServe(otplab, ["bench/web_big_tree.lua"], { timeoutMs: 60000 });
const api = async (srv, path, init) => (await (await fetch(srv.url + path, init)).json());
const rowSel = (sup, child) => `.outline .row.child[data-sup="${sup}"][data-child="${child}"]`;
const ready = (page) => page.waitForFunction(() => document.querySelector("main").dataset.ready === "1"
  && document.getElementById("live")?.dataset.state === "live", { timeout: 60000 });

const pageTest = (name, srv, fn) => test(name, async () => {
  const page = await openPage(browser);
  try {
    await page.setViewport({ width: 1300, height: 900 });
    await page.goto(srv.url + "/supervisors");
    await ready(page);
    await fn(page);
    assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
  } finally {
    await page.close();
  }
});

try {
  await pageTest("web: 200 supervisors x 10 load in one request into a virtualised outline; search finds a deep child; its kill shows the new pid", big, async (page) => {
    const trees = (await api(big, "/api/v1/trees")).data;
    const rows = await page.$eval(".outline", (o) => ({ rows: Number(o.dataset.rows), rendered: o.querySelectorAll("[role=treeitem]").length }));
    const want = trees.length + trees.reduce((n, s) => n + s.children.filter((c) => c.type !== "supervisor").length, 0);
    assert(rows.rows === want, `the outline has ${rows.rows} rows, the node ${want} supervisors and workers`);
    assert(rows.rendered < 100, `${rows.rendered} rows in the DOM: not virtualised`);
    const root = trees.find((t) => !t.parent);
    const deep = trees.find((t) => t.pid === root.children.find((c) => c.id === "sup173")?.pid);
    assert(deep, "no sup173 in the tree");
    const w7 = deep.children.find((c) => c.id === "w7");
    await page.type("input[type=search]", w7.pid);
    await page.waitForFunction((pid) => {
      const hits = [...document.querySelectorAll(".outline .row.child")];
      return hits.length === 1 && hits[0].querySelector("button.pid").textContent === pid;
    }, {}, w7.pid);
    // the match is shown under its supervisors: the root and sup173
    const levels = await page.$$eval(".outline [role=treeitem]", (r) => r.map((e) => [e.getAttribute("aria-level"), e.dataset.child ?? ""]));
    assert(JSON.stringify(levels) === JSON.stringify([["1", ""], ["2", "sup173"], ["3", "w7"]]), `search rows: ${JSON.stringify(levels)}`);
    // a child supervisor is found by its id: its row and all its children, under the root
    await page.click("input[type=search]", { clickCount: 3 });
    await page.type("input[type=search]", "sup173");
    await page.waitForFunction(() => document.querySelector(".outline").dataset.rows === "12"
      && document.querySelector('.outline .row.sup[data-child="sup173"]'));
    await page.click("input[type=search]", { clickCount: 3 });
    await page.type("input[type=search]", w7.pid);
    await page.waitForFunction(() => document.querySelector(".outline").dataset.rows === "3");
    const row = `.outline .row.child[data-child="w7"][data-pid="${w7.pid}"]`;
    await page.click(`${row} button[data-action="kill"]`);
    await page.waitForFunction((old) => {
      const b = document.querySelector('.outline .row.child[data-child="w7"] button.pid');
      return b && /^<\d+\.\d+\.\d+>$/.test(b.textContent) && b.textContent !== old;
    }, { timeout: 10000 }, w7.pid);
    const shown = await page.$eval('.outline .row.child[data-child="w7"] button.pid', (b) => b.textContent);
    const now = (await api(big, `/api/v1/supervisors/${deep.pid.slice(1, -1)}`)).data.children.find((c) => c.id === "w7").pid;
    assert(shown === now, `the page shows ${shown}, the node has ${now}`);
    assert(await page.$eval('.outline .row.child[data-child="w7"] .restarts', (e) => e.textContent) === "1", "w7's restart not counted");
    // clearing the search brings every row back, w7 with its new pid
    await page.click("input[type=search]", { clickCount: 3 });
    await page.keyboard.press("Backspace");
    await page.waitForFunction((n) => Number(document.querySelector(".outline").dataset.rows) === n, {}, want);
  });

  await pageTest("web: the whole forest is too big for a graph and the page says so; one supervisor's tree is drawn", big, async (page) => {
    await page.click('button[data-action="graph"]');
    await page.waitForFunction(() => /too many to lay out as a graph/.test(document.querySelector(".graph-note")?.textContent || ""));
    assert(await page.$eval(".graph", (g) => g.hidden), "the graph box is shown for a forest too big to draw");
    await page.click('.outline .row.sup[data-child="sup1"] button.graph-this');
    await page.waitForFunction(() => Number(document.querySelector(".graph").dataset.nodes) === 11
      && document.querySelector(".graph canvas"), { timeout: 20000 });
    // the outline's current row (a worker of sup2, chosen with the mouse) is offered as the next tree to draw
    const sup2 = await page.$eval('.outline .row.sup[data-child="sup2"]', (r) => r.dataset.pid);
    await page.click(`.outline .row.child[data-sup="${sup2}"][data-child="w1"] .id`);
    const current = await page.evaluate(() => document.activeElement?.dataset.sup);
    await page.click('button[data-action="graph"]');             // off, then on again: the note is written anew
    await page.click('button[data-action="graph"]');
    await page.waitForSelector('button[data-action="graph-current"]');
    await page.click('button[data-action="graph-current"]');
    await page.waitForFunction((p) => document.querySelector(".graph-note").textContent.includes(`The graph of ${p}'s tree: 11 processes`)
      && Number(document.querySelector(".graph").dataset.nodes) === 11, { timeout: 20000 }, sup2);
    assert(current === sup2, `clicking a row does not make it the current one: ${current}`);
  });

  await pageTest("web: the outline by keyboard alone: tab to the tree, arrows, Enter opens the panel, Escape closes it, Tab to kill", demo, async (page) => {
    const active = () => page.evaluate(() => {
      const e = document.activeElement;
      const row = e?.closest("[role=treeitem]");
      return { role: e?.getAttribute("role"), key: row?.dataset.child ?? row?.dataset.sup ?? null, action: e?.dataset.action ?? null,
               expanded: row?.getAttribute("aria-expanded"), panel: Boolean(e?.closest("aside.panel")) };
    });
    for (let i = 0; i < 40 && (await active()).role !== "treeitem"; i++) await page.keyboard.press("Tab");
    let a = await active();
    assert(a.role === "treeitem" && a.key === "demo_sup", `Tab does not reach the tree's first row: ${JSON.stringify(a)}`);
    const outline = await page.evaluate(() => {
      const e = document.activeElement;
      const tree = e.closest("[role=tree]");
      return { tree: Boolean(tree), style: getComputedStyle(e).outlineStyle, width: getComputedStyle(e).outlineWidth };
    });
    assert(outline.tree && outline.style !== "none" && outline.width !== "0px", `no visible focus: ${JSON.stringify(outline)}`);
    await page.keyboard.press("ArrowLeft");
    await page.waitForFunction(() => document.querySelector(".outline").dataset.rows === "1");
    assert((await active()).expanded === "false", "ArrowLeft does not collapse demo_sup");
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => Number(document.querySelector(".outline").dataset.rows) > 1);
    await page.keyboard.press("ArrowRight");
    a = await active();
    assert(a.key === "counter_a", `ArrowRight on an open supervisor does not go to its first child: ${JSON.stringify(a)}`);
    await page.keyboard.press("ArrowDown");
    assert((await active()).key === "counter_b", "ArrowDown");
    await page.keyboard.press("ArrowUp");
    assert((await active()).key === "counter_a", "ArrowUp");
    const pid = await page.$eval(`${rowSel("demo_sup", "counter_a")} button.pid`, (b) => b.textContent);
    await page.keyboard.press("Enter");
    await page.waitForFunction((p) => document.querySelector(`aside.panel[data-pid="${p}"]`), {}, pid);
    assert((await active()).panel, "the panel does not take the focus");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector("aside.panel"));
    assert((await active()).key === "counter_a", "Escape does not give the focus back to the row");
    await page.keyboard.press("Tab");            // the row's pid
    await page.keyboard.press("Tab");            // kill
    a = await active();
    assert(a.action === "kill" && a.key === "counter_a", `Tab from the row does not reach its kill button: ${JSON.stringify(a)}`);
    await page.keyboard.press("Enter");
    await page.waitForFunction((sel, old) => document.querySelector(`${sel} button.pid`)?.textContent !== old, { timeout: 10000 },
      rowSel("demo_sup", "counter_a"), pid);
    await page.waitForFunction(() => /counter_a restarted by demo_sup: now <\d+\.\d+\.\d+>/.test(document.querySelector("[data-role=restarts-said]").textContent));
    a = await active();
    assert(a.action === "kill" && a.key === "counter_a", `the restart took the focus away: ${JSON.stringify(a)}`);
    await page.keyboard.down("Shift");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.up("Shift");
    assert((await active()).role === "treeitem", "Shift+Tab does not come back to the row");
    const names = await page.$$eval(".outline [role=treeitem]", (r) => r.every((e) => e.getAttribute("aria-label") && e.hasAttribute("aria-level")
      && e.hasAttribute("aria-posinset") && e.hasAttribute("aria-setsize")));
    assert(names, "a row lacks its ARIA name, level or position");
    const tabStops = await page.$$eval(".outline [tabindex='0']", (e) => e.filter((x) => x.getAttribute("role") === "treeitem").length);
    assert(tabStops === 1, `${tabStops} rows in the tab order: one is the tree's tab stop`);
  });

  await pageTest("web C7 C8 C9: siblings restarted with a failing child show their restart (rest_for_one, one_for_all), as the node counts them; one restart in the budget", demo, async (page) => {
    const restarts = (sup, id) => page.$eval(`${rowSel(sup, id)} .restarts`, (e) => Number(e.textContent));
    const before = {};
    for (const [s, id] of [["pipeline", "producer"], ["pipeline", "transformer"], ["pipeline", "consumer"],
                           ["pool", "worker_1"], ["pool", "worker_2"], ["pool", "worker_3"]]) before[id] = await restarts(s, id);
    const budgetBefore = await page.$eval('.outline .row.sup[data-sup="pipeline"]', (r) => Number(r.dataset.used));
    const producerPid = await page.$eval(`${rowSel("pipeline", "producer")} button.pid`, (b) => b.textContent);
    await page.click(`${rowSel("pipeline", "transformer")} button[data-action="kill"]`);
    await page.waitForFunction((sel, n) => Number(document.querySelector(`${sel} .restarts`).textContent) === n, { timeout: 10000 },
      rowSel("pipeline", "consumer"), before.consumer + 1);
    await page.click(`${rowSel("pool", "worker_2")} button[data-action="crash"]`);
    await page.waitForFunction((sel, n) => Number(document.querySelector(`${sel} .restarts`).textContent) === n, { timeout: 10000 },
      rowSel("pool", "worker_3"), before.worker_3 + 1);
    const trees = (await api(demo, "/api/v1/trees")).data;
    for (const [s, id, bump] of [["pipeline", "producer", 0], ["pipeline", "transformer", 1], ["pipeline", "consumer", 1],
                                 ["pool", "worker_1", 1], ["pool", "worker_2", 1], ["pool", "worker_3", 1]]) {
      const shown = await restarts(s, id);
      const node = trees.find((t) => t.name === s).children.find((c) => c.id === id);
      assert(shown === before[id] + bump && shown === node.restarts, `${s}/${id}: page ${shown}, before ${before[id]}, node ${node.restarts}`);
      const pid = await page.$eval(`${rowSel(s, id)} button.pid`, (b) => b.textContent);
      assert(pid === node.pid, `${s}/${id}: page ${pid}, node ${node.pid}`);
    }
    assert(await page.$eval(`${rowSel("pipeline", "producer")} button.pid`, (b) => b.textContent) === producerPid, "producer's pid changed (C8)");
    await page.waitForFunction((n) => Number(document.querySelector('.outline .row.sup[data-sup="pipeline"]').dataset.used) === n,
      {}, budgetBefore + 1);
  });

  await pageTest("web C9: the budget meter shows the node's restarts in the period and follows it live, down to 0 when they leave it", demo, async (page) => {
    const kill = async (id) => {
      const old = await page.$eval(`${rowSel("pool", id)} button.pid`, (b) => b.textContent);
      await page.click(`${rowSel("pool", id)} button[data-action="kill"]`);
      await page.waitForFunction((sel, o) => document.querySelector(`${sel} button.pid`).textContent !== o, { timeout: 10000 }, rowSel("pool", id), old);
    };
    const shown = () => page.$eval('.outline .row.sup[data-sup="pool"]', (r) => ({
      used: Number(r.dataset.used), meter: Number(r.querySelector("meter").value), max: Number(r.querySelector("meter").max),
      text: r.querySelector(".budget-text").textContent }));
    await kill("worker_1");
    const node = (await api(demo, "/api/v1/supervisors/pool/budget")).data;
    await page.waitForFunction((n) => Number(document.querySelector('.outline .row.sup[data-sup="pool"]').dataset.used) === n, {}, node.used);
    let s = await shown();
    assert(s.meter === node.used && s.max === node.intensity && s.text === `${node.used}/${node.intensity} restarts in ${node.period} s`,
      `meter ${JSON.stringify(s)} vs node ${JSON.stringify(node)}`);
    // every restart leaves the period: the page asks the node again then and shows 0, with nothing clicked
    await page.waitForFunction(() => Number(document.querySelector('.outline .row.sup[data-sup="pool"]').dataset.used) === 0, { timeout: 20000 });
    s = await shown();
    const later = (await api(demo, "/api/v1/supervisors/pool/budget")).data;
    assert(later.used === 0 && s.meter === 0 && s.text === `0/${later.intensity} restarts in ${later.period} s`, `after the period: ${JSON.stringify(s)}`);
  });

  const contrast = async (page) => page.evaluate(() => {
    const rgb = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/)[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: m[0], g: m[1], b: m[2], a: m[3] ?? 1 };
    };
    const bgOf = (e) => {
      for (let x = e; x; x = x.parentElement) {
        const c = rgb(getComputedStyle(x).backgroundColor);
        if (c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (e) => {
      const a = lum(rgb(getComputedStyle(e).color)), b = lum(bgOf(e));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    };
    const checks = [".outline .row.sup .name", ".outline .row.sup button.pid", ".outline .row.sup .budget-text", ".outline .row.child .id",
                    ".outline .row.child button.pid", ".outline .row.child button[data-action=kill]", ".outline .row.child button[data-action=restart]",
                    ".outline-head span", ".keys", ".badge.strategy"];
    return checks.map((sel) => [sel, ratio(document.querySelector(sel))]);
  });

  for (const scheme of ["light", "dark"]) {
    await pageTest(`web: the outline's text is readable in ${scheme} (contrast at least 4.5:1)`, demo, async (page) => {
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      const low = (await contrast(page)).filter(([, r]) => r < 4.5);
      assert(!low.length, `low contrast: ${JSON.stringify(low)}`);
    });
  }
} finally {
  await browser.close();
  await demo.stop();
  await big.stop();
}
done();
