#!/usr/bin/env bash
# Proves, against a real `erl -sname` node on loopback, that links, monitors
# and exit signals cross nodes with local semantics (OTP_RULES A1-A11):
#  - otp.connect to a node that does not exist is false; to the Erlang node
#    true, and otp.nodes() lists it;
#  - A10: an otplab process monitors an Erlang process that exits -> DOWN
#    with its reason; monitoring it once dead -> DOWN noproc;
#  - A5: an Erlang process links to an otplab process that crashes -> it
#    gets {'EXIT', Pid, {error, ...}};
#  - A2/A3: otp.exit(remote, R) kills an Erlang process, whose link brings
#    {"EXIT", pid, R} to the trapping Lua process; after otp.unlink no EXIT;
#  - otp.rpc through rex: results, a list result, a list of bytes as a
#    charlist (and a charlist argument), an exception as badrpc,
#    and what the call prints appears on the Erlang node's output;
#  - the Erlang node is killed (kill -9): "noconnection" to a link (EXIT)
#    and a monitor (DOWN), then {"nodedown", node} to otp.monitor_node, in
#    that order, as erts sends them.
# Random node names and cookie, a private epmd port; erl (the beam process
# itself, so kill -9 is a node dying) killed on exit, and halts by itself
# after 90 s.
set -u
. "$(dirname "$0")/lib/dist.bash"

cookie=c$suffix
otp_name=otp$suffix
erl_name=erl$suffix

# The Erlang side: an agent that runs what the Lua side asks for.
erl_code='
Agent = fun Loop() ->
  receive
    {From, spawn_waiting, Reason} ->
      P = spawn(fun() -> receive go -> exit(Reason) end end),
      From ! {spawned, P}, Loop();
    {From, link_and_report, Target} ->
      spawn(fun() ->
        process_flag(trap_exit, true), link(Target), From ! {linked, self()},
        receive {'"'"'EXIT'"'"', Target, R} -> From ! {erl_saw_exit, Target, R}
        after 20000 -> From ! {erl_saw_exit, Target, timeout} end end),
      Loop();
    {From, print, Text} -> io:format("~s~n", [Text]), From ! printed, Loop()
  end end,
