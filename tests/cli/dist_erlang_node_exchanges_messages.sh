#!/usr/bin/env bash
# Proves: `otplab run --sname NAME --cookie C` is an Erlang node a real
# `erl -sname` node talks to on loopback: {Name, 'otp@host'} ! Term from
# Erlang reaches the registered Lua process as the Lua value the mapping
# says (atoms -> strings, true -> true, tuples and lists -> arrays,
# binaries -> binaries, Erlang strings (lists of bytes) -> charlists,
# integers beyond 64 bits (SMALL_BIG and LARGE_BIG) -> bigints printing
# their digits, maps -> tables), and otp.send({name, node}, msg) from Lua
# reaches the registered Erlang process (arrays -> tuples, short strings ->
# atoms, long ones -> binaries). Round trips: the binary, charlist and
# bigints Erlang sent come back as the same terms (=:=), and otp.binary,
# otp.charlist, otp.atom and otp.bigint make exactly the term Erlang expects.
# Remote pids: the Erlang pid arrives as a pid printing <N.M.S> (N > 0),
# Lua sends to it; the Lua pid crosses and comes back as the same value
# (==); an Erlang process sends {self(), ping} and gets pong. Refs: an
# Erlang ref comes back to Erlang equal (=:=), a Lua ref comes back ==;
# an improper list and a fun arrive as {"unsupported_term", WHAT}; a Lua
# table with keys goes out as a map, {} as the empty tuple.
# Random node names and a private epmd port (ERL_EPMD_PORT): nothing collides.
set -u
. "$(dirname "$0")/lib/dist.bash"

cookie=c$suffix
otp_name=otp$suffix
erl_name=erl$suffix

cat >"$tmp/lua_side.lua" <<'LUA'
otp.register("lua_side", otp.self())
print("ready " .. otp.node())
io.stdout:flush()
local m = otp.receive(otp.match{"hello"})
local function check(what, got, want)
  if got ~= want then
    error(string.format("%s: got %s, expected %s", what, tostring(got), tostring(want)))
  end
end
local erl_node = m[2]
check("the sender's node", type(erl_node), "string")
check("integer", m[3], 42)
check("binary", m[4], otp.binary("bin"))
check("a binary prints as its bytes", tostring(m[4]) .. "/" .. #m[4], "bin/3")
check("a binary is a binary", otp.is_binary(m[4]), true)
check("a binary is not the atom of the same text", m[4] == "bin", false)
check("an empty binary", m[19], otp.binary(""))
check("an empty Erlang string is the empty list", next(m[20]), nil)
check("list length", #m[5], 3)
check("list element", m[5][2], "two")
check("list of bytes (an Erlang string)", m[12], otp.charlist("\1\2\3"))
check("map value", m[6].k, 1.5)
check("Erlang string", m[7], otp.charlist("str"))
check("its kind", otp.term_kind(m[7]), "charlist")
check("true", m[8], true)
local erl_pid = m[9]
check("a remote pid is a pid", type(erl_pid), "userdata")
check("a remote pid prints <N.M.S>, N > 0", tostring(erl_pid):match("^<[1-9]%d*%.%d+%.%d+>$") ~= nil, true)
check("a remote pid is not alive here", otp.is_alive(erl_pid), false)
check("bignum prints its digits", tostring(m[10]), "1180591620717411303424")
check("bignum is equal to the same bigint", m[10], otp.bigint("1180591620717411303424"))
check("bignum orders above integers", m[10] > math.maxinteger, true)
check("negative bignum", tostring(m[16]), "-18446744073709551621")
check("LARGE_BIG_EXT bignum", tostring(m[17]), tostring(m[21]))
check("2^64 - 1", tostring(m[18]), "18446744073709551615")
check("bigint kind", otp.term_kind(m[17]), "bigint")
check("float", m[11], -0.25)
check("an Erlang ref is a ref", tostring(m[13]):match("^#Ref<[1-9]") ~= nil, true)
check("improper list", m[14][1] .. "/" .. m[14][2], "unsupported_term/improper list")
check("fun", m[15][1] .. "/" .. m[15][2], "unsupported_term/fun")
local lua_ref = otp.make_ref()
check("connected nodes", otp.nodes()[1], erl_node)
print("lua got hello from " .. erl_node)
otp.send(erl_pid, {"reply", otp.node(), 7, 2.5, {1, 2}, true, string.rep("x", 300), otp.self(), erl_pid,
                   m[13], lua_ref, {a = 1, [2] = "b"}, {}})
otp.send(erl_pid, {"kinds", m[4], m[7], m[10], m[16], m[17], m[18], m[19], otp.binary("made"),
                   otp.charlist("made"), otp.atom("made"),
                   otp.bigint("-340282366920938463463374607431768211456"), otp.bigint("12")})
local echo = otp.receive(otp.match{"echo"})
check("our pid came back as the same value", echo[2] == otp.self(), true)
check("the Erlang pid came back as the same value", echo[3] == erl_pid, true)
check("our ref came back as the same value", echo[4] == lua_ref, true)
local seen = {[erl_pid] = "erl"}
check("a remote pid keys a table", seen[echo[3]], "erl")
local ping = otp.receive(function(msg) return msg[2] == "ping" end)
otp.send(ping[1], "pong")
print("lua answered ping from " .. tostring(ping[1]))
LUA

start_otp "$tmp/lua_side.lua" "$otp_name"
[ "$ready" = ready ] || fail "otplab's first line: '$ready $otp_node', expected 'ready NAME@HOST'"
case "$otp_node" in "$otp_name"@*) ;; *) fail "otp.node() is '$otp_node', expected $otp_name@HOST" ;; esac

