#!/usr/bin/env bash
# Proves, between two otplab nodes on loopback (and a third with a wrong
# cookie), that distribution keeps local semantics (OTP_RULES A5, A10):
#  - a wrong cookie is refused: otp.connect is false, and the refusing node
#    says why on stderr;
#  - A10: a monitor on a process of the other node gets DOWN with its exit
#    reason; A5: a link from the other node brings the crash's EXIT;
#  - a binary, a charlist and a bigint cross to the other node as such and
#    come back as the same values;
#  - otp.spawn_on runs a function (its upvalues and arguments copied) on
#    the other node; a pid or ref in an upvalue, or nested in an argument,
#    names the same process (is the same ref) over there;
#  - a partition and a heal: otp.disconnect -> {"nodedown", node} to
#    otp.monitor_node and "noconnection" DOWN to a monitor by {name, node};
#    otp.connect heals it; otp.disconnect(node, {block_ms = N}) keeps the
#    node out (no connect, no reconnect by a send) until the block ends,
#    and the blocked node's own otp.connect is false while it lasts;
#  - a node that stops ticking (SIGSTOP) is down after the net tick time
#    (--net-ticktime 4 on both): nodedown and DOWN noconnection.
# Random node names and cookies, a private epmd port, every node killed on exit.
set -u
. "$(dirname "$0")/lib/dist.bash"
cookie=c$suffix

cat >"$tmp/b.lua" <<'LUA'
otp.register("b_side", otp.self())
print("ready " .. otp.node())
io.stdout:flush()
while true do
  local m = otp.receive(nil, 90000)      -- a bound of its own: b is not run under timeout
  if not m then break end
  local from, cmd = m[1], m[2]
  if cmd == "spawn_waiting" then
    otp.send(from, {"spawned", otp.spawn(function(reason) otp.receive("go"); otp.exit(reason) end, m[3])})
  elseif cmd == "echo" then
    otp.send(from, {"echoed", m[3], otp.term_kind(m[3][1]), otp.term_kind(m[3][3])})
  elseif cmd == "connect_back_when_blocked" then
    local a = otp.node(from)
    otp.monitor_node(a, true)
    otp.send(from, {"asked"})
    otp.receive(otp.match{"nodedown", a})
    local during = otp.connect(a)          -- a keeps this node out: refused
    -- a heals the partition and says so (b does not reconnect itself: two
    -- nodes connecting to each other at once is not what this tests)
    local healed = otp.receive(function(h) return h[2] == "healed" end, 60000)
    otp.send(from, {"connect_back", during, healed ~= nil and otp.nodes()[1] == a})
  elseif cmd == "link_and_report" then
    local target = m[3]
    otp.spawn(function()
      otp.trap_exit(true)
      otp.link(target)
      otp.send(from, {"linked"})
      otp.send(from, {"b_saw_exit", otp.receive(otp.match{"EXIT", target})[3]})
    end)
  end
end
LUA

cat >"$tmp/c.lua" <<'LUA'
print(tostring(otp.connect((...))))
LUA

cat >"$tmp/a.lua" <<'LUA'
local b = ...
local me = otp.self()
local function check(what, got, want)
  if got ~= want then
    error(string.format("%s: got %s, expected %s", what, tostring(got), tostring(want)), 2)
  end
end
local function say(line) print(line); io.stdout:flush() end
local function ask(...) otp.send({"b_side", b}, {me, ...}) end

check("connect", otp.connect(b), true)
ask("spawn_waiting", "bye_from_b")
local p = otp.receive(otp.match{"spawned"})[2]
check("a pid of the other node prints <N.M.S>", tostring(p):match("^<[1-9]%d*%.%d+%.%d+>$") ~= nil, true)
local ref = otp.monitor(p)
otp.send(p, "go")
local down = otp.receive(otp.match{"DOWN", ref})
check("A10 DOWN across otplab nodes", down[5], "bye_from_b")
check("DOWN names the pid", down[4], p)

local victim = otp.spawn(function() otp.receive("crash"); error("a crashes") end)
ask("link_and_report", victim)
otp.receive(otp.match{"linked"})
otp.send(victim, "crash")
local saw = otp.receive(otp.match{"b_saw_exit"})[2]
check("A5 EXIT across otplab nodes", saw[1], "error")
say("links and monitors ok")

-- binaries, charlists and bigints keep their kind between otplab nodes
local kinds = {otp.binary("bin"), otp.charlist("chars"), otp.bigint("-170141183460469231731687303715884105728"), "atom"}
ask("echo", kinds)
local e = otp.receive(otp.match{"echoed"})
check("kinds seen on b", e[3] .. " " .. e[4], "binary bigint")
for i = 1, 4 do check("kind " .. i .. " came back as the same value", e[2][i], kinds[i]) end

