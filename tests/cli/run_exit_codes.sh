#!/usr/bin/env bash
# Proves: `otplab run` exit statuses (API.md section 7): 0 when the first
# process exits normally, 1 when it crashes or exits with another reason
# (the reason on stderr, nothing on stdout), 2 for usage errors: a missing
# file, an unknown option, an unknown command, no file at all. ARGS reach
# the script as `arg` and `...`.
set -u
. "$(dirname "$0")/lib/checks.bash"

# expect_status WANT DESCRIPTION CMD...: runs CMD (bounded), keeps its output.
expect_status() {
  local want=$1 what=$2
  shift 2
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "$what: exit status $got, expected $want (stderr: $(head -c 300 "$tmp/err"))"
}

printf 'print("hello from the first process")\n' >"$tmp/normal.lua"
expect_status 0 "a script that returns" "$OTPLAB" run "$tmp/normal.lua"
grep -qx 'hello from the first process' "$tmp/out" || fail "normal run: its print is not on stdout"
[ -s "$tmp/err" ] && fail "normal run: unexpected stderr: $(head -c 300 "$tmp/err")"

printf 'otp.exit("normal")\n' >"$tmp/exit_normal.lua"
expect_status 0 'otp.exit("normal")' "$OTPLAB" run "$tmp/exit_normal.lua"

printf 'local t = {}\nerror("the script crashed on purpose")\n' >"$tmp/crash.lua"
expect_status 1 "an uncaught error" "$OTPLAB" run "$tmp/crash.lua"
grep -q 'the script crashed on purpose' "$tmp/err" || fail "crash: the reason is not on stderr"
[ -s "$tmp/out" ] && fail "crash: something was written to stdout: $(head -c 300 "$tmp/out")"

printf 'otp.exit("shutdown")\n' >"$tmp/shutdown.lua"
expect_status 1 'otp.exit("shutdown")' "$OTPLAB" run "$tmp/shutdown.lua"
grep -q 'shutdown' "$tmp/err" || fail "exit shutdown: the reason is not on stderr"
[ -s "$tmp/out" ] && fail "exit shutdown: something was written to stdout"

printf 'error({ code = 7 })\n' >"$tmp/crash_table.lua"
expect_status 1 "error with a table value" "$OTPLAB" run "$tmp/crash_table.lua"
[ -s "$tmp/err" ] || fail "error(table): nothing on stderr"

# A crash of another process does not fail the run; only the first counts.
printf 'local p, r = otp.spawn_monitor(function() error("child") end)\nassert(otp.receive(nil, 2000))\n' \
  >"$tmp/child_crash.lua"
expect_status 0 "a crashing child process" "$OTPLAB" run "$tmp/child_crash.lua"

printf 'print(arg[1], arg[2], select("#", ...), ...)\n' >"$tmp/args.lua"
expect_status 0 "a script with arguments" "$OTPLAB" run "$tmp/args.lua" one "two words"
[ "$(cat "$tmp/out")" = "$(printf 'one\ttwo words\t2\tone\ttwo words')" ] ||
  fail "arguments: got '$(cat "$tmp/out")'"

# A syntax error is reported on stderr with its line, never silently.
printf 'print("fine")\nlocal x = = 1\n' >"$tmp/syntax.lua"
timeout 20 "$OTPLAB" run "$tmp/syntax.lua" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || fail "a syntax error: exit status $rc, expected 1 (or 2)"
grep -q 'syntax.lua:2' "$tmp/err" || fail "a syntax error: stderr does not name syntax.lua:2 ($(head -c 300 "$tmp/err"))"
[ -s "$tmp/out" ] && fail "a syntax error: something ran and wrote to stdout"

expect_status 2 "a missing file" "$OTPLAB" run "$tmp/no_such_file.lua"
[ -s "$tmp/err" ] || fail "missing file: no message on stderr"
[ -s "$tmp/out" ] && fail "missing file: something was written to stdout"
expect_status 2 "an unknown option" "$OTPLAB" run --no-such-option "$tmp/normal.lua"
[ -s "$tmp/err" ] || fail "unknown option: no message on stderr"
expect_status 2 "an option without its value" "$OTPLAB" run "--reductions"
expect_status 2 "run without a file" "$OTPLAB" run
expect_status 2 "an unknown command" "$OTPLAB" no-such-command
[ -s "$tmp/err" ] || fail "unknown command: no message on stderr"

finish
