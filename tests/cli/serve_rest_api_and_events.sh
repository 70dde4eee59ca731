#!/usr/bin/env bash
# otplab serve from outside the process: every REST operation and its
# errors, the OpenAPI 3.1 document (validated, same routes as the registry),
# WebSocket events (a kill becoming a restart, drops for a slow client),
# the token, and a clean exit on SIGTERM/SIGINT. Node packages (ws, an
# OpenAPI validator) come from tests/api/package-lock.json via npm ci.
set -euo pipefail
api=tests/api
if [ ! -d "$api/node_modules/ws" ] || [ ! -d "$api/node_modules/@seriousme/openapi-schema-validator" ]; then
  (cd "$api" && npm ci --no-audit --no-fund --silent)
fi
node "$api/api.test.mjs" "$OTPLAB"
