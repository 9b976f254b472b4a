"""Reads message 1 of a mailbox with Python's poplib over STLS - UIDL, TOP and RETR - and checks
that a second session on the same mailbox, opened meanwhile, is refused with [IN-USE]
(RFC 2449 8.1.3).

usage: poplib_check.py HOST PORT USER PASSWORD
output lines: "uidl <uid>", "top <hex of TOP 1 0>", "retr <hex of RETR 1>", "second <reply>"
"""
import poplib
import ssl
import sys

host, port, user, password = sys.argv[1:5]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


def login():
    client = poplib.POP3(host, int(port), timeout=30)
    client.stls(context=context)
    client.user(user)
    client.pass_(password)
    return client


def joined(lines):
    # poplib strips CRLF and undoes the byte-stuffing; the stored form ends every line in CRLF.
    return b"".join(line + b"\r\n" for line in lines)


first = login()
print("uidl", first.uidl(1).decode().split()[2])
print("top", joined(first.top(1, 0)[1]).hex())
print("retr", joined(first.retr(1)[1]).hex())
try:
    login().quit()
    print("second logged in")
except poplib.error_proto as error:
    print("second", error.args[0].decode())
first.quit()