-- spawn_on: the function, its upvalue and its arguments cross
local k = 2
local remote = otp.spawn_on(b, function(parent, x) otp.send(parent, {"from_b", otp.node(), x * k}) end, me, 21)
check("spawn_on gives a pid of the other node", tostring(remote):match("^<[1-9]%d*%.") ~= nil, true)
local r = otp.receive(otp.match{"from_b"})
check("spawn_on ran on b", r[2], b)
check("with its upvalue and arguments", r[3], 42)
local tag = otp.make_ref()
otp.spawn_on(b, function(opts)
  otp.send(me, {"via_upvalue", tag, otp.node(me)})
  otp.send(opts.reply[1], {"via_argument", tag})
end, {reply = {me}})
local u = otp.receive(otp.match{"via_upvalue"})
check("a ref in an upvalue is the same ref over there", u[2], tag)
check("a pid in an upvalue names this node's process over there", u[3], otp.node())
check("a pid nested in an argument too", otp.receive(otp.match{"via_argument"})[2], tag)
say("spawn_on ok")

-- a partition, and its heal
otp.monitor_node(b, true)
local by_name = otp.monitor({"b_side", b})
check("disconnect", otp.disconnect(b), true)
check("nodedown after disconnect", otp.receive(otp.match{"nodedown"})[2], b)
local d = otp.receive(otp.match{"DOWN", by_name})
check("DOWN noconnection", d[5], "noconnection")
check("DOWN names {name, node}", d[4][1] .. " " .. d[4][2], "b_side " .. b)
check("no nodes while partitioned", #otp.nodes(), 0)
check("heal: connect again", otp.connect(b), true)
check("nodes after the heal", otp.nodes()[1], b)
say("partition and heal ok")

-- a partition that lasts: block_ms keeps b out (no connect either way)
ask("connect_back_when_blocked")
check("b is ready to try", otp.receive(otp.match{"asked"}, 20000) ~= nil, true)
check("disconnect with a block", otp.disconnect(b, {block_ms = 3000}), true)
check("a blocked node is not connected to", otp.connect(b), false)
otp.send({"b_side", b}, {me, "spawn_waiting", "x"})   -- dropped: no connection is made
check("a send does not reconnect a blocked node", #otp.nodes(), 0)
local healed = false
for _ = 1, 100 do                      -- bounded: 100 tries, 200 ms apart
  otp.sleep(200)
  if otp.connect(b) then healed = true break end
end
check("the block ends and connect heals", healed, true)
check("bad block_ms", pcall(otp.disconnect, b, {block_ms = -1}), false)
ask("healed")
local back = otp.receive(otp.match{"connect_back"}, 30000)
check("b's own connect is refused during the block", back and back[2], false)
check("b is connected again after it", back and back[3], true)
say("lasting partition ok")

-- a node that stops ticking
otp.monitor_node(b, true)
local ticking = otp.monitor({"b_side", b})
say("stop b")
local nd = otp.receive(otp.match{"nodedown"}, 30000)
check("nodedown when b stops ticking", nd and nd[2], b)
check("DOWN noconnection when b stops ticking", otp.receive(otp.match{"DOWN", ticking})[5], "noconnection")
say("tick timeout ok")
LUA

mkfifo "$tmp/b_out" "$tmp/a_out"
"$OTPLAB" run --sname "b$suffix" --cookie "$cookie" --net-ticktime 4 "$tmp/b.lua" >"$tmp/b_out" 2>"$tmp/b_err" &
b_pid=$!
exec 4<"$tmp/b_out"
read -r -t 20 -u 4 ready b_node || { fail "node b did not start: $(cat "$tmp/b_err")"; exit 1; }

c_says=$(timeout 30 "$OTPLAB" run --sname "c$suffix" --cookie "wrong$suffix" "$tmp/c.lua" "$b_node" 2>"$tmp/c_err")
[ "$c_says" = false ] || fail "a wrong cookie connected: '$c_says' $(cat "$tmp/c_err")"

timeout 90 "$OTPLAB" run --sname "a$suffix" --cookie "$cookie" --net-ticktime 4 "$tmp/a.lua" "$b_node" >"$tmp/a_out" 2>"$tmp/a_err" &
a_pid=$!
exec 3<"$tmp/a_out"
while read -r -t 60 -u 3 line; do
  echo "$line" >>"$tmp/a_said"
  [ "$line" = "stop b" ] && kill -STOP "$b_pid"
done
wait "$a_pid"
a_rc=$?
a_pid=
[ "$a_rc" -eq 0 ] || fail "node a exited $a_rc: $(head -c 800 "$tmp/a_err")"
for step in "links and monitors ok" "spawn_on ok" "partition and heal ok" "lasting partition ok" "tick timeout ok"; do
  grep -qx "$step" "$tmp/a_said" 2>/dev/null || fail "step not reached: $step (a said: $(cat "$tmp/a_said" 2>/dev/null))"
done
grep -q "refused a connection from c$suffix@.*cookie" "$tmp/b_err" ||
  fail "node b does not say it refused a wrong cookie: $(cat "$tmp/b_err")"
finish
tail -1 "$tmp/a_said"
