#!/usr/bin/python3
"""A deliberately buggy SMTP server for the network fuzzer's tests (harness/fuzz/).

Prints "PORT PID" on stdout, then serves SMTP on 127.0.0.1:PORT much like the reference does
for the embedded profile (example.test, alice/alice-pw and bob/bob-pw, AUTH PLAIN and LOGIN in
plaintext, no STARTTLS, 421 and close after 20 errors), with four planted bugs:

  crash      a MAIL FROM line longer than 300 octets kills the server process (the supervisor
             restarts it after RESTART_DELAY, so the port refuses connections meanwhile);
  hang       NOOP with an argument (RFC 5321 4.1.1.9 allows one) is never answered;
  grammar    HELP gets a multi-line reply whose second line lacks the "214-" prefix;
  smuggling  the DATA reader also ends the message at LF . LF, so a message with
             "\\n.\\nMAIL FROM..." inside carries a second, smuggled one.

Stop it with SIGTERM to the printed PID (the supervisor), which stops the server too.
"""
import base64
import os
import signal
import socket
import sys
import threading
import time

RESTART_DELAY = 0.2
DOMAIN = "example.test"
ACCOUNTS = {"alice": "alice-pw", "bob": "bob-pw"}
ERROR_LIMIT = 20


class Session:
    def __init__(self, conn):
        self.conn = conn
        self.greeted = False
        self.sender = None
        self.recipients = []
        self.authenticated = False
        self.errors = 0
        self.auth_step = None  # ("PLAIN",) or ("LOGIN", user) while an AUTH exchange runs

    def send(self, text):
        self.conn.sendall(text.encode())
        code = text[:1]
        if code in "45":
            self.errors += 1
            if self.errors >= ERROR_LIMIT:
                self.conn.sendall(b"421 4.7.0 too many errors\r\n")
                raise EOFError

    def reset(self):
        self.sender = None
        self.recipients = []

    def recipient_ok(self, path):
        address = path.strip("<>").lower()
        if address == "postmaster" or address == "postmaster@" + DOMAIN:
            return "250 2.1.5 ok\r\n"
        local, _, domain = address.rpartition("@")
        if domain == DOMAIN:
            return "250 2.1.5 ok\r\n" if local in ACCOUNTS else "550 5.1.1 no such user\r\n"
        return "250 2.1.5 relay\r\n" if self.authenticated else "554 5.7.1 relay denied\r\n"

    def check_plain(self, token):
        try:
            fields = base64.b64decode(token, validate=True).split(b"\0")
        except Exception:
            return "501 5.5.2 bad base64\r\n"
        if len(fields) == 3 and ACCOUNTS.get(fields[1].decode(errors="replace")) == \
                fields[2].decode(errors="replace") and fields[0] in (b"", fields[1]):
            self.authenticated = True
            return "235 2.7.0 ok\r\n"
        return "535 5.7.8 bad credentials\r\n"

    def auth_continue(self, line):
        step = self.auth_step
        self.auth_step = None
        if line == "*":
            return "501 5.0.0 cancelled\r\n"
        if step[0] == "PLAIN":
            return self.check_plain(line)
        try:
            value = base64.b64decode(line, validate=True).decode(errors="replace")
        except Exception:
            return "501 5.5.2 bad base64\r\n"
        if step[0] == "LOGIN":
            self.auth_step = ("LOGIN-PASS", value)
            return "334 UGFzc3dvcmQ6\r\n"
        if ACCOUNTS.get(step[1]) == value:
            self.authenticated = True
            return "235 2.7.0 ok\r\n"
        return "535 5.7.8 bad credentials\r\n"

    def command(self, line):
        """The reply to one command line, or None for no reply."""
        if self.auth_step:
            return self.auth_continue(line)
        if len(line) > 510:
            return "500 5.5.2 line too long\r\n"
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        if verb in ("EHLO", "HELO"):
            if not arg.strip():
                return "501 5.5.4 a domain is needed\r\n"
            self.greeted = True
            self.reset()
            if verb == "HELO":
                return "250 buggy.example.test\r\n"
            return ("250-buggy.example.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                    "250-SIZE 10485760\r\n250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN LOGIN\r\n")
        if verb == "MAIL":
            if len(line) > 300:
                os._exit(70)  # planted bug: crash on a long MAIL FROM
            if not self.greeted or self.sender is not None:
                return "503 5.5.1 bad sequence\r\n"
            if not arg.upper().startswith("FROM:<") or ">" not in arg:
                return "501 5.5.4 syntax: MAIL FROM:<address>\r\n"
            self.sender = arg[5:arg.index(">") + 1]
            return "250 2.1.0 ok\r\n"
        if verb == "RCPT":
            if self.sender is None:
                return "503 5.5.1 need MAIL first\r\n"
            if not arg.upper().startswith("TO:<") or ">" not in arg:
                return "501 5.5.4 syntax: RCPT TO:<address>\r\n"
            reply = self.recipient_ok(arg[3:arg.index(">") + 1])
            if reply.startswith("250"):
                self.recipients.append(arg)
            return reply
        if verb == "DATA":
            if arg:
                return "501 5.5.4 no parameters\r\n"
            if self.sender is None:
                return "503 5.5.1 need MAIL first\r\n"
            if not self.recipients:
                return "554 5.5.1 no valid recipients\r\n"
            return "354 end with <CRLF>.<CRLF>\r\n"
        if verb == "RSET":
            self.reset()
            return "250 2.0.0 ok\r\n"
        if verb == "NOOP":
            if arg:
                return None  # planted bug: NOOP with an argument is never answered
            return "250 2.0.0 ok\r\n"
        if verb == "HELP":
            # planted bug: the second line lacks the code-hyphen continuation
            return "214-Commands:\r\n  EHLO MAIL RCPT DATA\r\n214 2.0.0 end\r\n"
        if verb == "VRFY":
            return "252 2.5.2 cannot verify\r\n"
        if verb == "EXPN":
            return "502 5.5.1 not implemented\r\n"
        if verb == "AUTH":
            mechanism, _, initial = arg.partition(" ")
            mechanism = mechanism.upper()
            if self.authenticated:
                return "503 5.5.1 already authenticated\r\n"
            if mechanism == "PLAIN":
                if initial:
                    return self.check_plain(initial)
                self.auth_step = ("PLAIN",)
                return "334 \r\n"
            if mechanism == "LOGIN":
                self.auth_step = ("LOGIN",)
                return "334 VXNlcm5hbWU6\r\n"
            return "504 5.5.4 unknown mechanism\r\n"
        if verb == "QUIT":
            return "221 2.0.0 bye\r\n"
        return "500 5.5.2 unknown command\r\n"


def find_end_of_data(buffer):
    """Offset just past the end of data, or -1. Vulnerable: LF . LF ends it too."""
    view = b"\r\n" + buffer
    ends = [i for i in (view.find(b"\r\n.\r\n"), view.find(b"\n.\n")) if i >= 0]
    if not ends:
        return -1
    start = min(ends)
    length = 5 if view.startswith(b"\r\n.\r\n", start) else 3
    return start + length - 2


def serve(conn):
    session = Session(conn)
    buffer = b""
    in_data = False
    try:
        conn.sendall(b"220 buggy.example.test ESMTP\r\n")
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
            while True:
                if in_data:
                    end = find_end_of_data(buffer)
                    if end < 0:
                        buffer = buffer[-8:] if len(buffer) > (1 << 20) else buffer
                        break
                    buffer = buffer[end:]
                    in_data = False
                    session.reset()
                    session.send("250 2.0.0 queued\r\n")
                    continue
                if b"\r\n" not in buffer:
                    if len(buffer) > 4096:
                        buffer = b""
                        session.send("500 5.5.2 line too long\r\n")
                    break
                raw, buffer = buffer.split(b"\r\n", 1)
                reply = session.command(raw.decode("latin-1"))
                if reply is None:
                    continue
                session.send(reply)
                if reply.startswith("354"):
                    in_data = True
                if reply.startswith("221"):
                    return
    except (EOFError, OSError):
        return
    finally:
        conn.close()


def child(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def main():
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    current = [0]

    def stop(_signum, _frame):
        if current[0]:
            try:
                os.kill(current[0], signal.SIGKILL)
            except ProcessLookupError:
                pass  # the child had crashed on purpose and was reaped already
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    announced = False
    while True:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            child(port)
            os._exit(0)
        current[0] = pid
        if not announced:
            time.sleep(0.1)  # the child is listening before anyone is told the port
            print(port, os.getpid(), flush=True)
            announced = True
        os.waitpid(pid, 0)
        time.sleep(RESTART_DELAY)


if __name__ == "__main__":
    sys.exit(main())
