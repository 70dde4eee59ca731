// Headless Chromium for the dashboard tests: Debian's /usr/bin/chromium
// driven by puppeteer-core from web/node_modules (STACK.md's flags). Every
// console message, page error and failed request is recorded so that a test
// can assert there were none.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { pathToFileURL, fileURLToPath } from "node:url";
import { join, dirname } from "node:path";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const webDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "web");

export function chromiumMissing() {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (scripts/setup installs the Debian package chromium)`;
}

export async function launch() {
  const require = createRequire(join(webDir, "package.json"));
  const puppeteer = (await import(pathToFileURL(require.resolve("puppeteer-core")).href)).default;
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

// A page whose problems are collected in page.problems.
export async function openPage(browser) {
  const page = await browser.newPage();
  page.problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warn") page.problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => page.problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) page.problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.setDefaultTimeout(15000);
  return page;
}
