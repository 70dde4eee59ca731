#!/usr/bin/env bash
# Proves: what every lesson tells the learner to try next ("Try in the
# console: ...") runs as typed in the console the interactive lesson ends in
# (its names are globals there): no syntax error, no Lua error. Each lesson
# runs with --interactive in a pseudo-terminal, goes on at every pause, then
# gets its own try line typed in; a marker printed afterwards bounds the wait.
set -u
OTPLAB=${OTPLAB:-build/otplab}
exec python3 - "$OTPLAB" lessons/[0-9]*_*.lua <<'PY'
import atexit, os, pty, re, select, signal, sys, time

otplab, files = sys.argv[1], sys.argv[2:]
PAUSED = b">> the lesson's processes are live"
running = []                                      # the lesson under test, if any

@atexit.register
def no_lesson_left_behind():
    """A failed check exits here: the lesson under test goes too."""
    for pid in running:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

def run(n):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(otplab, [otplab, "lesson", str(n), "--interactive"])
    running[:] = [pid]
    seen, pending = b"", b""
    def read(until, timeout=30.0):
        """Reads until `until` (bytes) shows up; returns all that came."""
        nonlocal seen, pending
        deadline = time.monotonic() + timeout
        while until not in pending:
            left = deadline - time.monotonic()
            if left <= 0:
                sys.exit("FAIL: lesson %d: waited for %r; the screen shows:\n%s"
                         % (n, until, seen.decode(errors="replace")[-2000:]))
            r, _, _ = select.select([fd], [], [], left)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    sys.exit("FAIL: lesson %d ended while waiting for %r:\n%s"
                             % (n, until, seen.decode(errors="replace")[-2000:]))
                seen += chunk
                pending += chunk
                # a pause or an exercise: go on. Its last line, not the prompt,
                # which may be drawn (and redrawn) while a step still prints
                if until == b"Ctrl-D leaves." and PAUSED in pending and until not in pending:
                    os.write(fd, b"continue()\n")
                    pending = b""
        i = pending.index(until) + len(until)
        out, pending = pending[:i], pending[i:]
        return out
    read(b"Ctrl-D leaves.")
    m = re.search(rb"Try in the console: (.*?)\r?\n", seen)
    if not m:
        sys.exit("FAIL: lesson %d says nothing to try in the console" % n)
    try_line = m.group(1)
    os.write(fd, b'print("READY" .. "MARK")\n')      # stray continue()s are evaluated before it
    read(b"READYMARK\r\n")
    os.write(fd, try_line + b'\nprint("TRIED" .. "MARK")\n')
    screen = read(b"TRIEDMARK\r\n").decode(errors="replace")
    for bad in ("error:", "syntax"):
        if bad in screen:
            sys.exit("FAIL: lesson %d: its try %r failed in the console:\n%s"
                     % (n, try_line.decode(), screen))
    os.write(fd, b"\x04")
    _, status = os.waitpid(pid, 0)
    running.clear()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("FAIL: lesson %d exited %d" % (n, os.waitstatus_to_exitcode(status)))

for f in files:
    run(int(os.path.basename(f).split("_")[0]))
print("ok: the console tries of %d lessons run" % len(files))
PY
