#!/usr/bin/env bash
# Proves: `otplab lesson 8 --interactive`, driven as a person would in a
# terminal (python3 pty), runs in the console: it pauses after a step with
# the lesson's processes live (tree(sup) shows them), takes an exercise
# answered wrongly (check() says why not, from the trace) then rightly
# (check() says yes), goes on with Ctrl-D and continue(), leaves the learner
# in the console with the lesson's supervisor still running, and Ctrl-D
# there ends with exit status 0. Then `otplab lesson 4 --interactive`: its
# exercise (stubborn traps exits; kill it) answered wrongly with a trappable
# reason (check() says stubborn lives and what it received instead), then
# rightly with "kill" (check() says yes), after which the lesson finishes.
# Ctrl-C at a pause stops what the learner typed, a busy loop or a receive
# that waits forever, and the lesson goes on; a loop that catches that
# error too is stopped by a second Ctrl-C, which ends the shell as it
# does in the console (the console goes on with a new one); once a pause's
# shell has died, Ctrl-C kills the next plain shell's evaluation.
set -u
OTPLAB=${OTPLAB:-build/otplab}
exec python3 - "$OTPLAB" <<'PY'
import atexit, os, pty, select, signal, sys, time

otplab = sys.argv[1]
pid = fd = None
seen = b""

@atexit.register
def no_lesson_left_behind():
    """A failed check exits here: the lesson under test goes too."""
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
def start(n):
    """Runs `otplab lesson n --interactive` in a new pseudo-terminal."""
    global pid, fd, seen
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(otplab, [otplab, "lesson", str(n), "--interactive"])
    seen = b""

def finish(n):
    """Ctrl-D leaves the console; the lesson must exit 0."""
    global pid
    os.write(fd, b"\x04")
    _, status = os.waitpid(pid, 0)
    pid = None
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("FAIL: interactive lesson %d exited %d" % (n, os.waitstatus_to_exitcode(status)))

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

# Output reaches the terminal above the prompt, which is then redrawn (the
# prompt may show before a step has printed all it prints), so every step
# waits for what the learner would look for, and a pause for the line the
# lesson prints last when it pauses, never for a prompt.
PAUSED = ">> the lesson's processes are live"
INTERRUPTED = "interrupted (Ctrl-C); the lesson goes on"
start(8)
wait_for(PAUSED)                                 # paused after step 1
type_line('print("loop" .. "ing") while true do end')
wait_for("looping")                              # evaluating, never returns
os.write(fd, b"\x03")
wait_for(INTERRUPTED)
type_line('print("wait" .. "ing") otp.receive()')
wait_for("waiting")                              # waits for a message forever
os.write(fd, b"\x03")
wait_for(INTERRUPTED)
type_line("continue()")
wait_for("2. b crashes")
wait_for(PAUSED)                                 # paused after step 2: act
type_line("tree(sup)")
screen = wait_for("└─ c ")
if "one_for_one" not in screen:
    sys.exit("FAIL: tree(sup) did not show the live tree:\n" + screen)
type_line("continue()")
wait_for("Exercise: add a fourth worker")
wait_for(PAUSED)
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
wait_for(PAUSED)
type_line("continue()")
wait_for("Next: lesson 9")
wait_for("Ctrl-D leaves.")
type_line("otp.is_alive(sup) and 'still' .. 'alive'")
wait_for("stillalive")                               # the lesson's tree outlived it
finish(8)

start(4)
wait_for(PAUSED)                                 # paused after step 1 (the table)
type_line("continue()")
wait_for("2. exit(")
wait_for(PAUSED)
type_line("continue()")
wait_for("Exercise: stubborn traps exits")
wait_for(PAUSED)
type_line('otp.exit(stubborn, "shutdown")')
wait_for("true")
type_line("check()")
screen = wait_for("one reason cannot be trapped")
if 'stubborn is alive' not in screen or '{"EXIT", you, "shutdown"}' not in screen:
    sys.exit("FAIL: check() did not say what stubborn got instead:\n" + screen)
type_line('otp.exit(stubborn, "kill")')
wait_for("true")
type_line("check()")
wait_for("yes: the exercise holds")
type_line("continue()")
screen = wait_for("Next: lesson 5")
if "(not solved" in screen:
    sys.exit("FAIL: the solved exercise of lesson 4 was run again:\n" + screen)
wait_for("Ctrl-D leaves.")
finish(4)

start(8)
wait_for(PAUSED)
type_line('print("stub" .. "born") while true do if not pcall(function() while true do end end) then print("caught" .. "it") end end')
wait_for("stubborn")
os.write(fd, b"\x03")
wait_for("caughtit")                             # the typed pcall caught it
os.write(fd, b"\x03")                             # the second one ends the shell
wait_for("was killed; the new shell is")
type_line("'new' .. 'shell'")
wait_for("newshell")
finish(8)

start(8)                                         # a pause's shell dies mid-evaluation:
wait_for(PAUSED)                                 # the console's next shell is a plain one
type_line('otp.spawn_link(function() error("bo" .. "om") end) otp.sleep(5000)')
wait_for("the new shell is")
type_line('print("spin" .. "ning") while true do end')
wait_for("spinning")
os.write(fd, b"\x03")                             # killed, as in any console
wait_for("was killed; the new shell is")
finish(8)
print("ok: interactive lessons 8 and 4 in a pty")
PY
