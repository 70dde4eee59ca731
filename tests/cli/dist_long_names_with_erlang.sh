#!/usr/bin/env bash
# Proves: `otplab run --name NAME@127.0.0.1` is a long-named Erlang node that
# a real `erl -name` node reaches: otp.node() is the whole name, an Erlang
# process's {self(), ping} to the registered Lua process gets pong; and
# --sname with --name together is refused with a clear message.
# Random names and cookie, a private epmd port; erl killed on exit.
set -u
. "$(dirname "$0")/lib/dist.bash"
otp_node=otp$suffix@127.0.0.1

"$OTPLAB" run --sname a --name b@127.0.0.1 /dev/null 2>"$tmp/both" && fail "--sname with --name was accepted"
grep -q "one of --sname and --name" "$tmp/both" || fail "--sname with --name: unclear message: $(cat "$tmp/both")"

cat >"$tmp/lua_side.lua" <<'LUA'
otp.register("lua_side", otp.self())
print("ready " .. otp.node())
io.stdout:flush()
local m = otp.receive(function(msg) return msg[2] == "ping" end, 30000)
otp.send(m[1], "pong")
print("answered " .. tostring(m[1]))
LUA
mkfifo "$tmp/out"
timeout 60 "$OTPLAB" run --name "$otp_node" --cookie "c$suffix" "$tmp/lua_side.lua" >"$tmp/out" 2>"$tmp/err" &
otp_pid=$!
exec 3<"$tmp/out"
read -r -t 20 -u 3 ready name || { fail "otplab did not start: $(cat "$tmp/err")"; exit 1; }
[ "$name" = "$otp_node" ] || fail "otp.node() is '$name', expected $otp_node"
(cd "$tmp" && exec erl -name "erl$suffix@127.0.0.1" -setcookie "c$suffix" -noshell -eval "
  {lua_side, '$otp_node'} ! {self(), ping},
  receive pong -> io:format(\"erl got pong~n\"), halt(0)
  after 20000 -> io:format(\"erl got nothing~n\"), halt(1) end.") >"$tmp/erl_out" 2>&1 &
erl_pid=$!
wait "$erl_pid"
erl_rc=$?
erl_pid=
read -r -t 20 -u 3 answered || answered=
[ "$erl_rc" -eq 0 ] || fail "erl exited $erl_rc: $(cat "$tmp/erl_out")"
case "$answered" in "answered <1."*) ;; *) fail "Lua did not answer: '$answered' $(cat "$tmp/err")" ;; esac
finish
cat "$tmp/erl_out"
