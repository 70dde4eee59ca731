// Starts `otplab serve` on a free loopback port for a test and stops it:
// the URL comes from its first line of output (bounded wait).
import { spawn } from "node:child_process";
import { createServer } from "node:net";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A private epmd port below the kernel's ephemeral range (32768 up), where
// no outgoing connection can be holding it, and one that binds now (as
// tests/cli/lib/dist.bash chooses it).
export async function freeEpmdPort() {
  let port = 20000;
  for (let i = 0; i < 10; i++) {
    port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "0.0.0.0", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return port;
}

export async function startServe(otplab, extraArgs = [], { timeoutMs = 20000 } = {}) {
  const port = await freePort();
  const child = spawn(otplab, ["serve", "--port", String(port), ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr.on("data", (d) => (err += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`otplab serve printed no URL within ${timeoutMs} ms:\n${out}${err}`)), timeoutMs);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/otplab serve: (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ""));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`otplab serve exited (${code}) before printing its URL:\n${out}${err}`));
    });
  });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
  return { url, port, child, stop, output: () => out + err };
}

// A tiny runner: named tests, one line each, "N passed, N failed" at the end.
export function runner() {
  const results = { passed: 0, failed: 0 };
  const test = async (name, fn) => {
    const start = Date.now();
    try {
      await fn();
      results.passed++;
      console.log(`ok    ${name} (${Date.now() - start} ms)`);
    } catch (e) {
      results.failed++;
      console.log(`FAIL  ${name}\n    ${String(e.stack || e).split("\n").join("\n    ")}`);
    }
  };
  const done = () => {
    console.log(`${results.passed} passed, ${results.failed} failed`);
    process.exitCode = results.failed ? 1 : 0;
  };
  return { test, done };
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}
