// /api/v1/cluster from outside: a node started without --sname is a cluster
// of one and says so (distributed: false); with --sname, an Erlang node
// that connects appears in health, topology and node info, its processes
// are listed through rex, an otplab peer's through spawn; a peer that does
// not answer is said to be not listed, with why; a node goes when it goes.
// The distributed half is skipped without erl.
// Usage: node cluster.test.mjs OTPLAB   (prints "N passed, N failed")
import { spawn, execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeEpmdPort } from "../web/serve.mjs";
import { notes, otplab, startServer, req, test, assert, eq, isError, poll, wsOpen, waitFor, finish } from "./lib.mjs";

const alone = await startServer([]);

await test("cluster: without --sname the cluster is this node alone (distributed: false)", async () => {
  const h = await req(alone, "GET", "/api/v1/cluster/health");
  eq(h.status, 200, "health status");
  eq(h.json.data.distributed, false, "distributed"); eq(h.json.data.node, "nonode@nohost", "node");
  eq(h.json.data.connected, 0, "connected"); eq(h.json.data.nodes.length, 1, "one node");
  eq(h.json.data.status, "ok", "its health");
  const t = await req(alone, "GET", "/api/v1/cluster/topology");
  eq(JSON.stringify(t.json.data.nodes), JSON.stringify([{ node: "nonode@nohost", self: true }]), "topology nodes");
  eq(t.json.data.edges.length, 0, "no connections");
});

await test("cluster: node info is this node's live counts; other nodes are 404", async () => {
  const i = await req(alone, "GET", "/api/v1/cluster/nodes/nonode@nohost/info");
  eq(i.status, 200, "status");
  const procs = await req(alone, "GET", "/api/v1/processes?limit=1");
  assert(i.json.data.process_count > 10 && i.json.data.memory.total > 0 && i.json.data.self === true, "counts: " + i.text);
  assert(Math.abs(i.json.data.process_count - procs.json.total) <= 2, "process_count agrees with /processes");
  isError(await req(alone, "GET", "/api/v1/cluster/nodes/ghost@nowhere/info"), 404, "not_found");
});

await test("cluster: processes are /processes with their node, paged the same way", async () => {
  const c = await req(alone, "GET", "/api/v1/cluster/processes?limit=5&sort=memory");
  const p = await req(alone, "GET", "/api/v1/processes?limit=5&sort=memory");
  eq(c.json.data.length, 5, "page"); assert(Math.abs(c.json.total - p.json.total) <= 2, "total");
  assert(c.json.data.every((o) => o.node === "nonode@nohost" && o.pid.startsWith("<0.")), "every process has its node");
  eq(c.json.not_listed.length, 0, "nothing left out");
  isError(await req(alone, "GET", "/api/v1/cluster/processes?limit=0"), 400, "badarg");
});

await test("cluster: the four operations are in the registry and the OpenAPI document", async () => {
  const ops = (await req(alone, "GET", "/api/v1/operations")).json.data.map((o) => o.method + " " + o.path);
  const doc = (await req(alone, "GET", "/api/v1/openapi.json")).json;
  for (const p of ["/api/v1/cluster/health", "/api/v1/cluster/topology", "/api/v1/cluster/nodes/{node}/info", "/api/v1/cluster/processes"]) {
    assert(ops.includes("GET " + p), "operation " + p); assert(doc.paths[p] && doc.paths[p].get, "OpenAPI " + p);
  }
});
alone.child.kill("SIGTERM");
await alone.exited;

