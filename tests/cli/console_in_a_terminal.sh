#!/usr/bin/env bash
# Proves (API.md section 8): the console in a pseudo-terminal shows values,
# completes otp.sup to otp.supervisor, continues a two-line function with
# "..", survives syntax and runtime errors, stops a busy loop on Ctrl-C
# while another process keeps printing, and a busy loop or a receive that
# never ends with nothing else running (no deadlock report), kills a demo counter and shows its
# new pid in tree(), keeps history across runs, leaves on Ctrl-D with the
# terminal restored (tests/console/terminal_session.py drives it).
set -u
OTPLAB=${OTPLAB:-build/otplab}
exec python3 "$(dirname "$0")/../console/terminal_session.py" "$OTPLAB"
