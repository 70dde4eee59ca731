#!/usr/bin/env bash
# bench/http.sh: requests/s and p99 latency of GET /api/v1/processes/{pid}
# (one process's info, the whole REST path: lws, the API server, a request
# process and its worker, JSON) with wrk on loopback. Target >= 10,000 req/s.
#   OTPLAB (default build/otplab), BENCH_HTTP_SECONDS (5), BENCH_HTTP_CONNS (50)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OTPLAB=${OTPLAB:-build/otplab}
secs=${BENCH_HTTP_SECONDS:-5}
conns=${BENCH_HTTP_CONNS:-50}
command -v wrk >/dev/null || { echo "bench/http.sh: needs wrk (OTP_SETUP_BENCH=1 scripts/setup)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(mktemp)
"$OTPLAB" serve --port "$port" >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q "http://" "$out" && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$port/api/v1/processes/counter_a" >/dev/null
res=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/api/v1/processes/counter_a")
rps=$(echo "$res" | awk '/Requests\/sec/ {print $2}')
p99=$(echo "$res" | awk '$1 == "99%" {print $2}')
errors=$(echo "$res" | awk '/Non-2xx|Socket errors/' | tr '\n' ' ')
printf '%-44s %12s req/s   p99 %8s   target >= 10000 req/s %s\n' \
  "GET process info (wrk -t1 -c$conns, ${secs}s)" "$rps" "$p99" "$errors"
