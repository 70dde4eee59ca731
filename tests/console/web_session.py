#!/usr/bin/env python3
"""`otplab console --web` in a pseudo-terminal: the console and the REST API
share one node and one loop. The test types in the console and asks the
API from outside, both ways, and while the shell runs a busy loop.

usage: web_session.py OTPLAB  (prints "N passed, N failed"; exit 1 on failure)
"""
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import terminal_session  # noqa: E402  (its Console drives the pty)
from terminal_session import Console  # noqa: E402

OTPLAB = terminal_session.OTPLAB
URL = r"REST API are at (http://127\.0\.0\.1:(\d+)/)"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path.lstrip("/"), data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_rest_answers_while_the_console_works(state_home):
    port = free_port()
    c = Console(state_home, ("--web", "--port", str(port)))
    try:
        base = c.wait_for(URL, 10).group(1)
        assert base == "http://127.0.0.1:%d/" % port, base
        c.prompt()
        c.line("demo()")
        c.wait_for(r"<0\.\d+\.0 demo_sup>", 10)   # its value: the tree is up
        status, body = call(base, "GET", "/api/v1/processes/counter_a")
        assert status == 200 and body["data"]["name"] == "counter_a", (status, body)
        # what the shell does, the API sees: a name registered at the prompt
        c.line('otp.register("shell_inbox", otp.self()); print("regis" .. "tered")')
        c.wait_for(r"(?m)^registered$", 10)
        status, body = call(base, "POST", "/api/v1/processes/shell_inbox/message",
                            {"type": "send", "message": ["from_rest", 42]})
        assert status == 200, (status, body)
        c.line("flush()")
        c.wait_for(r'from_rest.*42', 10)
        c.prompt()
        # a busy shell does not stop the node: the API answers, Ctrl-C still works
        c.line('print("busy") while true do end')
        c.wait_for(r"(?m)^busy$", 10)     # the loop has begun
        status, body = call(base, "GET", "/api/v1/system/health")
        assert status == 200 and body["success"], (status, body)
        status, body = call(base, "DELETE", "/api/v1/processes/counter_b?reason=kill")
        assert status == 200, (status, body)
        c.type(b"\x03")
        c.wait_for(r"interrupted", 10)
        c.prompt()
        c.line('print(otp.whereis("counter_b") ~= nil)')   # restarted by demo_sup (C6)
        c.wait_for(r"(?m)^true$", 10)
        # the shell may stop the API server itself: the API then says so (503)
        c.line('api = otp.whereis("api_server"); ref = otp.monitor(api); otp.exit(api, "kill"); '
               'otp.receive(otp.match{"DOWN", ref}); print("api " .. "stopped")')
        c.wait_for(r"(?m)^api stopped$", 10)
        status, body = call(base, "GET", "/api/v1/system/health")
        assert status == 503 and body["error"]["code"] == "unavailable", (status, body)
        assert c.leave(10) == 0
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            raise AssertionError("the port is still open after the console left")
        except ConnectionRefusedError:
            pass
    finally:
        c.close()


def test_default_port_taken_another_is_used(state_home):
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        holder.bind(("127.0.0.1", 4000))
        holder.listen(1)
    except OSError:
        pass                      # someone else holds it: it is taken either way
    c = Console(state_home, ("--web",))
    try:
        port = int(c.wait_for(URL, 10).group(2))
        assert port != 4000, "port 4000 is taken, yet the console says it serves there"
        c.prompt()
        status, _ = call("http://127.0.0.1:%d/" % port, "GET", "/api/v1/system/health")
        assert status == 200
        assert c.leave(10) == 0
    finally:
        c.close()
        holder.close()


def test_server_options_without_web_are_a_usage_error(state_home):
    r = subprocess.run([OTPLAB, "console", "--port", "4100"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=20)
    assert r.returncode == 2, r
    assert "--web" in r.stderr, r.stderr


if __name__ == "__main__":
    sys.exit(terminal_session.run_tests(globals()))
