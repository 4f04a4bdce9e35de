"""A member's inbox: her notifications page by page, and marking them read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from fanhub.accounts.models import User
from fanhub.db import rows_changed, transaction
from fanhub.errors import Forbidden, NotFound
from fanhub.extensions import db
from fanhub.notifications.models import Notification
from fanhub.permissions import Actor

NOTIFICATIONS_PER_PAGE = 30


@dataclass
class NotificationsPage:
    """One page of a member's notifications, newest first."""

    notifications: list[Notification]
    unread_count: int
    # Pass as `before` for the next (older) page; None on the last page.
    next_before: int | None


def notifications_page(viewer: User, before_id: int | None = None) -> NotificationsPage:
    """The viewer's notifications, 30 at a time, older pages by id (never OFFSET).

    :raises Forbidden: the viewer is not signed in.
    """
    user_id = _member_id(viewer)
    query = select(Notification).where(
        Notification.user_id == user_id, Notification.in_inbox.is_(True)
    )
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = list(
        db.session.scalars(query.order_by(Notification.id.desc()).limit(NOTIFICATIONS_PER_PAGE + 1))
    )
    next_before = None
    if len(rows) > NOTIFICATIONS_PER_PAGE:
        rows = rows[:NOTIFICATIONS_PER_PAGE]
        next_before = rows[-1].id
    # The counter in the member's row, not COUNT(*): it is already loaded.
    return NotificationsPage(rows, viewer.unread_notification_count, next_before)


def mark_read(actor: Actor, notification_id: int, *, now: datetime) -> Notification:
    """Mark one of the actor's notifications read and return it (to follow its link).

    Reading it again changes nothing.

    :raises Forbidden: the actor is not signed in.
    :raises NotFound: no such notification in her inbox (someone else's, or email only).
    """
    user_id = _member_id(actor)
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id,
            Notification.user_id == user_id,
            # An email-only notification never showed in her inbox, nor counted there.
            Notification.in_inbox.is_(True),
        )
    )
    if notification is None:
        raise NotFound("There is no such notification.")
    if notification.read_at is not None:
        return notification
    with transaction():
        # Only the request that flips it from unread takes one off the counter, so a
        # double click does not count it twice.
        marked = rows_changed(
            db.session.execute(
                update(Notification)
                .where(Notification.id == notification.id, Notification.read_at.is_(None))
                .values(read_at=now)
            )
        )
        if marked:
            db.session.execute(
                update(User)
                .where(User.id == user_id, User.unread_notification_count > 0)
                .values(unread_notification_count=User.unread_notification_count - 1)
            )
    return notification


def mark_all_read(actor: Actor, *, now: datetime) -> int:
    """Mark all the actor's notifications read and zero her unread count; returns how many.

    :raises Forbidden: the actor is not signed in.
    """
    user_id = _member_id(actor)
    with transaction():
        # The counter first: that locks the member's row, so a notification being
        # written at this moment waits for us and then counts as unread, instead of
        # being marked read here while its count survives (or the other way round).
        db.session.execute(
            update(User).where(User.id == user_id).values(unread_notification_count=0)
        )
        marked = rows_changed(
            db.session.execute(
                update(Notification)
                .where(
                    Notification.user_id == user_id,
                    Notification.in_inbox.is_(True),
                    Notification.read_at.is_(None),
                )
                .values(read_at=now)
                .execution_options(synchronize_session=False)
            )
        )
    return marked


def _member_id(actor: Actor) -> int:
    member_id = actor.id if getattr(actor, "is_authenticated", False) else None
    if member_id is None:
        raise Forbidden("Log in to see your notifications.")
    return member_id
