#!/usr/bin/env bash
# The Lessons page in headless Chromium: lesson 8 run from the page, its
# narration and its tree live, its pauses continued, to its end; Stop.
set -euo pipefail
web=$(dirname "$OTPLAB")/web
if [ ! -f "$web/index.html" ]; then
  echo "FAIL: the dashboard is not built in $web (the CMake build bundles web/ when node is installed)"
  exit 1
fi
[ -d web/node_modules/puppeteer-core ] || (cd web && npm ci --no-audit --no-fund --silent)
node tests/web/lessons.test.mjs "$OTPLAB"
