"""Fetches every message of a mailbox with Python's poplib over STLS and prints, per message,
its UIDL and the RETR bytes (hex), so the caller can compare them byte for byte.

usage: poplib_fetch.py HOST PORT USER PASSWORD
output lines: "<uid> <hex of the message>"
"""
import poplib
import ssl
import sys

host, port, user, password = sys.argv[1:5]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
client = poplib.POP3(host, int(port), timeout=30)
client.stls(context=context)
client.user(user)
client.pass_(password)
count, _ = client.stat()
uids = {}
for line in client.uidl()[1]:
    number, uid = line.decode().split()
    uids[int(number)] = uid
for number in range(1, count + 1):
    _, lines, _ = client.retr(number)
    # poplib strips CRLF and undoes the byte-stuffing; the stored form ends every line in CRLF.
    body = b"".join(line + b"\r\n" for line in lines)
    print(uids[number], body.hex())
client.quit()
