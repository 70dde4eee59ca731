#!/usr/bin/env bash
# The dashboard's files as otplab serve answers them (no browser needed):
# page routes, MIME types, CSP, 404s, path traversal refused, the page shown
# when the dashboard is not built. tests/web/static.test.mjs does the work.
set -euo pipefail
node tests/web/static.test.mjs "$OTPLAB"
