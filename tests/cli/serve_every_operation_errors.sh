#!/usr/bin/env bash
# Every operation's error cases, driven by GET /api/v1/operations: 404 for a
# path naming nothing, 400 for a body that is not a JSON object (with the
# parse position) or lacks a field; and a bind beyond loopback requires its
# generated token (401 without). Node packages come from tests/api.
set -euo pipefail
api=tests/api
[ -d "$api/node_modules/ws" ] || (cd "$api" && npm ci --no-audit --no-fund --silent)
node "$api/errors.test.mjs" "$(realpath "$OTPLAB")"
