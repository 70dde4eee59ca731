#!/usr/bin/env bash
# Proves otp.peer (OTP 25's peer, lua/otp/peer.lua, host/peer.c) from
# outside, on a private epmd port:
#  - without a node name, start_link raises notalive and says to use
#    --sname (or otp.net_kernel.start); net_kernel.start then names the node;
#  - start_link returns the peer's node, connected, and a control process
#    linked to the caller; spawn_on runs there; a process there exiting
#    kills a linked process here that does not trap exits (A5, finalised
#    at once though it happens outside any slice); stop -> true, then the
#    caller's monitor_node has nodedown and its EXIT from the control
#    process is "normal" (in that order, as OTP's); stop again -> exit noproc;
#  - the peer halting by itself (os.exit on it): nodedown, then EXIT normal
#    (peer_down "stop"), or EXIT {"nodedown", node} (peer_down "crash");
#  - the control process killed: EXIT killed, then nodedown: the peer goes;
#  - a partition (otp.disconnect with block_ms) leaves the peer running:
#    after the block, connect heals and spawn_on runs there again;
#  - the starter ending normally stops its peers before it exits, and the
#    starter killed with SIGKILL takes its peer with it: no orphans.
set -u
. "$(dirname "$0")/lib/dist.bash"
cookie=c$suffix

# no name: a clear error
cat >"$tmp/alone.lua" <<'LUA'
local ok, err = pcall(otp.peer.start_link, {name = "x"})
print(ok, (tostring(err):gsub("^.-notalive", "notalive")))
print(otp.net_kernel.start(), otp.node() ~= "nonode@nohost")
print(otp.net_kernel.start())
LUA
got=$(timeout 60 "$OTPLAB" run "$tmp/alone.lua" 2>&1)
want="false	notalive: otp.peer.start_link needs this node to be distributed (an Erlang node with a name): start otplab with --sname NAME (otplab run --sname a FILE), or call otp.net_kernel.start() first
true	true
nil	already_started"
[ "$got" = "$want" ] || fail "without --sname: got
$got"

cat >"$tmp/a.lua" <<'LUA'
io.stdout:setvbuf("no")
local function say(...) print(...) end
local function show(m) return (otp.inspect(m):gsub("peer_%w+@[%w%.%-]+", "NODE")) end
local tag = arg[1]
otp.trap_exit(true)
local node, ctl = otp.peer.start_link{name = "peer_one" .. tag}
say("started", node:match("^peer_one%d+@") ~= nil, otp.nodes()[1] == node,
    otp.inspect(otp.process_info(otp.self(), "links")) == otp.inspect({ctl}))
local me = otp.self()
otp.spawn_on(node, function(to) otp.send(to, {"hello from", otp.node()}) end, me)
say("spawn_on", otp.receive(otp.match{"hello from"})[2] == node)
-- A5 across nodes: a process that does not trap exits dies of a remote link's exit
local bystander = otp.spawn(function(to)
  local victim = otp.spawn_on(to, function() otp.receive("go"); otp.exit("remote_reason") end)
  otp.link(victim)
  otp.send(victim, "go")
  otp.receive()
end, node)
local bref = otp.monitor(bystander)
say("A5", otp.receive(otp.match{"DOWN", bref}, 5000)[5])
otp.monitor_node(node, true)
say("stop", otp.peer.stop(node))
say(show(otp.receive(nil, 5000)))
say(show(otp.receive(nil, 5000)))
say("again", select(2, pcall(otp.peer.stop, node)))

for _, down in ipairs{"stop", "crash"} do
  local n, c = otp.peer.start_link{name = "peer_" .. down .. tag, peer_down = down}
  otp.monitor_node(n, true)
  otp.spawn_on(n, function() os.exit(0) end)
  say(down, show(otp.receive(nil, 10000)))
  say(down, show(otp.receive(nil, 10000)))
end

local n3, c3 = otp.peer.start_link{name = "peer_kill" .. tag}
otp.monitor_node(n3, true)
otp.exit(c3, "kill")
say("killed", show(otp.receive(nil, 10000)))
say("killed", show(otp.receive(nil, 10000)))

local n4, c4 = otp.peer.start_link{name = "peer_split" .. tag}
otp.monitor_node(n4, true)
say("partition", otp.disconnect(n4, {block_ms = 1500}), show(otp.receive(nil, 5000)))
say("during", otp.connect(n4), otp.is_alive(c4))
local healed = false
for _ = 1, 100 do                 -- bounded: 100 tries, 100 ms apart
  otp.sleep(100)
  if otp.connect(n4) then healed = true break end
end
otp.spawn_on(n4, function(to) otp.send(to, "still there") end, me)
say("healed", healed, otp.receive("still there", 5000))
otp.peer.start_link{name = "peer_left" .. tag}   -- still running when this ends
say("done")
LUA
got=$(timeout 120 "$OTPLAB" run --sname "a$suffix" --cookie "$cookie" "$tmp/a.lua" "$suffix" 2>"$tmp/a_err")
want='started	true	true	true
spawn_on	true
A5	remote_reason
stop	true
{"nodedown", "NODE"}
{"EXIT", <0.2.0>, "normal"}
again	exit: noproc
stop	{"nodedown", "NODE"}
stop	{"EXIT", <0.4.0>, "normal"}
crash	{"nodedown", "NODE"}
crash	{"EXIT", <0.5.0>, {"nodedown", "NODE"}}
killed	{"EXIT", <0.6.0>, "killed"}
killed	{"nodedown", "NODE"}
partition	true	{"nodedown", "NODE"}
during	false	true
healed	true	still there
done'
[ "$got" = "$want" ] || fail "peer semantics: got
$got
stderr: $(head -c 1500 "$tmp/a_err")"
left=$(pgrep -f -- "--sname peer_[a-z]*$suffix " || true)
[ -z "$left" ] || fail "peers still running after their starter ended: $left"

# SIGKILL the starter: the peer goes too
cat >"$tmp/k.lua" <<'LUA'
io.stdout:setvbuf("no")
local node = otp.peer.start_link{name = "peer_orphan" .. arg[1]}
print("up " .. node)
otp.receive()
LUA
mkfifo "$tmp/k_out"
"$OTPLAB" run --sname "k$suffix" --cookie "$cookie" "$tmp/k.lua" "$suffix" >"$tmp/k_out" 2>"$tmp/k_err" &
b_pid=$!
exec 4<"$tmp/k_out"
read -r -t 30 -u 4 up k_node || fail "the starter did not start its peer: $(cat "$tmp/k_err")"
peer_os=$(pgrep -f -- "--sname peer_orphan$suffix ")
[ -n "$peer_os" ] || fail "no peer process for $k_node"
kill -9 "$b_pid"
wait "$b_pid" 2>/dev/null
b_pid=
gone=0
for _ in $(seq 1 100); do          # bounded: 10 s
  kill -0 $peer_os 2>/dev/null || { gone=1; break; }
  sleep 0.1
done
[ "$gone" -eq 1 ] || { fail "the peer outlived its SIGKILLed starter"; kill -9 $peer_os 2>/dev/null; }
finish
echo "peer start, stop, links, partition and no orphans ok"
