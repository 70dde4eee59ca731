#!/usr/bin/env python3
"""Drives `otplab console` in a pseudo-terminal as a person does: types,
waits (bounded) for what the screen shows, never sleeps to synchronise.

usage: terminal_session.py OTPLAB  (prints "N passed, N failed"; exit 1 on failure)
"""
import os
import pty
import re
import select
import shutil
import signal
import sys
import tempfile
import termios
import time

OTPLAB = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/otplab")
TOKEN = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|([\r\n\x07\x08])|([^\x1b\r\n\x07\x08]+)")


def render(raw):
    """The screen's lines as a terminal draws them: \\r returns to the start
    of the line, ESC[K erases to its end, ESC[nG moves to column n."""
    lines, col = [""], 0
    for esc_arg, esc, ctl, text in TOKEN.findall(raw.decode("utf-8", "replace")):
        line = lines[-1]
        if text:
            line = line[:col].ljust(col) + text + line[col + len(text):]
            col += len(text)
        elif ctl == "\n":
            lines.append("")
            col = 0
            continue
        elif ctl == "\r":
            col = 0
        elif ctl == "\x08":
            col = max(0, col - 1)
        elif esc == "K":
            line = line[:col]
        elif esc == "G":
            col = int(esc_arg or "1") - 1
        elif esc == "C":
            col += int(esc_arg or "1")
        elif esc == "D":
            col = max(0, col - int(esc_arg or "1"))
        lines[-1] = line
    return "\n".join(lines)


