"""A small aiosmtpd peer: STARTTLS, AUTH PLAIN/LOGIN, delivery to one Maildir per account.

Run by ci/peers/aiosmtpd/start with Debian's /usr/bin/python3 (python3-aiosmtpd). Mail for the
known accounts of the domain is stored; other local parts are refused with 550; other domains
are relayed (that is, accepted and dropped) only for authenticated clients, so it is no open
relay.
"""

import argparse
import asyncio
import mailbox
import re
import signal
import ssl
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class MaildirHandler:
    def __init__(self, domain: str, maildir_root: Path, accounts: dict[str, str]):
        self.domain = domain.lower()
        self.accounts = accounts
        self.boxes = {}
        for user in accounts:
            (maildir_root / user).mkdir(parents=True, exist_ok=True)
            self.boxes[user] = mailbox.Maildir(maildir_root / user / "Maildir", create=True)

    def local_user(self, address: str):
        """The account an address reaches, None for another domain (unknown names pass through)."""
        local, at, domain = address.rpartition("@")
        if not at:
            local, domain = address, self.domain  # only <postmaster> may come without a domain
            if local.lower() != "postmaster":
                return None
        if domain.lower() != self.domain:
            return None
        if len(local) >= 2 and local[0] == local[-1] == '"':
            local = re.sub(r"\\(.)", r"\1", local[1:-1])  # "bob" is the same mailbox as bob
        local = local.lower()
        # RFC 5321 4.5.1: every domain accepts postmaster; it reaches the first account.
        return next(iter(self.accounts)) if local == "postmaster" else local

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "@" not in address and address.lower() != "postmaster":
            return "553 5.1.3 Recipient address needs a domain"
        user = self.local_user(address)
        if user is None:
            if not session.authenticated:
                return "550 5.7.1 Relay access denied"  # 550: RFC 5321 3.6.2
        elif user not in self.boxes:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or b""
        header = f"Return-Path: <{envelope.mail_from}>\r\n".encode()
        for address in envelope.rcpt_tos:
            user = self.local_user(address)
            if user is not None:
                self.boxes[user].add(header + content)
        # Foreign recipients of an authenticated client are dropped: nothing leaves the machine.
        return "250 OK stored"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode(errors="replace")
        ok = self.accounts.get(user) == auth_data.password.decode(errors="replace")
        return AuthResult(success=ok, handled=False)


def parse_accounts(pairs: list[str]) -> dict[str, str]:
    accounts = {}
    for pair in pairs:
        user, sep, password = pair.partition(":")
        if not sep or not user:
            raise SystemExit(f"--account expects USER:PASSWORD, got {pair!r}")
        accounts[user] = password
    return accounts


async def serve(args) -> None:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    handler = MaildirHandler(args.domain, Path(args.maildir), parse_accounts(args.account))

    def factory():
        return SMTP(
            handler,
            hostname=f"mx.{args.domain}",
            tls_context=tls,
            enable_SMTPUTF8=True,
            authenticator=handler.authenticate,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host=args.host, port=args.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--domain", required=True)
    parser.add_argument("--maildir", required=True, help="root: <root>/<user>/Maildir")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--account", action="append", default=[], help="USER:PASSWORD")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
