#!/usr/bin/env bash
# Proves: with no --cookie, a node takes ~/.erlang.cookie as erl does: on a
# machine where there is none it makes one (20 capital letters, readable by
# its owner only) and an erl started later with the same HOME (no
# -setcookie) reaches the node with it; a cookie file others may read, an
# empty one, or no HOME is refused with what to do.
# A private HOME, random names, a private epmd port; erl killed on exit.
set -u
. "$(dirname "$0")/lib/dist.bash"
home=$tmp/home
mkdir "$home"

cat >"$tmp/lua_side.lua" <<'LUA'
otp.register("lua_side", otp.self())
io.stdout:write("ready ", otp.node(), "\n"):flush()
local from = otp.receive(otp.match{otp._, "ping"}, 30000)[1]
otp.send(from, "pong")
print("answered")
LUA
mkfifo "$tmp/out"
HOME=$home timeout 60 "$OTPLAB" run --sname "otp$suffix" "$tmp/lua_side.lua" >"$tmp/out" 2>"$tmp/err" &
otp_pid=$!
exec 3<"$tmp/out"
read -r -t 20 -u 3 ready otp_node || { fail "otplab did not start: $(cat "$tmp/err")"; exit 1; }
cookie_file=$home/.erlang.cookie
[ -f "$cookie_file" ] || fail "no ~/.erlang.cookie was made"
[ "$(stat -c %a "$cookie_file")" = 400 ] || fail "the cookie file's mode is $(stat -c %a "$cookie_file"), not 400"
grep -Eqx '[A-Z]{20}' "$cookie_file" || fail "the cookie is not 20 capital letters: '$(cat "$cookie_file")'"

(cd "$tmp" && HOME=$home exec erl -sname "erl$suffix" -noshell -eval "
  {lua_side, '$otp_node'} ! {self(), ping},
  receive pong -> halt(0) after 20000 -> io:format(\"erl got nothing~n\"), halt(1) end.") \
  >"$tmp/erl_out" 2>&1 &
erl_pid=$!
wait "$erl_pid"
erl_rc=$?
erl_pid=
[ "$erl_rc" -eq 0 ] || fail "erl with the same HOME did not reach the node: $(cat "$tmp/erl_out")"
read -r -t 20 -u 3 answered || answered=
[ "$answered" = answered ] || fail "the Lua side did not answer: $(cat "$tmp/err")"
wait "$otp_pid"
otp_pid=

refused() {   # refused WHAT EXPECTED [env...]: the node does not start, and says EXPECTED
  local what=$1 expected=$2
  shift 2
  env "$@" timeout 20 "$OTPLAB" run --sname "x$suffix" "$tmp/noop.lua" >/dev/null 2>"$tmp/refused"
  local rc=$?
  [ "$rc" -eq 1 ] || fail "$what: exit status $rc, expected 1"
  grep -q -- "$expected" "$tmp/refused" || fail "$what: unclear message: $(cat "$tmp/refused")"
}
: >"$tmp/noop.lua"
chmod 644 "$cookie_file"
refused "a cookie file others may read" "must be accessible by owner only" HOME="$home"
: >"$tmp/empty"
chmod 400 "$tmp/empty"
mkdir "$tmp/home2"
mv "$tmp/empty" "$tmp/home2/.erlang.cookie"
refused "an empty cookie file" "is empty" HOME="$tmp/home2"
refused "no HOME" "no HOME" -u HOME
finish
