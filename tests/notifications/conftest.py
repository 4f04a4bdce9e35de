"""Fixtures for the outbox: real SMTP servers on loopback, and ways to fill the outbox."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import event

from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.notifications.models import ContactPreference, NotificationKind
from fanhub.notifications.services import notify, queue_email


@dataclass
class Arrival:
    """One message as the mail server accepted it."""

    mail_from: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailServerHandler:
    """An aiosmtpd handler that accepts and keeps mail, or refuses it as it is told to.

    `refusals` maps an SMTP stage ("RCPT" or "DATA") to the reply given there, e.g.
    "451 4.3.0 Try again later"; `refused_only` limits the refusals to one recipient.
    """

    received: list[Arrival] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)
    refused_only: str | None = None
    # Seconds the server takes over each message, so concurrent workers overlap.
    delay: float = 0.0

    def _refusal(self, stage: str, recipients: list[str]) -> str | None:
        if self.refused_only is not None and self.refused_only not in recipients:
            return None
        return self.refusals.get(stage)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        refusal = self._refusal("RCPT", [address])
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        refusal = self._refusal("DATA", envelope.rcpt_tos)
        if refusal:
            return refusal
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Arrival(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class LoopbackController(Controller):
    """aiosmtpd's Controller on a port the OS picks.

    aiosmtpd 1.4 checks the server by connecting to `self.port`, which fails for port 0,
    so read the bound port back before that check: no guessed port can be taken meanwhile.
    """

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class MailServer:
    handler: MailServerHandler
    url: str

    @property
    def received(self) -> list[Arrival]:
        return self.handler.received


@pytest.fixture
def start_mail_server() -> Iterator[Callable[..., MailServer]]:
    """`start_mail_server(**smtp_options)`: a real SMTP server on 127.0.0.1 that keeps
    what it accepts; the options go to aiosmtpd's SMTP class (e.g. an authenticator)."""
    controllers: list[Controller] = []

    def start(**smtp_options: Any) -> MailServer:
        handler = MailServerHandler()
        controller = LoopbackController(handler, hostname="127.0.0.1", port=0, **smtp_options)
        controller.start()
        controllers.append(controller)
        return MailServer(handler, f"smtp://127.0.0.1:{controller.port}")

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def mail_server(start_mail_server: Callable[..., MailServer]) -> MailServer:
    """A real SMTP server on 127.0.0.1 that keeps what it accepts."""
    return start_mail_server()


@pytest.fixture
def unused_smtp_url() -> Iterator[str]:
    """An SMTP URL on a loopback port that is bound but not listening, so connecting is
    refused (and no other process can start listening there during the test)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"smtp://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def queue_emails() -> Callable[..., list[int]]:
    """`queue_emails(app, n)` commits n confirmation emails and returns their outbox ids."""

    def queue(app: Flask, count: int = 1, *, to: str = "fan{n}@example.com") -> list[int]:
        with app.app_context():
            with transaction():
                emails = [
                    queue_email(
                        to=to.format(n=n),
                        kind="verify_email",
                        subject="Confirm your email address for fanhub",
                        template="verify_email",
                        user={"username": f"fan{n}"},
                        link=f"http://localhost/verify/token-{n}",
                        now=utcnow(),
                    )
                    for n in range(count)
                ]
            return [email.id for email in emails]

    return queue


@pytest.fixture
def prefer(app: Flask) -> Callable[..., None]:
    """`prefer(member, kind, channel, frequency)` stores her choice as the preference
    centre would, straight into the table (set-up, not a use case under test)."""

    def choose(member: Any, kind: Any, channel: Any, frequency: Any) -> None:
        with app.app_context(), transaction():
            choice = ContactPreference(
                user_id=member.id, kind=kind, channel=channel, frequency=frequency
            )
            db.session.add(choice)

    return choose


@pytest.fixture
def tell(app: Flask) -> Callable[..., int]:
    """`tell(members, kind=…, message=…, url=…)` commits one notification to each, as a
    post or review would; returns how many were told."""

    def notify_members(
        members: Any,
        *,
        kind: NotificationKind = NotificationKind.REPLY,
        message: str = "Sam Ortiz replied to “Kettle clicks off”",
        url: str = "/t/5?post=2",
        actor: Any = None,
    ) -> int:
        with app.app_context(), transaction():
            return notify(
                [member.id for member in members],
                kind=kind,
                message=message,
                url=url,
                actor_id=actor.id if actor else None,
                now=utcnow(),
            )

    return notify_members


@pytest.fixture
def meanwhile() -> Callable[..., Any]:
    """`with meanwhile(app, "UPDATE notifications SET emailed_at", work):` runs work() to
    its end in another thread (own app context, own connection) just before this thread
    first sends a statement starting so: the interleaving a race would produce."""

    @contextmanager
    def interleave(app: Flask, prefix: str, work: Callable[[], Any]) -> Iterator[list[Any]]:
        results: list[Any] = []
        fired: list[bool] = []
        with app.app_context():
            engine = db.engine

        def run_other() -> None:
            with app.app_context():
                results.append(work())

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not fired and statement.lstrip().startswith(prefix):
                fired.append(True)  # once: the other run's own statement must not recurse
                with ThreadPoolExecutor(1) as pool:
                    pool.submit(run_other).result(timeout=30)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield results
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return interleave
