#!/usr/bin/env bash
# otplab serve's limits from outside: headers over 8 KiB and bodies over
# 1 MiB answer 413 (headers past lws's 32 KiB room close the connection),
# and beside a busy process the server keeps to --api-share: requests wait
# and are answered, 503 with Retry-After past 512 waiting.
set -euo pipefail
api=tests/api
[ -d "$api/node_modules/ws" ] || (cd "$api" && npm ci --no-audit --no-fund --silent)
node "$api/limits.test.mjs" "$(realpath "$OTPLAB")"
