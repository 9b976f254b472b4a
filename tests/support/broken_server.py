#!/usr/bin/python3
"""A deliberately broken SMTP server for the runner's tests.

Listens on 127.0.0.1 (free port), prints "PORT PID" on stdout, then serves each connection:
greeting "220 broken.test", and per command:
  EHLO      -> a malformed multi-line reply (line 2 lacks the code-hyphen continuation)
  NOOP      -> 500 (a wrong code: the right one is 250)
  MIXED     -> a multi-line reply whose lines carry different codes
  SILENT    -> no answer at all
  CLOSE     -> closes the connection without a reply
  ENDLESS   -> an endless line with no line end (the client must cut it off)
  FOREVER   -> an endless multi-line reply: well-formed "250-" lines that never end
  MIDLINE   -> the start of a reply line, then closes in the middle of it
  RESET     -> a TCP reset (RST) instead of an answer
  UTF8      -> a reply whose text is invalid UTF-8
  NUL       -> a reply with a NUL byte in its text
  SLOW      -> 250 after 300 ms
  STARTTLS  -> 220, then TLS 1.2 with a throwaway self-signed certificate
  ALERT     -> (after STARTTLS) a fatal TLS alert record instead of an answer, then closes
  STATS     -> "250 max-concurrent N": the most connections that were ever open at once
  QUIT      -> 221 and close
  other     -> 502
With --mute the server accepts connections and never sends a byte (no greeting).
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

# A TLS 1.2 alert record sent in the clear: level fatal (2), internal_error (80). Inside an
# established session the client cannot authenticate it and must fail the session.
FATAL_ALERT = bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50])

lock = threading.Lock()
open_connections = 0
max_concurrent = 0


def tls_context():
    folder = tempfile.mkdtemp(prefix="broken-server-")
    key, cert = os.path.join(folder, "key.pem"), os.path.join(folder, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", "/CN=broken.test", "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def answer(conn, verb, context):
    """Answers one command; returns the connection to go on with, or None to stop."""
    replies = {
        b"EHLO": b"250-broken.test\r\nPIPELINING\r\n250 SIZE 1000\r\n",
        b"NOOP": b"500 5.5.1 what\r\n",
        b"MIXED": b"250-first\r\n251 second\r\n",
        b"UTF8": b"250 caf\xc3\x28 \xff\xfe done\r\n",
        b"NUL": b"250 nul\x00inside\r\n",
        b"STATS": b"250 max-concurrent %d\r\n" % max_concurrent,
    }
    if verb in replies:
        conn.sendall(replies[verb])
    elif verb == b"SILENT":
        pass
    elif verb == b"CLOSE":
        return None
    elif verb in (b"ENDLESS", b"FOREVER"):
        chunk = b"x" * 65536 if verb == b"ENDLESS" else b"250-more\r\n" * 6554
        try:
            while True:
                conn.sendall(chunk)
        except OSError:
            return None
    elif verb == b"MIDLINE":
        conn.sendall(b"250 half a rep")
        return None
    elif verb == b"RESET":
        reset(conn)
        return None
    elif verb == b"SLOW":
        time.sleep(0.3)
        conn.sendall(b"250 slow\r\n")
    elif verb == b"STARTTLS":
        conn.sendall(b"220 go ahead\r\n")
        return context.wrap_socket(conn, server_side=True)
    elif verb == b"ALERT" and isinstance(conn, ssl.SSLSocket):
        raw = socket.socket(fileno=os.dup(conn.fileno()))
        raw.sendall(FATAL_ALERT)
        raw.close()
        return None
    elif verb == b"QUIT":
        conn.sendall(b"221 bye\r\n")
        return None
    else:
        conn.sendall(b"502 no\r\n")
    return conn


def converse(conn, context):
    conn.sendall(b"220 broken.test ESMTP\r\n")
    buffer = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            conn = answer(conn, line.strip().split(b" ")[0].upper(), context)
            if conn is None:
                return


def serve(conn, context, mute):
    global open_connections, max_concurrent
    with lock:
        open_connections += 1
        max_concurrent = max(max_concurrent, open_connections)
    try:
        if mute:
            while conn.recv(4096):
                pass
        else:
            converse(conn, context)
    except (OSError, ssl.SSLError):
        pass
    finally:
        with lock:
            open_connections -= 1
        try:
            conn.close()
        except OSError:
            pass


def main():
    mute = "--mute" in sys.argv[1:]
    context = None if mute else tls_context()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    print(listener.getsockname()[1], os.getpid(), flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, context, mute), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