class Console:
    def __init__(self, state_home, args=()):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["XDG_STATE_HOME"] = state_home
            os.environ.pop("NO_COLOR", None)
            os.execv(OTPLAB, ["otplab", "console", *args])
        self.modes_before = termios.tcgetattr(self.fd)
        self.raw = b""
        self.seen = 0          # wait_for looks at output after this point

    def text(self):
        return render(self.raw)

    def prompt(self):
        """Waits for an empty prompt on the last line. The console may draw
        the next prompt before a line's result, then erase it and print the
        result above a redrawn one: call this only after waiting for what the
        last line produced, never right after line(). The next wait looks
        from the start of the prompt's line, which later output overwrites."""
        m = self.wait_for(r"(?m)^> \Z")
        self.seen = m.start()

    def wait_for(self, pattern, timeout=15.0):
        """Waits until the output since the last match contains pattern."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.text(), self.seen)
            if m:
                self.seen = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %r on the screen within %.0f s; it shows:\n%s"
                                     % (pattern, timeout, self.text()[-1500:]))
            r, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if r:
                try:
                    self.raw += os.read(self.fd, 65536)
                except OSError:
                    pass

    def type(self, keys):
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def line(self, text):
        self.type(text + "\r")

    def leave(self, timeout=15.0):
        """Ctrl-D at the prompt; returns the exit status."""
        self.type(b"\x04")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                return os.waitstatus_to_exitcode(status)
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.raw += os.read(self.fd, 65536)
                except OSError:
                    pass
        raise AssertionError("the console did not leave on Ctrl-D within %.0f s" % timeout)

    def close(self):
        if self.pid:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def test_expression_value(c):
    c.wait_for(r"> ")
    c.line("6 * 7")
    c.wait_for(r"\n42\n")


def test_completes_otp_sup_to_otp_supervisor(c):
    c.wait_for(r"> ")
    c.type("otp.sup\t")
    c.wait_for(r"ervisor")
    c.line(" == require('otp.supervisor')")
    c.wait_for(r"\ntrue\n")


def test_two_line_function(c):
    c.wait_for(r"> ")
    c.line("function twice(x)")
    c.wait_for(r"\.\. ")
    c.line("return 2 * x end")        # prints nothing: lines typed ahead run in order
    c.line("twice(21)")
    c.wait_for(r"\n42\n")


def test_survives_syntax_and_runtime_errors(c):
    c.wait_for(r"> ")
    c.line("x = = 1")
    c.wait_for(r"error: console:1: unexpected symbol near '='")
    c.line("nothing_here()")
    c.wait_for(r"error: console:1: attempt to call a nil value \(global 'nothing_here'\)")
    c.line("'still' .. ' here'")
    c.wait_for(r'"still here"')


def test_ctrl_c_interrupts_a_busy_loop_while_a_process_keeps_printing(c):
    c.wait_for(r"> ")
    c.line("kept = 'yes'")
    c.line("otp.spawn(function() for i = 1, 600 do print('tick ' .. i) otp.sleep(50) end end)")
    c.wait_for(r"tick 2\n")
    c.line("while true do end")
    c.wait_for(r"tick \d+\n")          # the node runs while the shell is busy
    c.wait_for(r"tick \d+\n")
    c.type(b"\x03")
    c.wait_for(r"\*\* interrupted: the shell <0\.\d+\.0> was killed")
    c.wait_for(r"tick \d+\n")          # and goes on after
    c.line("kept")
    c.wait_for(r'\n"yes"\n')


def test_ctrl_c_reaches_a_shell_busy_or_waiting_alone(c):
    # Nothing else runs or waits on a timer: what the loop polls between
    # slices (Ctrl-C, the shell's own output) must still come through, and
    # a shell waiting for a message nothing will send waits for Ctrl-C.
    c.wait_for(r"> ")
    c.line('print("spin" .. "ning") while true do end')
    c.wait_for(r"spinning\n")
    c.type(b"\x03")
    c.wait_for(r"\*\* interrupted: the shell <0\.\d+\.0> was killed")
    c.line('print("wait" .. "ing") otp.receive()')
    c.wait_for(r"waiting\n")
    c.type(b"\x03")
    c.wait_for(r"\*\* interrupted: the shell <0\.\d+\.0> was killed")
    c.line("1 + 1")
    c.wait_for(r"\n2\n")


def test_kill_a_demo_counter_and_see_the_new_pid_in_tree(c):
    c.wait_for(r"> ")
    c.line("demo()")
    c.wait_for(r"<0\.\d+\.0 demo_sup>")
    c.line("old = otp.whereis('counter_a')")
    c.line("kill('counter_a')")
    m = c.wait_for(r"counter_a (<0\.\d+\.0>) killed; demo_sup restarted it as (<0\.\d+\.0>) in \d+ us")
    old, new = m.group(1), m.group(2)
    assert old != new, "kill says the new pid is the old one: " + old
    c.line("tree()")
    c.wait_for(r"counter_a " + re.escape(new) + r" worker, restarted 1x")


def test_history_survives_a_restart(state_home):
    first = Console(state_home)
    try:
        first.wait_for(r"> ")
        first.line('remembered = 12345 print("remembered " .. remembered)')
        first.wait_for(r"\nremembered 12345\n")
        first.prompt()
        assert first.leave() == 0
    finally:
        first.close()
    second = Console(state_home)
    try:
        second.wait_for(r"> ")
        second.type(b"\x1b[A")            # up arrow: the previous session's line
        second.wait_for(r"remembered = 12345")
        second.type("\r")                 # run it again: a fresh shell had no such global
        second.wait_for(r"\nremembered 12345\n")
        second.line("remembered")
        second.wait_for(r"\n12345\n")
        second.prompt()
        assert second.leave() == 0
    finally:
        second.close()


def test_ctrl_d_leaves_and_restores_the_terminal(c):
    c.wait_for(r"> ")
    c.line("1")
    c.wait_for(r"\n1\n")
    c.prompt()
    status = c.leave()
    assert status == 0, "exit status %d after Ctrl-D" % status
    after = termios.tcgetattr(c.fd)
    for i, name in enumerate(["iflag", "oflag", "cflag", "lflag"]):
        assert after[i] == c.modes_before[i], "terminal %s not restored: %o, was %o" % (
            name, after[i], c.modes_before[i])


def test_a_crash_restores_the_terminal(c):
    c.wait_for(r"> ")
    c.line("1")
    c.wait_for(r"\n1\n")
    c.prompt()                         # libedit has the terminal in its own modes
    os.kill(c.pid, signal.SIGSEGV)
    os.waitpid(c.pid, 0)
    c.pid = None
    after = termios.tcgetattr(c.fd)
    for i, name in enumerate(["iflag", "oflag", "cflag", "lflag"]):
        assert after[i] == c.modes_before[i], "terminal %s not restored after SIGSEGV: %o, was %o" % (
            name, after[i], c.modes_before[i])


def run_tests(namespace):
    """Runs every test_* function of namespace (a module's globals()): one
    taking state_home gets a fresh folder, the others a fresh Console."""
    tests = [(name, fn) for name, fn in namespace.items() if name.startswith("test_")]
    passed = failed = 0
    for name, fn in tests:
        state_home = tempfile.mkdtemp(prefix="otplab-console-")
        try:
            if fn.__code__.co_varnames[:1] == ("state_home",):
                fn(state_home)
            else:
                c = Console(state_home)
                try:
                    fn(c)
                finally:
                    c.close()
            print("ok    " + name)
            passed += 1
        except Exception as e:   # a failed expectation or a broken console
            print("FAIL  %s: %s" % (name, e))
            failed += 1
        finally:
            shutil.rmtree(state_home, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main():
    return run_tests(globals())


if __name__ == "__main__":
    sys.exit(main())
