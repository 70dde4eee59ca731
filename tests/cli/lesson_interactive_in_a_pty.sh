#!/usr/bin/env bash
# Proves: `otplab lesson 8 --interactive`, driven as a person would in a
# terminal (python3 pty), runs in the console: it pauses after a step with
# the lesson's processes live (tree(sup) shows them), takes an exercise
# answered wrongly (check() says why not, from the trace) then rightly
# (check() says yes), goes on with Ctrl-D and continue(), leaves the learner
# in the console with the lesson's supervisor still running, and Ctrl-D
# there ends with exit status 0.
set -u
OTPLAB=${OTPLAB:-build/otplab}
exec python3 - "$OTPLAB" <<'PY'
import os, pty, select, sys, time

otplab = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(otplab, [otplab, "lesson", "8", "--interactive"])

seen = b""
def wait_for(text, timeout=20.0):
    """Reads the terminal until text shows up (bounded); returns what came."""
    global seen
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit("FAIL: waited for %r; the screen shows:\n%s" % (text, seen.decode(errors="replace")))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                sys.exit("FAIL: the lesson ended while waiting for %r:\n%s" % (text, seen.decode(errors="replace")))
            seen += chunk
    i = seen.index(text.encode()) + len(text)
    before, seen = seen[:i], seen[i:]
    return before.decode(errors="replace")

def type_line(line):
    os.write(fd, line.encode() + b"\n")

# Output reaches the terminal above the prompt, which is then redrawn, so
# every step waits for what the learner would look for, not for a prompt.
wait_for("lesson> ")                                 # paused after step 1
type_line("continue()")
wait_for("2. b crashes")
wait_for("lesson> ")                                 # paused after step 2: act
type_line("tree(sup)")
screen = wait_for("└─ c ")
if "one_for_one" not in screen:
    sys.exit("FAIL: tree(sup) did not show the live tree:\n" + screen)
type_line("continue()")
wait_for("Exercise: add a fourth worker")
wait_for("lesson> ")
type_line('supervisor.start_child(sup, {id = "log", start = {worker, "log"}})')
wait_for("<0.")
type_line("check()")
wait_for('not yet: sup has no child with id "logger"')
wait_for("sup_start_child")                          # what happened, from the trace
type_line('supervisor.start_child(sup, {id = "logger", start = {worker, "logger"}})')
wait_for("<0.")
type_line("check()")
wait_for("yes: the exercise holds")
os.write(fd, b"\x04")                                # Ctrl-D goes on
screen = wait_for("Killed, logger came back")
if "(not solved" in screen:
    sys.exit("FAIL: the solved exercise was run again:\n" + screen)
wait_for("lesson> ")
type_line("continue()")
wait_for("Next: lesson 9")
wait_for("Ctrl-D leaves.")
type_line("otp.is_alive(sup) and 'still' .. 'alive'")
wait_for("stillalive")                               # the lesson's tree outlived it
os.write(fd, b"\x04")                                # Ctrl-D leaves the console
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("FAIL: the interactive lesson exited %d" % os.waitstatus_to_exitcode(status))
print("ok: interactive lesson 8 in a pty")
PY
