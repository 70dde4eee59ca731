#!/usr/bin/env bash
# The dashboard's supervisors page in headless Chromium: a 200 x 10 forest
# (virtualised outline, search, a kill of a deep child), the keyboard alone,
# siblings' restart counts and the budget meter against the node, contrast
# in light and dark. Skips (with the reason) only when /usr/bin/chromium is
# absent; scripts/setup installs it.
set -euo pipefail
web=$(dirname "$OTPLAB")/web
if [ ! -f "$web/index.html" ]; then
  echo "FAIL: the dashboard is not built in $web (the CMake build bundles web/ when node is installed)"
  exit 1
fi
if [ ! -d web/node_modules/puppeteer-core ]; then
  (cd web && npm ci --no-audit --no-fund --silent)
fi
node tests/web/supervisors.test.mjs "$OTPLAB"
