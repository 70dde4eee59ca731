#!/usr/bin/env bash
# The Cluster page in headless Chromium against otplab serve --sname with a
# second otplab node: both drawn, the peer's processes listed, the peer
# killed and shown down live.
set -euo pipefail
web=$(dirname "$OTPLAB")/web
if [ ! -f "$web/index.html" ]; then
  echo "FAIL: the dashboard is not built in $web (the CMake build bundles web/ when node is installed)"
  exit 1
fi
[ -d web/node_modules/puppeteer-core ] || (cd web && npm ci --no-audit --no-fund --silent)
node tests/web/cluster.test.mjs "$OTPLAB"
