#!/usr/bin/env bash
# Proves: `otplab test --junit FILE` (API.md section 9) writes a JUnit XML
# report a CI system can read: one testcase per scenario with its time, a
# <failure> with the reason for each failing one (otplab's last word on an
# error, a busy loop killed by --timeout), each scenario's output escaped as <system-out> (markup
# characters and control bytes cannot break the XML); the totals agree with
# the summary line; a report that cannot be written is refused before any
# scenario runs (exit 2, saying why).
set -u
. "$(dirname "$0")/lib/checks.bash"

mkdir -p "$tmp/suite/deeper"
printf 'print("fine & <dandy> \\"quoted\\" \\1\\2 bell")\n' >"$tmp/suite/good.lua"
printf 'error("fails on purpose <here>")\n' >"$tmp/suite/deeper/bad.lua"
printf 'while true do end\n' >"$tmp/suite/stuck.lua"

timeout 60 "$OTPLAB" test --timeout 2 --junit "$tmp/report.xml" "$tmp/suite" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "two failing scenarios: exit status $rc, expected 1"
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 2 failed" ] || fail "summary '$(tail -n 1 "$tmp/out")'"
[ -e "$tmp/report.xml.tmp" ] && fail "the temporary report was left behind"
python3 - "$tmp/report.xml" "$tmp/suite" <<'PY' || failures=$((failures + 1))
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()          # raises if the XML is malformed
suite_dir = sys.argv[2]
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
check(root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "2",
      "totals: %r" % root.attrib)
cases = {c.get("name"): c for c in root.iter("testcase")}
check(set(cases) == {"good.lua", "bad.lua", "stuck.lua"}, "testcases: %r" % list(cases))
check(cases["bad.lua"].get("classname") == suite_dir + "/deeper", "classname of bad.lua")
check(cases["good.lua"].find("failure") is None, "the passing scenario has a failure")
check('fine & <dandy> "quoted"' in cases["good.lua"].findtext("system-out"),
      "good.lua's output: %r" % cases["good.lua"].findtext("system-out"))
check("fails on purpose <here>" in cases["bad.lua"].findtext("system-out"), "bad.lua's output")
check("fails on purpose <here>" in cases["bad.lua"].find("failure").get("message"),
      "bad.lua's failure: %r" % cases["bad.lua"].find("failure").attrib)
check("killed" in cases["stuck.lua"].find("failure").get("message"), "stuck.lua's failure")
for c in cases.values():
    check(float(c.get("time")) >= 0, "time of " + c.get("name"))
PY

timeout 60 "$OTPLAB" test --junit "$tmp/no/such/dir/report.xml" "$tmp/suite" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "an unwritable report: exit status $rc, expected 2"
grep -q "cannot write the JUnit report" "$tmp/err" || fail "unwritable report: '$(cat "$tmp/err")'"
grep -q "good.lua" "$tmp/out" && fail "scenarios ran although the report could not be written"

[ "$failures" -eq 0 ] && echo "ok: otplab test --junit"
exit $((failures > 0))
