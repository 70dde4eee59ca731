#!/usr/bin/env bash
# /api/v1/cluster/{health,topology,nodes/N/info,processes} (API.md sections
# 10, 11) on live data: a cluster of one without --sname (distributed:
# false); with --sname a real Erlang node connecting and leaving (skipped
# without erl). Node packages come from tests/api/package-lock.json.
set -euo pipefail
api=tests/api
[ -d "$api/node_modules/ws" ] || (cd "$api" && npm ci --no-audit --no-fund --silent)
node "$api/cluster.test.mjs" "$(realpath "$OTPLAB")"
