#!/usr/bin/env bash
# POST /api/v1/scenarios/run: scenarios run in a child otplab as `otplab
# test` runs them (passed/failed, report, duration), paths stay inside the
# scenarios folder, a scenario past its timeout is stopped (504), a fifth at
# once is refused (503). Node packages come from tests/api/package-lock.json.
set -euo pipefail
api=tests/api
[ -d "$api/node_modules/ws" ] || (cd "$api" && npm ci --no-audit --no-fund --silent)
node "$api/scenarios.test.mjs" "$(realpath "$OTPLAB")"
