// A bounded request fuzzer for otplab serve, three kinds of input:
//  - requests to the live operations (GET /api/v1/operations) with random
//    methods, path segments, query strings, headers and JSON bodies (broken,
//    deep, huge numbers, odd unicode, random documents), several at a time;
//    every answer must be JSON in the envelope with a status other than 500,
//    within a bounded time;
//  - raw bytes on a socket: malformed request lines, bad Content-Length,
//    broken chunking, oversized and too many headers, truncated bodies,
//    pipelining, junk WebSocket upgrades, half-sent requests;
//  - WebSocket clients with random queries that send junk frames and vanish.
// The server must never crash, stall or stop answering (checked every 100
// requests), and must exit 0 on SIGTERM at the end.
// Usage: node fuzz.mjs OTPLAB [N=2000] [SEED=1] [SECONDS]   (stops at N requests or SECONDS)
import { spawn } from "node:child_process";
import net from "node:net";
import WebSocket from "ws";

const [otplab, nArg = "2000", seedArg = "1", secondsArg] = process.argv.slice(2);
const n = Number(nArg);
const stopAt = secondsArg ? performance.now() + Number(secondsArg) * 1000 : Infinity;
let seed = Number(seedArg) >>> 0 || 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (k) => Math.floor(rand() * k);
const port = await new Promise((r) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
const child = spawn(otplab, ["serve", "--port", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
let died = false;
child.on("exit", () => { died = true; });
await new Promise((r) => child.stdout.on("data", (d) => d.toString().includes("http://") && r()));
const base = `http://127.0.0.1:${port}`;
const ops = (await (await fetch(base + "/api/v1/operations")).json()).data;
let bad = 0, sent = 0, raw = 0, sockets = 0;
const report = (what) => { bad++; console.log(what); };

const junk = ["", "0.1.0", "counter_a", "demo_sup", "pool", "%00", "..", "<0.2.0>", "x".repeat(300), "é", "0.99999999999999.0",
  "-1", "{pid}", "nonode@nohost", "a@b", "%2e%2e", "printer", "worker", "lab", "greeter", "sink"];
const queries = ["limit=-5", "offset=x", "sort=memory", "q=%25", "window=0", "window=99999", "reason=normal", "reason=kill",
  "a=b&a=c", "n=1000000", "limit=1000", "q=" + "%ff".repeat(50), "kinds=send", "=", "&&&", "offset=9999999999999999999"];
const bodies = ["", "{", "[]", "null", "1", '{"type":"call","message":"next"}', '{"type":"send","message":[1,{"a":[]}]}',
  '{"child":"counter_a","kind":"crash"}', '{"strategy":"one_for_all"}', '{"kinds":["send"]}', '{"name":"s","max_processes":5}',
  '{"source":"return {"}', "\u0000\u0001", '{"a":' + "[".repeat(2000) + "]".repeat(2000) + "}", '"\\ud800"',
  '{"type":"call","message":"next","timeout":1e308}', '{"file":"../../etc/passwd"}', '{"name":"../x"}', '{"timeout":-1}',
  '{"id":"c","module":"os"}', '{"type":"cast","message":' + "1".repeat(400) + "}", '{"a":1,"a":2}', "\ufeff{}"];

function randomJson(depth = 0) {
  const k = int(depth > 4 ? 5 : 8);
  if (k === 0) return pick([0, -1, 1.5, 2 ** 63, -(2 ** 53) - 1, 1e-320, Number.MAX_VALUE]);
  if (k === 1) return pick(["", "next", "kill", "crash", "\u0000", "\uffff", "é".repeat(int(100)), "x".repeat(int(5000))]);
  if (k === 2) return pick([true, false, null]);
  if (k === 3) return pick(junk);
  if (k === 4 || k === 5) { const a = []; for (let i = int(6); i > 0; i--) a.push(randomJson(depth + 1)); return a; }
  const o = {};
  const keys = ["type", "message", "timeout", "child", "kind", "strategy", "intensity", "period", "id", "module", "args",
    "name", "file", "source", "sandbox", "kinds", "max_memory", "demo", "restart", "shutdown", "x"];
  for (let i = int(6); i > 0; i--) o[pick(keys)] = randomJson(depth + 1);
  return o;
}

async function one() {
  const op = pick(ops);
  let path = op.path.replace(/\{[a-z]+\}/g, () => encodeURIComponent(pick(junk)));
  if (rand() < 0.3) path += "?" + pick(queries);
  if (rand() < 0.05) path = "/api/v1/" + pick(junk) + (rand() < 0.5 ? "/" + pick(junk) : "");
  const method = rand() < 0.8 ? op.method : pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]);
  const body = ["GET", "DELETE", "HEAD", "OPTIONS"].includes(method) ? undefined : rand() < 0.5 ? pick(bodies) : JSON.stringify(randomJson());
  const headers = rand() < 0.1 ? { "x-long": "y".repeat(int(9000)) } : rand() < 0.05 ? { "content-type": "text/plain" } : {};
  // scenario runs may take their whole timeout: the bound is theirs plus a margin
  const bound = op.name === "run_scenario" ? 320000 : 15000;
  const t0 = performance.now();
  try {
    const r = await fetch(base + path, { method, body, headers, signal: AbortSignal.timeout(bound) });
    const text = await r.text();
    if (method === "HEAD") return;
    let ok = r.status !== 500;
    try {
      const j = JSON.parse(text);
      ok = ok && (typeof j.success === "boolean" || (path.startsWith("/api/v1/openapi.json") && j.openapi === "3.1.0"));
    } catch { ok = r.status === 431 || r.status === 414; /* lws's own answers to oversized requests */ }
    if (!ok) report(`bad answer ${r.status} to ${method} ${path} ${(body ?? "").slice(0, 200)}: ${text.slice(0, 200)}`);
  } catch (e) {
    if (died) return;
    if (e.name === "TimeoutError") report(`no answer within ${Math.round(performance.now() - t0)} ms to ${method} ${path}`);
    // a connection the server closed on an oversized request is an answer too
  }
}

const rawCases = [
  () => "GET /api/v1/system/health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/processes HTTP/1.1\r\nHost: x\r\n\r\n",
  () => Buffer.from(Array.from({ length: int(300) }, () => int(256))),
  () => "POST /api/v1/processes/sink/message HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"type\"",
  () => `POST /api/v1/processes/sink/message HTTP/1.1\r\nHost: x\r\nContent-Length: ${pick(["-1", "abc", "99999999999999999999", "1 1", ""])}\r\n\r\n{}`,
  () => "POST /api/v1/processes/sink/message HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + pick(["zz\r\n", "5\r\n{\"a\":\r\n0\r\n\r\n", "ffffffffffffffff\r\nxx", "2\r\n{}\r\n0\r\n\r\n"]),
  () => "GET /api/v1/processes HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(9000 + int(20000)) + "\r\n\r\n",
  () => "GET /api/v1/processes HTTP/1.1\r\nHost: x\r\n" + Array.from({ length: 300 }, (_, i) => `X-H${i}: v`).join("\r\n") + "\r\n\r\n",
  () => "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + pick(["junk", "", "dGhlIHNhbXBsZSBub25jZQ=="]) + "\r\nSec-WebSocket-Version: " + pick(["13", "8", "x"]) + "\r\n\r\n" + "\x81\xff" + "z".repeat(int(100)),
  () => "GET /api/v1/processes\r\n\r\n",
  () => "GET http://evil/api/v1/processes HTTP/1.1\r\nHost: x\r\n\r\n",
  () => `${pick(["FOO", "GET", "G\u0000T", ""])} ${pick(["/api/v1/processes/%zz", "/" + "a".repeat(7000), "//", "/api/v1/processes/%2e%2e/", "*", "/api/v1/processes?" + "q=1&".repeat(500)])} HTTP/${pick(["1.1", "1.0", "2.0", "9"])}\r\nHost: x\r\n\r\n`,
  () => "GET /api/v1/system/hea",
  () => "POST /api/v1/processes/sink/message HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{}{}{}{}{}{}GET / HTTP/1.1\r\n\r\n",
];

