#!/usr/bin/env bash
# bench/http.sh: the web server under load, with wrk on loopback.
#  1. requests/s and p99 latency of GET /api/v1/processes/counter_a (one
#     process's info through the whole REST path: lws, the API server, a
#     request process and its worker, JSON) on `otplab serve` with the demo
#     tree. Target >= 10,000 req/s.
#  2. the ring's pace on the server's own node while wrk runs against it,
#     over its pace with the server idle (bench/ring_beside_server.lua: a
#     1000-process ring, round after round; three idle phases and three
#     phases under wrk, alternating). Target >= 0.8. The server keeps to
#     its default share of the node (otplab serve --api-share) while the
#     ring wants to run; requests beyond it wait.
# Prints one line: http rps=<req/s> p99_ms=<ms> ring_idle=<msgs/s>
#   ring_loaded=<msgs/s> ring_ratio=<loaded/idle> ring_cpu_ratio=<the same
#   per second of the node's CPU time> rps_beside_ring=<req/s>
# On a machine busy with other work the wall-clock ratio is mostly noise;
# the CPU-time ratio shows the share of the node's thread the server takes.
# Environment: OTPLAB (build/otplab), BENCH_HTTP_SECONDS (5), BENCH_HTTP_CONNS (50).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OTPLAB=${OTPLAB:-build/otplab}
secs=${BENCH_HTTP_SECONDS:-5}
conns=${BENCH_HTTP_CONNS:-50}
command -v wrk >/dev/null || { echo "bench/http.sh: needs wrk (OTP_SETUP_BENCH=1 scripts/setup)" >&2; exit 1; }
work=$(mktemp -d)
pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap 'stop; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start OUT [FILE]: otplab serve on a free port; sets pid and url
start() {
  local port
  port=$(free_port)
  "$OTPLAB" serve --port "$port" ${2:+"$2"} >"$1" 2>"$work/err" &
  pid=$!
  for _ in $(seq 200); do grep -q "http://" "$1" && break; sleep 0.05; done
  grep -q "http://" "$1" || { echo "bench/http.sh: otplab serve did not start: $(head -c 300 "$work/err")" >&2; exit 1; }
  url="http://127.0.0.1:$port/api/v1/processes/counter_a"
  curl -sf "$url" >/dev/null
}
rounds() { grep -c '^ring_round' "$1" || true; }
# wait_rounds OUT N: until OUT has N ring rounds (at most 60 s)
wait_rounds() {
  for _ in $(seq 1200); do [ "$(rounds "$1")" -ge "$2" ] && return; sleep 0.05; done
  echo "bench/http.sh: the ring printed no rounds: $(head -c 300 "$work/err")" >&2; exit 1
}
wrk_run() { wrk -t1 -c"$conns" -d"${secs}s" --latency "$url"; }
rps_of() { awk '/Requests\/sec/ { print $2 }'; }
p99_ms_of() {   # wrk prints 99% as 1.23ms, 456.78us or 1.20s
  awk '$1 == "99%" { v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
       print (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }'
}

# 1. the server alone
start "$work/plain"
res=$(wrk_run)
rps=$(rps_of <<<"$res")
p99=$(p99_ms_of <<<"$res")
stop

# 2. the ring beside the server, alternating: idle rounds, then rounds under
# wrk, three times over, so that the machine's slow and fast phases hit
# both; the first round of each phase began in the other one and is left out
start "$work/ring" bench/ring_beside_server.lua
wait_rounds "$work/ring" 2                 # the first one warms up
idle_rounds=() loaded_rounds=() rps_ring=()
for burst in 1 2 3; do
  from=$(rounds "$work/ring")
  wait_rounds "$work/ring" $((from + 4))
  idle_rounds+=("$from" "$(rounds "$work/ring")")
  before=$(rounds "$work/ring")
  res=$(wrk -t1 -c"$conns" -d"$(( (secs + 1) / 2 + 1 ))s" "$url")
  rps_ring+=("$(rps_of <<<"$res")")
  loaded_rounds+=("$before" "$(rounds "$work/ring")")
done
stop
# paces KEY ROUNDS...: KEY of the rounds in the given FROM TO pairs (the
# first of each pair left out)
paces() {
  local key=$1
  shift
  while [ $# -ge 2 ]; do
    [ "$2" -gt $(($1 + 1)) ] && grep '^ring_round' "$work/ring" | sed -n "$(($1 + 2)),$2p" |
      tr ' ' '\n' | sed -n "s/^$key=//p"
    shift 2
  done
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
idle=$(paces msgs_per_s "${idle_rounds[@]}" | median)
loaded=$(paces msgs_per_s "${loaded_rounds[@]}" | median)
idle_cpu=$(paces msgs_per_cpu_s "${idle_rounds[@]}" | median)
loaded_cpu=$(paces msgs_per_cpu_s "${loaded_rounds[@]}" | median)
rps_ring=$(printf '%s\n' "${rps_ring[@]}" | median)
awk -v rps="$rps" -v p99="$p99" -v idle="$idle" -v l="$loaded" -v r2="$rps_ring" -v ic="$idle_cpu" -v lc="$loaded_cpu" '
function ratio(a, b) { return (a ~ /^[0-9.e+-]+$/ && b ~ /^[0-9.e+-]+$/ && b > 0) ? sprintf("%.3f", a / b) : "n/a" }
BEGIN {
  printf "http rps=%s p99_ms=%s ring_idle=%s ring_loaded=%s ring_ratio=%s ring_cpu_ratio=%s rps_beside_ring=%s\n",
    rps, p99, idle, l, ratio(l, idle), ratio(lc, ic), r2
}'