erl_code="register(erl_side, self()),
  Ref = make_ref(),
  Long = binary:copy(<<\"x\">>, 300),
  {lua_side, '$otp_node'} ! {hello, node(), 42, <<\"bin\">>, [1, two, 3], #{k => 1.5}, \"str\",
                             true, self(), 1 bsl 70, -0.25, [1, 2, 3], Ref, [1 | 2], fun() -> ok end,
                             -(1 bsl 64 + 5), 1 bsl 2100, (1 bsl 64) - 1, <<>>, \"\",
                             integer_to_list(1 bsl 2100)},
  Big2 = -(1 bsl 64 + 5), Big3 = 1 bsl 2100, U64 = (1 bsl 64) - 1, Neg128 = -(1 bsl 128),
  Self = self(),
  receive
    {reply, '$otp_node', 7, 2.5, {1, 2}, true, Long, LuaPid, Self, Ref, LuaRef, #{a := 1, 2 := b}, {}}
        when node(LuaPid) =:= '$otp_node', node(LuaRef) =:= '$otp_node' ->
      io:format(\"erl got reply~n\"),
      receive
        {kinds, <<\"bin\">>, \"str\", 1180591620717411303424, Big2, Big3, U64, <<>>,
         <<\"made\">>, \"made\", made, Neg128, 12} -> io:format(\"erl got kinds~n\");
        OtherKinds -> io:format(\"erl got ~p instead of the kinds~n\", [OtherKinds]), halt(1)
      after 20000 -> io:format(\"erl got no kinds~n\"), halt(1)
      end,
      LuaPid ! {echo, LuaPid, Self, LuaRef},
      LuaPid ! {Self, ping},
      receive
        pong -> io:format(\"erl got pong~n\"), halt(0);
        Other2 -> io:format(\"erl got ~p instead of pong~n\", [Other2]), halt(1)
      after 20000 -> io:format(\"erl got no pong~n\"), halt(1)
      end;
    Other -> io:format(\"erl got ~p~n\", [Other]), halt(1)
  after 20000 -> io:format(\"erl got nothing~n\"), halt(1)
  end."
(cd "$tmp" && exec erl -sname "$erl_name" -setcookie "$cookie" -noshell -eval "$erl_code") >"$tmp/erl_out" 2>&1 &
erl_pid=$!
wait_erl_and_otp
grep -q "lua got hello from $erl_name@" <<<"$lua_out" || fail "Lua did not report the hello: '$lua_out'"
grep -q "erl got reply" "$tmp/erl_out" || fail "erl did not get the reply: $(head -c 600 "$tmp/erl_out")"
grep -q "erl got kinds" "$tmp/erl_out" || fail "the kinds did not round-trip: $(head -c 600 "$tmp/erl_out")"
grep -q "erl got pong" "$tmp/erl_out" || fail "erl did not get pong: $(head -c 600 "$tmp/erl_out")"
grep -q "lua answered ping from <[1-9]" <<<"$lua_out" || fail "Lua did not answer the ping from a remote pid: '$lua_out'"

finish
echo "$lua_out" | tail -1; cat "$tmp/erl_out"
