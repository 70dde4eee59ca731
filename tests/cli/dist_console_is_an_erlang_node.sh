#!/usr/bin/env bash
# Proves (API.md sections 8, 11): `otplab console --sname NAME --cookie C` is
# an Erlang node: net_adm:ping from a real erl answers pong, an Erlang
# process's {self(), ping} to a process registered in the console gets pong,
# the shell sees the Erlang node in otp.nodes(), and when the console
# leaves (end of input) erl gets nodedown. Random names and cookie, a
# private epmd port; erl killed on exit.
set -u
. "$(dirname "$0")/lib/dist.bash"
otp_node=otp$suffix@$(hostname -s)

cat >"$tmp/start.lua" <<'LUA'
otp.spawn(function()
  otp.register("console_side", otp.self())
  print("ready " .. otp.node())
  local m = otp.receive(function(msg) return msg[2] == "ping" end)
  otp.send(m[1], "pong")
  print("answered " .. tostring(m[1]))
end)
LUA
mkfifo "$tmp/in" "$tmp/out"
timeout 60 "$OTPLAB" console --sname "otp$suffix" --cookie "c$suffix" "$tmp/start.lua" \
  <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
otp_pid=$!
exec 4>"$tmp/in" 3<"$tmp/out"
read -r -t 20 -u 3 ready name || { fail "the console did not start: $(cat "$tmp/err")"; exit 1; }
[ "$name" = "$otp_node" ] || fail "otp.node() is '$name', expected $otp_node"
(cd "$tmp" && exec erl -sname "erl$suffix" -setcookie "c$suffix" -noshell -eval "
  pong = net_adm:ping('$otp_node'),
  {console_side, '$otp_node'} ! {self(), ping},
  receive pong -> io:format(\"erl got pong~n\"),
    monitor_node('$otp_node', true),            % stays until the console goes
    receive {nodedown, _} -> halt(0) after 20000 -> halt(2) end
  after 20000 -> io:format(\"erl got nothing~n\"), halt(1) end.") >"$tmp/erl_out" 2>&1 3<&- 4>&- &
# (erl must not inherit the console's stdin: closing fd 4 below is its end of input)
erl_pid=$!
read -r -t 20 -u 3 answered || answered=
case "$answered" in "answered <1."*) ;; *) fail "the console's process did not answer: '$answered' $(cat "$tmp/err" "$tmp/erl_out")" ;; esac
echo 'print("peers " .. table.concat(otp.nodes(), ","))' >&4
read -r -t 20 -u 3 peers || peers=
[ "$peers" = "peers erl$suffix@$(hostname -s)" ] || fail "the shell's otp.nodes(): '$peers'"
exec 4>&-                                   # end of input: the console leaves
wait "$otp_pid"
rc=$?
otp_pid=
[ "$rc" -eq 0 ] || fail "the console exited $rc: $(cat "$tmp/err")"
wait "$erl_pid"                             # erl leaves when it sees the console go
erl_rc=$?
erl_pid=
[ "$erl_rc" -eq 0 ] || fail "erl exited $erl_rc (2: no nodedown when the console left): $(cat "$tmp/erl_out")"
grep -q "erl got pong" "$tmp/erl_out" || fail "erl: $(cat "$tmp/erl_out")"
finish
echo "ok: the console is an Erlang node"
