#!/usr/bin/env bash
# The dashboard in headless Chromium (puppeteer-core from web/node_modules)
# against otplab serve with the demo tree: pages load clean, the demo tree
# and a kill turning into a new pid, processes paging and sorting, an
# operation's form, a live trace diagram. Skips (with the reason) only when
# /usr/bin/chromium is absent; scripts/setup installs it.
set -euo pipefail
web=$(dirname "$OTPLAB")/web
if [ ! -f "$web/index.html" ]; then
  echo "FAIL: the dashboard is not built in $web (the CMake build bundles web/ when node is installed)"
  exit 1
fi
if [ ! -d web/node_modules/puppeteer-core ]; then
  (cd web && npm ci --no-audit --no-fund --silent)
fi
node tests/web/dashboard.test.mjs "$OTPLAB"
