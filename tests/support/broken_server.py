#!/usr/bin/python3
"""A deliberately broken SMTP server for the runner's tests.

Listens on 127.0.0.1 (free port), prints "PORT PID" on stdout, then serves each connection:
greeting "220 broken.test", and per command:
  EHLO     -> a malformed multi-line reply (line 2 lacks the code-hyphen continuation)
  NOOP     -> 500 (a wrong code: the right one is 250)
  MIXED    -> a multi-line reply whose lines carry different codes
  SILENT   -> no answer at all
  CLOSE    -> closes the connection without a reply
  ENDLESS  -> an endless line with no line end (the client must cut it off)
  QUIT     -> 221 and close
  other    -> 502
"""
import os
import socket
import sys
import threading


def serve(conn):
    with conn:
        conn.sendall(b"220 broken.test ESMTP\r\n")
        buffer = b""
        while True:
            data = conn.recv(4096)
            if not data:
                return
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                verb = line.strip().split(b" ")[0].upper()
                if verb == b"EHLO":
                    conn.sendall(b"250-broken.test\r\nPIPELINING\r\n250 SIZE 1000\r\n")
                elif verb == b"NOOP":
                    conn.sendall(b"500 5.5.1 what\r\n")
                elif verb == b"MIXED":
                    conn.sendall(b"250-first\r\n251 second\r\n")
                elif verb == b"SILENT":
                    pass
                elif verb == b"CLOSE":
                    return
                elif verb == b"ENDLESS":
                    try:
                        while True:
                            conn.sendall(b"x" * 65536)
                    except OSError:
                        return
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"502 no\r\n")


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], os.getpid(), flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