function rawOne() {
  raw++;
  const data = pick(rawCases)();
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const done = () => { s.destroy(); resolve(); };
    s.setTimeout(2000, done);           // an incomplete request may get no answer: the socket is let go
    s.on("error", done);
    s.on("close", done);
    s.on("data", () => { if (rand() < 0.5) done(); });
    s.on("connect", () => { s.write(data); if (rand() < 0.3) s.end(); });
  });
}

function wsOne() {
  sockets++;
  const q = "?" + pick(["kinds=send", "kinds=nonsense", "pids=" + pick(junk), "kinds=", "pids=%00", "kinds=" + "exit,".repeat(200), ""]);
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events${q}`, pick([{}, { origin: "http://elsewhere" }, { origin: `http://127.0.0.1:${port}` }]));
    const end = setTimeout(() => { ws.terminate(); resolve(); }, 300 + int(700));
    ws.on("open", () => {
      for (let i = int(5); i > 0; i--) ws.send(rand() < 0.5 ? Buffer.alloc(int(70000), int(256)) : JSON.stringify(randomJson()));
      if (rand() < 0.5) ws._socket.pause();
    });
    ws.on("error", () => {});
    ws.on("close", () => { clearTimeout(end); resolve(); });
  });
}

async function healthy() {
  try {
    const r = await fetch(base + "/api/v1/system/health", { signal: AbortSignal.timeout(10000) });
    return r.status === 200;
  } catch { return false; }
}

// four clients at once, each taking the next input as soon as its last is done
let stalled = false;
async function client() {
  while (sent < n && performance.now() < stopAt && !died && !stalled) {
    sent++;
    const r = rand();
    await (r < 0.85 ? one() : r < 0.95 ? rawOne() : wsOne());
    if (sent % 100 === 0 && !(await healthy())) { stalled = true; report(`the server stopped answering after ${sent} requests`); }
  }
}
await Promise.all([client(), client(), client(), client()]);
const alive = !died && (await healthy());
if (!alive && !died) report("the server does not answer at the end");
if (died) report("the server died");
child.kill("SIGTERM");
const code = died ? child.exitCode : await new Promise((r) => child.on("exit", r));
console.log(`${sent} requests (${raw} raw, ${sockets} WebSocket), ${bad} bad answers, server ${alive ? "alive" : "DEAD"}, exit ${code}`);
process.exit(bad || !alive || code !== 0 ? 1 : 0);
