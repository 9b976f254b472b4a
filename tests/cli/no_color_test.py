#!/usr/bin/env python3
"""NO_COLOR (https://no-color.org): `mailharness run` on a terminal colours its outcome labels,
and prints none with NO_COLOR set. The run is under a real pseudo-terminal (pty)."""
import os, pty, sys

binary = sys.argv[1]
one_case = sys.argv[2]


def run_on_terminal(extra_env):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(extra_env)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "run", "--case", one_case], env)
    output = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output


code, coloured = run_on_terminal({})
assert code == 0, (code, coloured)
assert b"\x1b[32m" in coloured, "no colour on a terminal: %r" % coloured
code, plain = run_on_terminal({"NO_COLOR": "1"})
assert code == 0, (code, plain)
assert b"\x1b[3" not in plain and b"\x1b[1;" not in plain, "colour despite NO_COLOR: %r" % plain
print("no_color_test: ok")
