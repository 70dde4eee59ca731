#!/usr/bin/env bash
# Proves: two otplab nodes that connect to each other at the same moment
# (both sending and calling otp.connect just after a partition, as a heal
# may make them) end with one connection and lose nothing, whichever name
# is the greater: as Erlang does, the node with the greater name answers the
# other's connection nok while its own is under way, and the other waits
# for that connection with what it sent queued. Each of 5 rounds: a disconnects, both send to the
# other and connect at one agreed instant; every message of the round
# arrives, otp.connect is true on both sides, and each sees one node.
# The agreed instant only makes the race likely; the checks do not time.
# Random node names and cookie, a private epmd port, every node killed on exit.
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
  if m[2] == "round" then
    local a, k, at = otp.node(m[1]), m[3], m[4]
    otp.monitor_node(a, true)
    otp.send(m[1], {"ready_for", k})
    otp.receive(otp.match{"nodedown", a})
    while otp.system_time("millisecond") < at do otp.sleep(1) end
    otp.send({"a_side", a}, {"from_b", k})
    local ok = otp.connect(a)
    otp.send({"a_side", a}, {"b_connected", k, ok, #otp.nodes()})
  elseif m[2] == "pong_me" then
    otp.send(m[1], {"pong", m[3]})
  end
end
LUA

cat >"$tmp/a.lua" <<'LUA'
local b = ...
otp.register("a_side", otp.self())
local me = otp.self()
local function check(what, got, want)
  if got ~= want then
    error(string.format("%s: got %s, expected %s", what, tostring(got), tostring(want)), 2)
  end
end
check("first connect", otp.connect(b), true)
for k = 1, 5 do
  local at = otp.system_time("millisecond") + 300
  otp.send({"b_side", b}, {me, "round", k, at})
  check("b is ready", otp.receive(otp.match{"ready_for", k}, 20000) ~= nil, true)
  otp.disconnect(b)
  while otp.system_time("millisecond") < at do otp.sleep(1) end
  otp.send({"b_side", b}, {me, "pong_me", k})
  check("round " .. k .. ": a's connect", otp.connect(b), true)
  local from_b = otp.receive(function(m) return m[1] == "from_b" and m[2] == k end, 20000)
  check("round " .. k .. ": b's message arrived", from_b ~= nil, true)
  local pong = otp.receive(function(m) return m[1] == "pong" and m[2] == k end, 20000)
  check("round " .. k .. ": a's message arrived (b answered)", pong ~= nil, true)
  local bc = otp.receive(function(m) return m[1] == "b_connected" and m[2] == k end, 20000)
  check("round " .. k .. ": b's connect", bc and bc[3], true)
  check("round " .. k .. ": b sees one node", bc and bc[4], 1)
  check("round " .. k .. ": a sees one node", #otp.nodes(), 1)
end
print("5 rounds ok")
LUA

mkfifo "$tmp/b_out"
"$OTPLAB" run --sname "m$suffix" --cookie "$cookie" "$tmp/b.lua" >"$tmp/b_out" 2>"$tmp/b_err" &
b_pid=$!
exec 4<"$tmp/b_out"
read -r -t 20 -u 4 ready b_node || { fail "node b did not start: $(cat "$tmp/b_err")"; exit 1; }

for a_name in "a$suffix" "z$suffix"; do       # a's name the smaller, then the greater
  said=$(timeout 120 "$OTPLAB" run --sname "$a_name" --cookie "$cookie" "$tmp/a.lua" "$b_node" 2>"$tmp/a_err")
  [ "$said" = "5 rounds ok" ] || fail "$a_name and $b_node: '$said' $(head -c 800 "$tmp/a_err")"
done
finish
echo "5 rounds ok, both ways"