let erlOk = false;
try { execFileSync("erl", ["-version"], { stdio: "ignore" }); erlOk = true; } catch { /* no erl */ }
if (!erlOk) {
  notes.push("skipped the distributed half: no erl (install erlang-base)");
} else {
  const suffix = String(Math.floor(Math.random() * 1e9));
  // a failing erl writes its crash dump in the temporary folder, not in the tree
  const env = { ERL_EPMD_PORT: String(await freeEpmdPort()),
                ERL_CRASH_DUMP: join(tmpdir(), "otplab-cluster-test-erl_crash.dump") };
  const cookie = "c" + suffix;
  const named = await startServer(["--sname", "otp" + suffix, "--cookie", cookie], { env });
  const me = (await req(named, "GET", "/api/v1/cluster/health")).json.data.node;
  const erl = spawn("erl", ["-sname", "erl" + suffix, "-setcookie", cookie, "-noshell", "-eval",
    `pong = net_adm:ping('${me}'), receive stop -> halt() after 60000 -> halt(1) end.`],
    { stdio: "ignore", env: { ...process.env, ...env } });
  const erlNode = "erl" + suffix + "@" + me.split("@")[1];
  const processesOf = async (node) => (await req(named, "GET", `/api/v1/cluster/processes?node=${node}&limit=1000`)).json;

  await test("cluster: with --sname an Erlang node that connects is in health and topology (section 11)", async () => {
    eq(me.startsWith("otp" + suffix + "@"), true, "otp.node() is NAME@HOST");
    const t = await poll(() => req(named, "GET", "/api/v1/cluster/topology"), (r) => r.json.data.nodes.length === 2, 20000, "the Erlang node");
    eq(t.json.data.distributed, true, "distributed");
    eq(t.json.data.nodes[1].node, erlNode, "the peer"); eq(t.json.data.edges[0].to, erlNode, "the connection");
    const h = await req(named, "GET", "/api/v1/cluster/health");
    eq(h.json.data.connected, 1, "connected");
    const i = await req(named, "GET", `/api/v1/cluster/nodes/${erlNode}/info`);
    eq(i.status, 200, "peer info"); eq(i.json.data.connected, true, "connected"); eq(i.json.data.self, false, "not self");
  });

  await test("cluster: an Erlang peer's processes are listed through rex (erlang:processes/0, process_info/2)", async () => {
    const p = await processesOf(erlNode);
    eq(p.not_listed.length, 0, "listed: " + JSON.stringify(p.not_listed));
    assert(p.data.length > 10 && p.data.every((o) => o.node === erlNode), "the Erlang node's rows only");
    const rex = p.data.find((o) => o.name === "rex");
    assert(rex && rex.memory > 0 && rex.reductions > 0 && typeof rex.message_queue_len === "number", "rex's row: " + JSON.stringify(rex));
    assert(/^<\d+\.\d+\.\d+>$/.test(rex.pid) && !rex.pid.startsWith("<0."), "a remote pid: " + rex.pid);
    eq(p.per_node[erlNode], p.data.length, "per_node counts them");
    const sorted = (await req(named, "GET", "/api/v1/cluster/processes?sort=memory&limit=5")).json.data;
    assert(sorted.every((o, i) => i === 0 || sorted[i - 1].memory >= o.memory), "sorted by memory across nodes");
    const i = (await req(named, "GET", `/api/v1/cluster/nodes/${erlNode}/info`)).json.data;
    eq(i.kind, "erlang", "kind"); assert(i.process_count > 10 && i.memory.total > 1e6, "its own figures: " + JSON.stringify(i));
    isError(await req(named, "GET", "/api/v1/cluster/processes?node=ghost@nowhere"), 404, "not_found");
  });

  const peerSource = `otp.register("peer_side", otp.spawn(otp.receive)); assert(otp.connect((...))); print("up"); io.stdout:flush(); otp.receive(nil, 60000)`;
  const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
  const dir = mkdtempSync("/tmp/otplab-cluster-");
  writeFileSync(dir + "/peer.lua", peerSource);
  const peer = spawn(otplab, ["run", "--sname", "peer" + suffix, "--cookie", cookie, dir + "/peer.lua", me],
    { stdio: "ignore", env: { ...process.env, ...env } });
  const peerNode = "peer" + suffix + "@" + me.split("@")[1];

  await test("cluster: an otplab peer's processes are listed through a function spawned on it", async () => {
    await poll(() => req(named, "GET", "/api/v1/cluster/topology"), (r) => r.json.data.nodes.some((n) => n.node === peerNode), 20000, "the peer");
    const p = await processesOf(peerNode);
    eq(p.not_listed.length, 0, "listed: " + JSON.stringify(p.not_listed));
    const side = p.data.find((o) => o.name === "peer_side");
    assert(side && side.node === peerNode && side.status === "waiting" && side.memory > 0, "peer_side's row: " + JSON.stringify(side));
    const all = (await req(named, "GET", "/api/v1/cluster/processes?limit=1000")).json;
    eq(JSON.stringify(all.nodes.slice().sort()), JSON.stringify([me, erlNode, peerNode].sort()), "every node listed");
    eq(all.total, all.per_node[me] + all.per_node[erlNode] + all.per_node[peerNode], "the total is the sum of the nodes'");
    const i = (await req(named, "GET", `/api/v1/cluster/nodes/${peerNode}/info`)).json.data;
    eq(i.kind, "otplab", "kind"); assert(i.process_count >= 2, "its count: " + JSON.stringify(i));
  });

  await test("cluster: a peer that does not answer (stopped) stays in not_listed with the reason", async () => {
    peer.kill("SIGSTOP");
    try {
      const p = await processesOf(peerNode);
      eq(p.not_listed.length, 1, "one left out: " + JSON.stringify(p.not_listed));
      eq(p.not_listed[0].node, peerNode, "the stopped peer");
      assert(p.not_listed[0].reason.includes("did not answer within"), "why: " + p.not_listed[0].reason);
      eq(p.data.length, 0, "nothing invented for it");
      const t = (await req(named, "GET", "/api/v1/cluster/topology")).json.data;
      assert(t.unknown.some((u) => u.node === peerNode), "the topology says what it does not know");
    } finally {
      peer.kill("SIGCONT");
    }
  });
  peer.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });

  await test("cluster: a peer that goes leaves the topology, and the event stream says so in a nodes frame", async () => {
    const ws = await wsOpen(named, "?kinds=sup_shutdown");
    try {
      const first = await waitFor(ws, (f) => f.type === "nodes", 10000, "the first nodes frame");
      assert(first.nodes.includes(erlNode) && first.up.includes(erlNode), "it lists the Erlang node: " + JSON.stringify(first));
      erl.kill("SIGKILL");
      const gone = await waitFor(ws, (f) => f.type === "nodes" && f.down.includes(erlNode), 20000, "the nodedown frame");
      assert(!gone.nodes.includes(erlNode), "the node is no longer listed: " + JSON.stringify(gone));
    } finally {
      ws.ws.close();
    }
    await poll(() => req(named, "GET", "/api/v1/cluster/topology"), (r) => r.json.data.nodes.length === 1, 20000, "the peer gone");
    isError(await req(named, "GET", `/api/v1/cluster/nodes/${erlNode}/info`), 404, "not_found");
  });
  named.child.kill("SIGTERM");
  await test("cluster: a named server stops cleanly", async () => eq((await named.exited).code, 0, "exit code: " + named.output()));
  try { execFileSync("epmd", ["-kill"], { stdio: "ignore", env: { ...process.env, ...env } }); } catch { /* gone already */ }
}
finish();