spawn(fun() -> receive after 90000 -> halt(1) end end),   % a bound of its own
register(agent, self()),
io:format("agent ready ~s~n", [node()]),
Agent().'
mkfifo "$tmp/erl_fifo" "$tmp/otp_fifo"
(cd "$tmp" && exec erl -sname "$erl_name" -setcookie "$cookie" -noshell -eval "$erl_code") >"$tmp/erl_fifo" 2>&1 &
erl_pid=$!
exec 4<"$tmp/erl_fifo"
erl_node=
while read -r -t 30 -u 4 line; do
  echo "$line" >>"$tmp/erl_out"
  case "$line" in "agent ready "*) erl_node=${line#agent ready }; break ;; esac
done
[ -n "$erl_node" ] || { fail "erl did not start its agent within 30 s: $(cat "$tmp/erl_out" 2>/dev/null)"; exit 1; }
cat <&4 >>"$tmp/erl_out" &      # keep draining what erl prints
drain_pid=$!

cat >"$tmp/lua_side.lua" <<'LUA'
local erl = ...
local me = otp.self()
local function check(what, got, want)
  if got ~= want then
    error(string.format("%s: got %s, expected %s", what, tostring(got), tostring(want)), 2)
  end
end
local function say(line) print(line); io.stdout:flush() end
local function agent(...) otp.send({"agent", erl}, {me, ...}) end
local host = erl:match("@(.*)")

check("connect to a node that does not exist", otp.connect("nobody" .. os.time() .. "@" .. host), false)
check("connect to the Erlang node", otp.connect(erl), true)
check("connected nodes", otp.nodes()[1], erl)
say("connected")

-- A10: DOWN with the Erlang process's reason; noproc once it is dead
agent("spawn_waiting", "bye_from_erlang")
local p = otp.receive(otp.match{"spawned"})[2]
local ref = otp.monitor(p)
otp.send(p, "go")
local down = otp.receive(otp.match{"DOWN", ref})
check("DOWN names the remote pid", down[4], p)
check("DOWN carries the Erlang exit reason", down[5], "bye_from_erlang")
local late = otp.monitor(p)
check("monitoring a dead remote process", otp.receive(otp.match{"DOWN", late})[5], "noproc")
say("A10 monitor across nodes ok")

-- A5: an Erlang process linked to a crashing Lua process gets its EXIT
local victim = otp.spawn(function() otp.receive("crash"); error("lua side crashes") end)
agent("link_and_report", victim)
otp.receive(otp.match{"linked"})
otp.send(victim, "crash")
local saw = otp.receive(otp.match{"erl_saw_exit"})
check("Erlang saw the Lua pid", saw[2], victim)
check("Erlang got {error, ...}", type(saw[3]) == "table" and saw[3][1], "error")
check("with the message", tostring(saw[3][2]):find("lua side crashes", 1, true) ~= nil, true)
say("A5 link from Erlang ok")

-- A3: exit/2 to a remote process; its link brings the EXIT back
otp.trap_exit(true)
agent("spawn_waiting", "unused")
local q = otp.receive(otp.match{"spawned"})[2]
otp.link(q)
otp.exit(q, "lua_says_bye")
local ex = otp.receive(otp.match{"EXIT", q})
check("EXIT reason through the link", ex[3], "lua_says_bye")
-- after unlink, no EXIT: the DOWN from the same process comes after it would have
agent("spawn_waiting", "unused")
local u = otp.receive(otp.match{"spawned"})[2]
otp.link(u)
otp.unlink(u)
local uref = otp.monitor(u)
otp.exit(u, "gone")
check("DOWN after unlink", otp.receive(otp.match{"DOWN", uref})[5], "gone")
check("no EXIT after unlink", otp.receive(otp.match{"EXIT", u}, 0), nil)
say("A3 exit and link to Erlang ok")

-- rpc through rex
check("rpc erlang:node()", otp.rpc(erl, "erlang", "node", {}), erl)
check("rpc with a tuple argument", otp.rpc(erl, "erlang", "tuple_size", {{1, 2, 3}}), 3)
local seq = otp.rpc(erl, "lists", "seq", {250, 260})
check("rpc list result", #seq .. ":" .. seq[11], "11:260")
check("a list of bytes is a charlist", otp.rpc(erl, "lists", "seq", {65, 67}), otp.charlist("ABC"))
check("an rpc argument can be a charlist", otp.rpc(erl, "erlang", "list_to_atom", {otp.charlist("made")}), "made")
local none, why = otp.rpc(erl, "erlang", "error", {"boom"})
check("rpc exception: nil", none, nil)
check("rpc exception: badrpc", why[1], "badrpc")
check("rpc exception: EXIT", why[2][1], "EXIT")
check("rpc that prints", otp.rpc(erl, "io", "format", {"printed by rpc~n"}), "ok")
say("rpc ok")

-- nodedown: kill -9 the Erlang node
otp.monitor_node(erl, true)
agent("spawn_waiting", "unused")
local watched = otp.receive(otp.match{"spawned"})[2]
local wref = otp.monitor(watched)
agent("spawn_waiting", "unused")
local linked = otp.receive(otp.match{"spawned"})[2]
otp.link(linked)
say("kill erl")
-- in erts' order: the link's EXIT, the monitor's DOWN, then nodedown
local function node_gone(m)
  return type(m) == "table" and ((m[1] == "EXIT" and m[2] == linked) or (m[1] == "DOWN" and m[2] == wref)
                                 or m[1] == "nodedown")
end
local first, second, third = otp.receive(node_gone), otp.receive(node_gone), otp.receive(node_gone)
check("EXIT noconnection first", first[1] .. " " .. tostring(first[3]), "EXIT noconnection")
check("DOWN noconnection second", second[1] .. " " .. tostring(second[5]), "DOWN noconnection")
check("nodedown last", third[1] .. " " .. tostring(third[2]), "nodedown " .. erl)
check("no nodes left", #otp.nodes(), 0)
say("nodedown ok")
LUA

timeout 60 "$OTPLAB" run --sname "$otp_name" --cookie "$cookie" "$tmp/lua_side.lua" "$erl_node" >"$tmp/otp_fifo" 2>"$tmp/err" &
otp_pid=$!
exec 3<"$tmp/otp_fifo"
killed=0
while read -r -t 40 -u 3 line; do
  echo "$line" >>"$tmp/lua_out"
  if [ "$line" = "kill erl" ]; then
    # erl writes what the rpc printed on its own time: wait for it (20 s at most)
    for _ in $(seq 200); do grep -q "printed by rpc" "$tmp/erl_out" && break; sleep 0.1; done
    { kill -9 "$erl_pid"; wait "$erl_pid"; } 2>/dev/null
    erl_pid=
    killed=1
  fi
done
wait "$otp_pid"
otp_rc=$?
otp_pid=
[ "$otp_rc" -eq 0 ] || fail "otplab exited $otp_rc: $(head -c 800 "$tmp/err")"
[ "$killed" -eq 1 ] || fail "the Lua side never asked to kill erl"
for step in "connected" "A10 monitor across nodes ok" "A5 link from Erlang ok" \
            "A3 exit and link to Erlang ok" "rpc ok" "nodedown ok"; do
  grep -qx "$step" "$tmp/lua_out" 2>/dev/null || fail "step not reached: $step (Lua said: $(cat "$tmp/lua_out" 2>/dev/null))"
done
[ "$killed" -eq 1 ] && wait "$drain_pid"   # erl is dead: its output is read to the end
grep -q "printed by rpc" "$tmp/erl_out" || fail "what the rpc printed is not on erl's output: $(cat "$tmp/erl_out")"
finish
tail -1 "$tmp/lua_out"
