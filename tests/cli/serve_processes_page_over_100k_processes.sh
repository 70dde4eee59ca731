#!/usr/bin/env bash
# GET /api/v1/processes sorted and paged over 100,000 processes, from
# outside (tests/api/many_processes.test.mjs): a sort used to be one
# table.sort with a Lua comparator, too long to preempt, and the request
# died at the stuck-call limit with a 500.
set -euo pipefail
api=tests/api
[ -d "$api/node_modules/ws" ] || (cd "$api" && npm ci --no-audit --no-fund --silent)
node "$api/many_processes.test.mjs" "$(realpath "$OTPLAB")"
