"""Sends a file's bytes with Python's smtplib: STARTTLS, then AUTH PLAIN.

usage: smtplib_send.py HOST PORT USER PASSWORD FROM TO MESSAGE_FILE
The certificate is the server's self-signed one, so verification is off.
"""
import smtplib
import ssl
import sys

host, port, user, password, sender, recipient, path = sys.argv[1:8]
with open(path, "rb") as f:
    message = f.read()
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with smtplib.SMTP(host, int(port), timeout=30) as client:
    client.ehlo("client.example.test")
    client.starttls(context=context)
    client.ehlo("client.example.test")
    if "PLAIN" not in client.esmtp_features.get("auth", "").split():
        sys.exit("server does not offer AUTH PLAIN after STARTTLS")
    client.user, client.password = user, password
    client.auth("PLAIN", client.auth_plain)
    refused = client.sendmail(sender, [recipient], message)
    if refused:
        sys.exit(f"refused: {refused}")
