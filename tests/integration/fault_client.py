"""A real client (Python's smtplib / poplib) against `serve --faults`: prints what it saw,
one "step outcome" line each, for serve_faults_test.

usage: fault_client.py smtp PORT | pop3 PORT | greetings PORT COUNT
"""
import poplib
import smtplib
import sys
import time


def smtp(port):
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.ehlo("client.example.test")
    start = time.monotonic()
    code, _ = s.docmd("HELP")
    print(f"help {code} {time.monotonic() - start:.2f}")
    code, text = s.noop()
    print(f"noop {code} {text.decode(errors='replace')}")
    s.mail("x@client.example.test")
    for rcpt in ("alice@example.test", "bob@example.test"):
        code, text = s.rcpt(rcpt)
        print(f"rcpt {code} {text.decode(errors='replace')}")
    code, text = s.data(b"Subject: faults\r\n\r\nbody\r\n")  # smtplib raises on 4xx/5xx? no: returns
    print(f"data {code} {text.decode(errors='replace')}")
    s.sendmail("x@client.example.test", ["alice@example.test"], b"Subject: again\r\n\r\nok\r\n")
    print("second-message 250")
    try:
        s.verify("alice")
        print("vrfy answered")
    except smtplib.SMTPServerDisconnected:
        print("vrfy disconnected")


def pop3(port):
    p = poplib.POP3("127.0.0.1", port, timeout=10)
    p.user("alice")
    p.pass_("alice-pw")
    try:
        p.stat()
        print("stat ok")
    except poplib.error_proto as e:
        print(f"stat {e.args[0].decode()}")
    print(f"list {p.list()[0].decode()}")
    p.quit()


def greetings(port, count):
    outcomes = []
    for _ in range(count):
        try:
            p = poplib.POP3("127.0.0.1", port, timeout=10)
            p.quit()
            outcomes.append("G")
        except (poplib.error_proto, OSError, EOFError):
            outcomes.append("x")
    print("greetings " + "".join(outcomes))


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "smtp":
        smtp(port)
    elif mode == "pop3":
        pop3(port)
    else:
        greetings(port, int(sys.argv[3]))
