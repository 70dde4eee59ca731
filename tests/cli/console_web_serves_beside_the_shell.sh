#!/usr/bin/env bash
# Proves: `otplab console --web` serves the REST API on the console's own
# node while the shell works (a name registered at the prompt is seen by the
# API, a message sent through the API is flushed at the prompt, the API
# answers during a busy loop that Ctrl-C then stops), picks another port
# when 4000 is taken, and closes its port on Ctrl-D
# (tests/console/web_session.py drives it in a pseudo-terminal).
set -u
OTPLAB=${OTPLAB:-build/otplab}
exec python3 "$(dirname "$0")/../console/web_session.py" "$OTPLAB"
