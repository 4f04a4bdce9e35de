"""Telling members what happened: one notification each, as each asked, in the caller's
transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.notifications.models import (
    BRAND_NAME_MAX,
    MESSAGE_MAX,
    THREAD_KEY_MAX,
    URL_MAX,
    Channel,
    Frequency,
    Notification,
    NotificationKind,
    quoted_title,
    thread_key_of,
)
from fanhub.notifications.preferences import (
    email_due_at,
    frequencies_by_kind,
    message_kind,
)


@dataclass(frozen=True)
class Notice:
    """What to tell some members about one event (a post, a review), and the thread it
    belongs to: its key ("topic:12"), its title, and the brand it happened at."""

    recipient_ids: frozenset[int]
    kind: NotificationKind
    message: str
    url: str
    thread_key: str | None = None
    thread_title: str | None = None
    brand_id: int | None = None
    brand_name: str | None = None
    # Members the caller emailed about it itself, in this transaction (a brand's product
    # news goes out in its own email): their notification counts as emailed already, so
    # no instant email or digest repeats it.
    emailed: frozenset[int] = frozenset()


def notify(
    recipient_ids: Iterable[int],
    *,
    kind: NotificationKind,
    message: str,
    url: str,
    actor_id: int | None,
    now: datetime,
    thread_key: str | None = None,
    thread_title: str | None = None,
    brand_id: int | None = None,
    brand_name: str | None = None,
) -> int:
    """Tell each member once, never the actor, as she asked, in the caller's transaction
    (no commit); see `notify_each`.

    The thread (`thread_key`, `thread_title`, the brand) is what emails group by and name
    it by; without one, the key and title are read from `url` and `message` now.

    Returns how many members were told. The unread counter of each one who sees it on
    the site moves in SQL in the same transaction, so the header shows it without a
    query and two notifications at the same instant both count.

    :raises ValueError: `url` is not a path on this site (the inbox redirects to it).
    """
    return notify_each(
        [
            Notice(
                frozenset(recipient_ids),
                kind,
                message,
                url,
                thread_key=thread_key,
                thread_title=thread_title,
                brand_id=brand_id,
                brand_name=brand_name,
            )
        ],
        actor_id=actor_id,
        now=now,
    )


def notify_each(notices: Iterable[Notice], *, actor_id: int | None, now: datetime) -> int:
    """Tell members about one event at `now`, each at most once, never the actor, as each asked.

    A member named by several notices gets only the first, so callers list the most
    specific reason first. Her preferences for the notice's kind of message decide the
    rest: on the site never, and the notification skips her inbox and unread count; by
    email at once, and it waits EMAIL_COALESCE_MINUTES (so a lively thread makes one
    email, `emails.queue_instant_emails`); daily or weekly, and it waits for her digest.
    If she wants this kind by no channel at all she gets no row, and a later, less
    specific notice may still tell her (muted official answers, but watching the topic:
    she hears of the reply). Her account's own news (no message kind) always reaches her
    inbox and is never emailed.

    Each row keeps the notice's thread, so emails group and title it without reading
    the message; a notice naming no thread is keyed by its link (`thread_key_of`) and
    titled by what its message quotes.

    Writes in the caller's transaction (no commit); returns how many members were told.

    :raises ValueError: a notice's `url` is not a path on this site.
    """
    told: set[int] = set() if actor_id is None else {actor_id}
    rows: list[dict[str, Any]] = []
    instant_due_at = email_due_at(Frequency.INSTANT, now)
    notices = list(notices)
    # Everyone's choices for every kind these notices are about, in one query.
    choices = frequencies_by_kind(
        {user_id for notice in notices for user_id in notice.recipient_ids} - told,
        {kind for notice in notices if (kind := message_kind(notice.kind)) is not None},
    )
    for notice in notices:
        if not _is_site_path(notice.url) or len(notice.url) > URL_MAX:
            raise ValueError(f"a notification links to a path on this site, not {notice.url!r}")
        message = _bounded(notice.message, MESSAGE_MAX)
        thread_key = notice.thread_key or thread_key_of(notice.url)
        if len(thread_key) > THREAD_KEY_MAX:
            raise ValueError(f"a thread key is at most {THREAD_KEY_MAX} characters")
        title = notice.thread_title
        if title is None and notice.thread_key is None:
            title = quoted_title(notice.message)
        thread = {
            "thread_key": thread_key,
            "thread_title": _bounded(title, MESSAGE_MAX) if title else None,
            "brand_id": notice.brand_id,
            "brand_name": _bounded(notice.brand_name, BRAND_NAME_MAX)
            if notice.brand_name
            else None,
        }
        candidates = notice.recipient_ids - told
        if not candidates:
            continue
        kind = message_kind(notice.kind)
        chosen = choices[kind] if kind is not None else {}
        for user_id in sorted(candidates):
            onsite, email = (
                (chosen[user_id][Channel.ONSITE], chosen[user_id][Channel.EMAIL])
                if kind is not None
                else (Frequency.INSTANT, Frequency.NEVER)
            )
            if onsite is Frequency.NEVER and email is Frequency.NEVER:
                continue
            told.add(user_id)
            rows.append(
                {
                    "user_id": user_id,
                    "kind": notice.kind,
                    "actor_id": actor_id,
                    "message": message,
                    "url": notice.url,
                    **thread,
                    "created_at": now,
                    "in_inbox": onsite is not Frequency.NEVER,
                    "email_frequency": None if email is Frequency.NEVER else email,
                    "email_due_at": instant_due_at if email is Frequency.INSTANT else None,
                    "emailed_at": now if user_id in notice.emailed else None,
                }
            )
    if not rows:
        return 0
    # One INSERT for everyone and one UPDATE for every counter: a post watched by
    # thousands costs what a post watched by two does. A single UPDATE also takes the
    # members' row locks in one (index) order, so two posts notifying the same people
    # at the same moment wait for each other instead of deadlocking.
    db.session.execute(insert(Notification), rows)
    # Only what reaches her inbox counts as unread: an email-only row never shows there.
    counted = sorted(row["user_id"] for row in rows if row["in_inbox"])
    if counted:
        db.session.execute(
            update(User)
            .where(User.id.in_(counted))
            .values(unread_notification_count=User.unread_notification_count + 1)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_site_path(url: str) -> bool:
    # "//host" and "/\host" are other sites to a browser (it reads a backslash as a slash).
    return url.startswith("/") and not url.startswith(("//", "/\\"))
