#!/usr/bin/env bash
# POST /api/v1/lessons/{n}/run and its companions (API.md section 10) from
# outside: a lesson runs on the node, pauses answered, bad input refused,
# stop cleans up. Node packages come from tests/api/package-lock.json.
set -euo pipefail
api=tests/api
[ -d "$api/node_modules/ws" ] || (cd "$api" && npm ci --no-audit --no-fund --silent)
node "$api/lessons.test.mjs" "$(realpath "$OTPLAB")"
