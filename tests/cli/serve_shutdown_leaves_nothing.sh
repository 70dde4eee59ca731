#!/usr/bin/env bash
# SIGTERM and SIGINT while WebSocket streams are open, a call is stuck in a
# handler, requests wait for the server's share and a scenario runs in a
# child otplab: every connection closes, no child process is left, the port
# is free again, exit 0.
set -euo pipefail
api=tests/api
[ -d "$api/node_modules/ws" ] || (cd "$api" && npm ci --no-audit --no-fund --silent)
node "$api/shutdown.test.mjs" "$(realpath "$OTPLAB")"
