#!/usr/bin/env bash
# Proves, against a real `erl -sname` node, that otp.disconnect(node,
# {block_ms = N}) is a partition seen from outside: the otplab node drops
# the connection (erl's monitor_node gets nodedown), refuses the blocked
# node's own connection attempts during the handshake, so net_adm:ping
# answers pang while the block lasts without the node ever being up
# (net_kernel:monitor_nodes sees one nodeup: the one after the block), and
# accepts it again afterwards (ping answers pong, a message gets through).
# Random node names and a private epmd port (ERL_EPMD_PORT): nothing collides.
set -u
. "$(dirname "$0")/lib/dist.bash"

cookie=c$suffix
cat >"$tmp/lua_side.lua" <<'LUA'
otp.register("lua_side", otp.self())
print("ready " .. otp.node())
io.stdout:flush()
local function check(what, got, want)
  if got ~= want then
    error(string.format("%s: got %s, expected %s", what, tostring(got), tostring(want)))
  end
end
local m = otp.receive(otp.match{"block_me"}, 30000)
check("erl asked for the block", m ~= nil, true)
local erl_node = otp.node(m[2])
check("disconnect with a block", otp.disconnect(erl_node, {block_ms = 4000}), true)
check("erl is not connected during the block", #otp.nodes(), 0)
local r = otp.receive(otp.match{"ping_results"}, 60000)
check("erl reported after the block", r ~= nil, true)
check("ping during the block", r[2], "pang")
check("ping after the block", r[3], "pong")
otp.send(m[2], "ack")
print("lua saw pang then pong")
LUA

start_otp "$tmp/lua_side.lua" "otp$suffix"

erl_code="A = '$otp_node',
  pong = net_adm:ping(A),
  true = erlang:monitor_node(A, true),
  {lua_side, A} ! {block_me, self()},
  receive {nodedown, A} -> io:format(\"erl saw nodedown~n\")
  after 20000 -> io:format(\"erl saw no nodedown~n\"), halt(1)
  end,
  ok = net_kernel:monitor_nodes(true, [{node_type, all}]),   % otplab is a hidden node
  First = net_adm:ping(A),
  io:format(\"erl first ping: ~p~n\", [First]),
  Retry = fun Retry(0) -> pang;
              Retry(N) -> case net_adm:ping(A) of
                            pong -> pong;
                            pang -> receive after 200 -> Retry(N - 1) end
                          end
          end,
  Later = Retry(150),
  io:format(\"erl later ping: ~p~n\", [Later]),
  Ups = fun Ups(K) -> receive {nodeup, A, _} -> Ups(K + 1) after 0 -> K end end,
  io:format(\"erl saw ~p nodeup~n\", [Ups(0)]),
  {lua_side, A} ! {ping_results, First, Later},
  receive ack -> halt(0) after 20000 -> io:format(\"erl got no ack~n\"), halt(1) end."
(cd "$tmp" && exec timeout 60 erl -sname "erl$suffix" -setcookie "$cookie" -noshell -eval "$erl_code") >"$tmp/erl_out" 2>&1 &
erl_pid=$!
wait_erl_and_otp
grep -q "erl saw nodedown" "$tmp/erl_out" || fail "erl saw no nodedown: $(head -c 600 "$tmp/erl_out")"
grep -q "erl first ping: pang" "$tmp/erl_out" || fail "erl's ping during the block was not pang: $(head -c 600 "$tmp/erl_out")"
grep -q "erl later ping: pong" "$tmp/erl_out" || fail "erl's ping after the block was not pong: $(head -c 600 "$tmp/erl_out")"
grep -q "erl saw 1 nodeup" "$tmp/erl_out" ||
  fail "the blocked node was let in and dropped instead of refused (one nodeup, after the block, expected): $(head -c 600 "$tmp/erl_out")"
grep -q "lua saw pang then pong" <<<"$lua_out" || fail "Lua did not confirm: '$lua_out'"
finish
cat "$tmp/erl_out"
