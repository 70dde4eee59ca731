// The Lessons page runs a lesson on the node and shows it live, in a real
// browser against `otplab serve`: lesson 8's narration appears, its tree is
// drawn beside it (the lesson's supervisor and its three workers, never the
// demo's), Continue goes on from each pause, Check at the exercise says it
// does not hold yet, and the lesson finishes; then Stop kills what a second
// run started. Waits are on DOM content with bounded timeouts, never sleeps.
// Usage: node tests/web/lessons.test.mjs OTPLAB
import { startServe, runner, assert } from "./serve.mjs";
import { chromiumMissing, launch, openPage } from "./browser.mjs";

const [otplab] = process.argv.slice(2);
const missing = chromiumMissing();
if (missing) {
  console.log(`skip  tests/web/lessons.test.mjs: ${missing}`);
  console.log("0 passed, 0 failed");
  process.exit(0);
}

const { test, done } = runner();
const server = await startServe(otplab);
const browser = await launch();
const api = async (path, init) => (await (await fetch(server.url + path, init)).json());
const text = (page) => page.$eval(".narration", (n) => n.innerText);
// What the page showed, for a failure's message.
const seen = async (page) => page.evaluate(() => JSON.stringify({ state: document.querySelector("main").dataset.runState,
  sups: document.querySelector(".lesson-tree")?.dataset.sups, status: document.querySelector(".status")?.textContent,
  text: document.querySelector(".narration")?.innerText.slice(-400) })).catch((e) => String(e));
const waitOn = (page, what, fn, ...args) => page.waitForFunction(fn, { timeout: 20000 }, ...args)
  .catch(async (err) => { throw new Error(`${what}: ${err.message}; the page: ${await seen(page)}`); });
// Waits for a pause other than the one numbered `after` (its seq), returns its seq.
const nextPause = async (page, after = "") => {
  await page.waitForFunction((a) => {
    const box = document.querySelector(".lesson-pause");
    return box && !box.hidden && box.dataset.seq && box.dataset.seq !== a;
  }, { timeout: 20000 }, after);
  return page.$eval(".lesson-pause", (b) => b.dataset.seq);
};
const clickContinue = async (page) => {
  const seq = await nextPause(page);
  await page.click('.lesson-pause button[data-action="continue"]');
  return seq;
};

try {
  await test("web lesson C6 C4: lesson 8 runs on the node, its text and its tree live, Continue through its pauses, to its end", async () => {
    const page = await openPage(browser);
    try {
      await page.goto(server.url + "/lessons");
      await page.waitForSelector('li[data-lesson="8"] button[data-action="run"]');
      await page.click('li[data-lesson="8"] button[data-action="run"]');
      await page.waitForFunction(() => document.querySelector(".narration")?.innerText.includes("Three workers, started in order a, b, c"),
        { timeout: 20000 });
      await page.waitForFunction(() => document.querySelector("main").dataset.runState === "paused", { timeout: 20000 });
      // the tree beside the text: the lesson's supervisor and its workers, drawn by the Supervisors renderer
      await page.waitForFunction(() => document.querySelectorAll('.lesson-tree-text li[data-child]').length === 3
        && Number(document.querySelector(".lesson-graph")?.dataset.nodes) === 4, { timeout: 20000 });
      const run = (await api("/api/v1/lessons/run")).data;
      assert(run.supervisors.length === 1, `one supervisor of the lesson: ${JSON.stringify(run.supervisors)}`);
      const shownSup = await page.$eval(".lesson-tree-text li[data-sup]", (li) => li.dataset.sup);
      assert(shownSup === run.supervisors[0], `the tree drawn is the lesson's ${run.supervisors[0]}, not ${shownSup}`);
      const ids = await page.$$eval(".lesson-tree-text li[data-child]", (lis) => lis.map((l) => l.dataset.child).join(","));
      assert(ids === "a,b,c", `children in start order: ${ids}`);
      const varsShown = await page.$eval(".lesson-pause", (p) => p.innerText);
      assert(varsShown.includes("sup") && varsShown.includes(run.supervisors[0]), `the pause shows the lesson's values: ${varsShown}`);

      // step 2: b crashes and the drawn tree follows (a new pid for b, C6)
      const bBefore = await page.$eval('.lesson-tree-text li[data-child="b"]', (l) => l.textContent);
      let seq = await clickContinue(page);
      await page.waitForFunction(() => document.querySelector(".narration").innerText.includes("only b is restarted"), { timeout: 20000 });
      await page.waitForFunction((old) => {
        const li = document.querySelector('.lesson-tree-text li[data-child="b"]');
        return li && li.textContent !== old && li.dataset.state === "running";
      }, { timeout: 20000 }, bBefore);
      seq = await nextPause(page, seq);

      // the exercise: Check says it does not hold yet; Continue runs the lesson's solution
      await page.click('.lesson-pause button[data-action="continue"]');
      seq = await nextPause(page, seq);
      assert((await text(page)).includes("Exercise: add a fourth worker"), "the exercise is said");
      await page.click('.lesson-pause button[data-action="check"]');
      await page.waitForFunction(() => document.querySelector(".narration").innerText.includes('not yet: sup has no child with id "logger"'),
        { timeout: 20000 });
      await page.click('.lesson-pause button[data-action="continue"]');
      await page.waitForFunction(() => document.querySelector(".narration").innerText.includes("(not solved: the lesson runs its own solution"),
        { timeout: 20000 });
      await page.waitForFunction(() => document.querySelector('.lesson-tree-text li[data-child="logger"]'), { timeout: 20000 });

      // the last step's pause, then the end
      await nextPause(page, seq);
      await page.click('.lesson-pause button[data-action="continue"]');
      await page.waitForFunction(() => document.querySelector("main").dataset.runState === "finished", { timeout: 20000 });
      const all = await text(page);
      assert(all.includes("the lesson finished: every claim it checked held"), `the end is said: ${all.slice(-300)}`);
      assert((await api("/api/v1/lessons/run")).data.state === "finished", "the node agrees");
      assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
    } finally {
      await page.close();
    }
  });

  await test("web lesson: Stop ends a paused lesson and kills what it started", async () => {
    const page = await openPage(browser);
    try {
      await page.goto(server.url + "/lessons");
      await page.waitForSelector('li[data-lesson="11"] button[data-action="run"]');
      await page.click('li[data-lesson="11"] button[data-action="run"]');
      await waitOn(page, "lesson 11 paused with its tree", () => document.querySelector("main").dataset.runState === "paused"
        && Number(document.querySelector(".lesson-tree")?.dataset.sups) >= 1);
      const run = (await api("/api/v1/lessons/run")).data;
      await page.click('button[data-action="stop-lesson"]');
      await page.waitForFunction(() => document.querySelector("main").dataset.runState === "stopped", { timeout: 20000 });
      for (const sup of run.supervisors) {
        const r = await fetch(`${server.url}/api/v1/processes/${sup.replace(/[<>]/g, "")}`);
        assert(r.status === 404, `the lesson's supervisor ${sup} is gone (HTTP ${r.status})`);
      }
      await page.waitForFunction(() => document.querySelector('.lesson-tree-text li[data-sup][data-alive="false"]'), { timeout: 20000 });
      assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
    } finally {
      await page.close();
    }
  });
} finally {
  await browser.close();
  await server.stop();
  done();
}
