// The Cluster page in a real browser against `otplab serve --sname`, with a
// second otplab node started by the test: both nodes drawn and listed with
// their own figures, the processes of the peer listed when the page filters
// by it, and when the peer is killed the page shows it down without a
// reload (the event stream's nodes frame). A private epmd port and random
// names, so nothing collides; the peer is killed and epmd stopped at the end.
// Waits are on DOM content with bounded timeouts, never sleeps.
// Usage: node tests/web/cluster.test.mjs OTPLAB
import { spawn, execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, hostname } from "node:os";
import { join } from "node:path";
import { startServe, runner, assert, freeEpmdPort } from "./serve.mjs";
import { chromiumMissing, launch, openPage } from "./browser.mjs";

const [otplab] = process.argv.slice(2);
const missing = chromiumMissing();
let epmd = true;
try { execFileSync("epmd", ["-help"], { stdio: "ignore" }); } catch (err) { epmd = err.status !== undefined; }
if (missing || !epmd) {
  console.log(`skip  tests/web/cluster.test.mjs: ${missing || "no epmd (install erlang-base)"}`);
  console.log("0 passed, 0 failed");
  process.exit(0);
}

const { test, done } = runner();
process.env.ERL_EPMD_PORT = String(await freeEpmdPort());
const suffix = String(Math.floor(Math.random() * 1e9));
const cookie = "c" + suffix;
const dir = mkdtempSync(join(tmpdir(), "otplab-cluster-"));
const peerFile = join(dir, "peer.lua");
writeFileSync(peerFile, `
otp.register("b_side", otp.spawn(function() otp.receive() end))
assert(otp.connect((...)), "the peer could not connect")
print("connected")
io.stdout:flush()
otp.receive(nil, 120000)      -- a bound of its own: the test kills it long before
`);
const server = await startServe(otplab, ["--sname", "a" + suffix, "--cookie", cookie]);
const me = (await (await fetch(server.url + "/api/v1/cluster/health")).json()).data.node;
const peerName = `b${suffix}@${me.split("@")[1]}`;
const peer = spawn(otplab, ["run", "--sname", "b" + suffix, "--cookie", cookie, peerFile, me], { stdio: ["ignore", "pipe", "pipe"] });
let peerOut = "";
peer.stdout.on("data", (d) => (peerOut += d));
peer.stderr.on("data", (d) => (peerOut += d));
const browser = await launch();

try {
  await test("web cluster: both nodes drawn and listed, this node marked, the peer's own figures", async () => {
    const page = await openPage(browser);
    try {
      await page.goto(server.url + "/cluster");
      await page.waitForFunction((p) => document.querySelector(`table.cluster tr[data-node="${p}"][data-state="up"]`)
        && document.querySelector(".cluster-graph")?.dataset.nodes === "2", { timeout: 20000 }, peerName);
      const self = await page.$eval(`table.cluster tr[data-node="${me}"]`, (tr) => tr.dataset.state);
      assert(self === "self", `this node is marked: ${self}`);
      await page.waitForFunction((p) => {
        const tds = document.querySelectorAll(`table.cluster tr[data-node="${p}"] td`);
        return tds.length && tds[1].textContent === "otplab" && Number(tds[3].textContent) >= 2;
      }, { timeout: 20000 }, peerName);
      assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
    } finally {
      await page.close();
    }
  });

  await test("web cluster: the processes list filtered by the peer shows the peer's processes only", async () => {
    const page = await openPage(browser);
    try {
      await page.goto(server.url + "/cluster");
      await page.waitForFunction((p) => [...document.querySelectorAll('select[name="node"] option')].some((o) => o.value === p),
        { timeout: 20000 }, peerName);
      await page.select('select[name="node"]', peerName);
      await page.waitForFunction((p) => {
        const rows = [...document.querySelectorAll(".cluster-procs tbody tr[data-node]")];
        return rows.length >= 2 && rows.every((r) => r.dataset.node === p) && rows.some((r) => r.textContent.includes("b_side"));
      }, { timeout: 20000 }, peerName);
      assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
    } finally {
      await page.close();
    }
  });

  await test("web cluster: the peer killed is shown down, live (no reload)", async () => {
    const page = await openPage(browser);
    try {
      await page.goto(server.url + "/cluster");
      await page.waitForFunction((p) => document.querySelector(`table.cluster tr[data-node="${p}"][data-state="up"]`)
        && document.getElementById("live")?.dataset.state === "live", { timeout: 20000 }, peerName);
      peer.kill("SIGKILL");
      await page.waitForFunction((p) => document.querySelector(`table.cluster tr[data-node="${p}"][data-state="down"]`)
        && document.querySelector(".cluster-graph").dataset.down === p, { timeout: 30000 }, peerName);
      assert(page.problems.length === 0, `problems:\n${page.problems.join("\n")}`);
    } finally {
      await page.close();
    }
  });
} finally {
  peer.kill("SIGKILL");
  await browser.close();
  await server.stop();
  try { execFileSync("epmd", ["-kill"], { stdio: "ignore" }); } catch { /* gone already */ }
  rmSync(dir, { recursive: true, force: true });
  if (!peerOut.includes("connected")) console.log(`note  the peer said: ${peerOut}`);
  done();
}
