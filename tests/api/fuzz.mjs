// A bounded request fuzzer for otplab serve: random methods, paths built
// from the live operations (with random segments), random query strings,
// random and broken JSON bodies, odd headers. Every answer must be JSON in
// the envelope with a status other than 500, and the server must stay up.
// Usage: node fuzz.mjs OTPLAB [N=2000] [SEED=1]
import { spawn } from "node:child_process";
import net from "node:net";

const [otplab, n = "2000", seedArg = "1"] = process.argv.slice(2);
let seed = Number(seedArg) >>> 0 || 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const pick = (a) => a[Math.floor(rand() * a.length)];
const port = await new Promise((r) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
const child = spawn(otplab, ["serve", "--port", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((r) => child.stdout.on("data", (d) => d.toString().includes("http://") && r()));
const base = `http://127.0.0.1:${port}`;
const ops = (await (await fetch(base + "/api/v1/operations")).json()).data;
const junk = ["", "0.1.0", "counter_a", "demo_sup", "%00", "..", "<0.2.0>", "x".repeat(300), "é", "0.99999999999999.0", "-1", "{pid}"];
const bodies = ["", "{", "[]", "null", "1", '{"type":"call","message":"next"}', '{"type":"send","message":[1,{"a":[]}]}',
  '{"child":"counter_a","kind":"crash"}', '{"strategy":"one_for_all"}', '{"kinds":["send"]}', '{"name":"s","max_processes":5}',
  '{"source":"return {"}', "\u0000\u0001", '{"a":' + "[".repeat(2000) + "]".repeat(2000) + "}", '"\\ud800"'];
let bad = 0;
for (let i = 0; i < Number(n); i++) {
  const op = pick(ops);
  const path = op.path.replace(/\{[a-z]+\}/g, () => encodeURIComponent(pick(junk))) + (rand() < 0.3 ? "?" + pick(["limit=-5", "offset=x", "sort=memory", "q=%25", "window=0", "reason=normal", "a=b&a=c"]) : "");
  const method = rand() < 0.8 ? op.method : pick(["GET", "POST", "PUT", "DELETE", "PATCH"]);
  const body = ["GET", "DELETE"].includes(method) ? undefined : pick(bodies);
  try {
    const r = await fetch(base + path, { method, body, headers: rand() < 0.1 ? { "x-long": "y".repeat(6000) } : {} });
    const text = await r.text();
    let ok = r.status !== 500;
    try { const j = JSON.parse(text); ok = ok && (typeof j.success === "boolean" || (path.startsWith("/api/v1/openapi.json") && j.openapi === "3.1.0")); }
    catch { ok = false; }
    if (!ok) { bad++; console.log(`bad answer ${r.status} to ${method} ${path} ${body ?? ""}: ${text.slice(0, 200)}`); }
  } catch (e) {
    if (child.exitCode !== null) { console.log("the server died"); bad++; break; }
  }
}
const alive = (await fetch(base + "/api/v1/system/health")).status === 200;
child.kill("SIGTERM");
const code = await new Promise((r) => child.on("exit", r));
console.log(`${n} requests, ${bad} bad answers, server ${alive ? "alive" : "DEAD"}, exit ${code}`);
process.exit(bad || !alive || code !== 0 ? 1 : 0);
