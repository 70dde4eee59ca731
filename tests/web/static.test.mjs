// The dashboard's files as the server answers them, from outside the
// process (no browser needed): pages, MIME types, the CSP header, 404s of
// both kinds, path traversal refused, and the page shown when the dashboard
// was not built.  Usage: node tests/web/static.test.mjs OTPLAB WEB_DIR
import { request } from "node:http";
import { mkdtemp, mkdir, writeFile, symlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServe, runner, assert } from "./serve.mjs";

const [otplab] = process.argv.slice(2);
if (!otplab) {
  console.error("usage: node tests/web/static.test.mjs OTPLAB");
  process.exit(2);
}

// A raw GET: the path goes out exactly as written (fetch would resolve "..").
function rawGet(port, path, method = "GET") {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.setTimeout(10000, () => req.destroy(new Error(`no answer to ${path} within 10 s`)));
    req.end();
  });
}

const root = await mkdtemp(join(tmpdir(), "otplab-web-"));
const outside = await mkdtemp(join(tmpdir(), "otplab-secret-"));
await mkdir(join(root, "assets"));
await writeFile(join(root, "index.html"), "<!doctype html><title>test dashboard</title>");
await writeFile(join(root, "assets", "app.mjs"), "export const x = 1;");
await writeFile(join(root, "assets", "app.js"), "console.log(1);");
await writeFile(join(root, "assets", "app.css"), "body{}");
await writeFile(join(root, "assets", "logo.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
await writeFile(join(root, "assets", "app.js.map"), "{}");
await writeFile(join(root, ".hidden"), "hidden");
await writeFile(join(outside, "secret.txt"), "SECRET-CONTENT");
await symlink(join(outside, "secret.txt"), join(root, "assets", "escape.txt"));

const { test, done } = runner();
const server = await startServe(otplab, ["--web-root", root]);
const port = server.port;
try {
  await test("static: / and every page route answer the app's index.html", async () => {
    for (const path of ["/", "/supervisors", "/processes", "/trace", "/system", "/sandboxes", "/operations",
                        "/lessons", "/cluster", "/processes/"]) {
      const r = await rawGet(port, path);
      assert(r.status === 200, `${path}: status ${r.status}`);
      assert(r.headers["content-type"].startsWith("text/html"), `${path}: type ${r.headers["content-type"]}`);
      assert(r.body.includes("test dashboard"), `${path}: not the index.html: ${r.body.slice(0, 80)}`);
    }
  });

  await test("static: MIME types of .mjs .js .css .svg .map, and the CSP header", async () => {
    const want = { "/assets/app.mjs": "text/javascript", "/assets/app.js": "text/javascript", "/assets/app.css": "text/css",
                   "/assets/logo.svg": "image/svg+xml", "/assets/app.js.map": "application/json" };
    for (const [path, type] of Object.entries(want)) {
      const r = await rawGet(port, path);
      assert(r.status === 200, `${path}: status ${r.status}`);
      assert(r.headers["content-type"].startsWith(type), `${path}: type ${r.headers["content-type"]}, want ${type}`);
      const csp = r.headers["content-security-policy"] || "";
      assert(csp.includes("default-src 'self'") && csp.includes("connect-src 'self' ws:"), `${path}: CSP '${csp}'`);
      assert(r.headers["x-content-type-options"] === "nosniff", `${path}: no nosniff`);
    }
    const head = await rawGet(port, "/assets/app.js", "HEAD");
    assert(head.status === 200 && head.body === "", `HEAD: ${head.status} '${head.body}'`);
  });

  await test("static: a missing asset is a plain 404, an unknown /api path a 404 in the envelope", async () => {
    const r = await rawGet(port, "/assets/nothing.js");
    assert(r.status === 404 && r.headers["content-type"].startsWith("text/plain"), `asset: ${r.status} ${r.headers["content-type"]}`);
    const a = await rawGet(port, "/api/v1/nothing");
    assert(a.status === 404, `api: status ${a.status}`);
    const env = JSON.parse(a.body);
    assert(env.success === false && env.error.code === "not_found", `api: ${a.body}`);
    const p = await rawGet(port, "/supervisors", "POST");
    assert(p.status === 405, `POST to a page: ${p.status}`);
  });

  await test("static: path traversal, hidden files and symlinks out of the root are refused", async () => {
    for (const path of ["/../../../../etc/passwd", "/assets/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                        "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd", "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                        "/..%5c..%5c..%5cetc%5cpasswd", "/.hidden", "/assets/escape.txt", "//etc/passwd",
                        `/${outside}/secret.txt`]) {
      const r = await rawGet(port, path);
      assert(r.status === 404 || r.status === 400, `${path}: status ${r.status}`);
      assert(!r.body.includes("root:") && !r.body.includes("SECRET-CONTENT") && !r.body.includes("hidden"),
             `${path}: leaked ${r.body.slice(0, 80)}`);
    }
  });
} finally {
  const code = await server.stop();
  await test("static: otplab serve stops cleanly", async () => {
    assert(code === 0, `exit status ${code}:\n${server.output().slice(-2000)}`);
  });
}

await test("static: without a built dashboard, / explains how to build it and the API still works", async () => {
  const s = await startServe(otplab, ["--web-root", join(root, "no-such-folder")]);
  try {
    assert(/dashboard is not built/.test(s.output()), `no notice at startup: ${s.output()}`);
    const r = await rawGet(s.port, "/");
    assert(r.status === 503 && r.headers["content-type"].startsWith("text/html"), `status ${r.status}`);
    assert(r.body.includes("make build") && r.body.includes("--web-root"), `page: ${r.body}`);
    const missing = await rawGet(s.port, "/assets/main.js");
    assert(missing.status === 404, `asset: ${missing.status}`);
    const api = await rawGet(s.port, "/api/v1/system/health");
    assert(api.status === 200, `api: ${api.status}`);
  } finally {
    await s.stop();
  }
});

await rm(root, { recursive: true, force: true });
await rm(outside, { recursive: true, force: true });
done();
