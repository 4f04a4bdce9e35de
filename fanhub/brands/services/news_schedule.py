"""Scheduled product news: a draft set to go at a time written in the team's own time zone,
sent once by `flask send-scheduled-news`, or cancelled (back to a draft) before it goes."""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import select, update

from fanhub.accounts.models import User
from fanhub.brands.models import BrandNews, NewsStatus
from fanhub.brands.services.news import deliver_news, not_a_draft
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, can, require

# A scheduled send goes at least this far ahead (time to cancel it) and at most this far.
SCHEDULE_MIN_AHEAD: Final = timedelta(minutes=5)
SCHEDULE_MAX_AHEAD: Final = timedelta(days=90)
DEFAULT_TIME_ZONE: Final = "UTC"


@dataclass(frozen=True)
class ScheduledReport:
    """What one run of `flask send-scheduled-news` did."""

    sent: int = 0
    recipients: int = 0
    # Due, but its sender may no longer send the brand's news: back to a draft.
    held: int = 0


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every time zone a schedule may be written in (IANA names), sorted."""
    return tuple(sorted(zoneinfo.available_timezones() | {DEFAULT_TIME_ZONE}))


def _zone(name: str) -> zoneinfo.ZoneInfo:
    """:raises Invalid: not one of `time_zones()`."""
    if name not in time_zones():
        raise Invalid("Choose a time zone from the list.", field="time_zone")
    return zoneinfo.ZoneInfo(name)


def last_time_zone(brand_id: int) -> str:
    """The zone the brand's last schedule was written in: the form's first choice."""
    zone = db.session.scalar(
        select(BrandNews.time_zone)
        .where(BrandNews.brand_id == brand_id, BrandNews.time_zone.is_not(None))
        .order_by(BrandNews.updated_at.desc(), BrandNews.id.desc())
        .limit(1)
    )
    return zone if zone in time_zones() else DEFAULT_TIME_ZONE


def schedule_news(
    actor: Actor, news: BrandNews, local: datetime, time_zone: str, *, now: datetime
) -> BrandNews:
    """Schedule a draft for `local`, a wall-clock time in `time_zone` (her terms); it goes
    out with `flask send-scheduled-news` once that moment has come.

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Invalid: an unknown zone; a time the zone's clocks skip; less than
        SCHEDULE_MIN_AHEAD or more than SCHEDULE_MAX_AHEAD from now.
    :raises Conflict: it was sent or scheduled meanwhile.
    """
    require(actor, Action.BRAND_NEWS_SEND, news.brand_id, now=now)
    zone = _zone(time_zone)
    wall = local.replace(tzinfo=None, second=0, microsecond=0)
    at = wall.replace(tzinfo=zone).astimezone(UTC)
    if at.astimezone(zone).replace(tzinfo=None) != wall:
        raise Invalid(
            f"Clocks in {time_zone} skip {wall:%H:%M} that day. Choose another time.",
            field="send_at",
        )
    if at < now + SCHEDULE_MIN_AHEAD:
        minutes = int(SCHEDULE_MIN_AHEAD.total_seconds() // 60)
        shown = (now + SCHEDULE_MIN_AHEAD).astimezone(zone)
        raise Invalid(
            f"Choose a time at least {minutes} minutes from now: after {shown:%d %b %Y, %H:%M} "
            f"in {time_zone}.",
            field="send_at",
        )
    if at > now + SCHEDULE_MAX_AHEAD:
        raise Invalid(f"Schedule it at most {SCHEDULE_MAX_AHEAD.days} days ahead.", field="send_at")
    with transaction():
        claimed = rows_changed(
            db.session.execute(
                update(BrandNews)
                .where(BrandNews.id == news.id, BrandNews.status == NewsStatus.DRAFT)
                .values(
                    status=NewsStatus.SCHEDULED,
                    send_at=at,
                    time_zone=time_zone,
                    sender_id=actor.id,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        )
        if not claimed:
            raise Conflict(not_a_draft(news), field="schedule")
    db.session.refresh(news)
    return news


def cancel_news(actor: Actor, news: BrandNews, *, now: datetime) -> BrandNews:
    """Take a scheduled send back before it goes: the news is a draft again.

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Conflict: it went out (or was cancelled) meanwhile.
    """
    require(actor, Action.BRAND_NEWS_SEND, news.brand_id, now=now)
    with transaction():
        cancelled = rows_changed(
            db.session.execute(
                update(BrandNews)
                .where(BrandNews.id == news.id, BrandNews.status == NewsStatus.SCHEDULED)
                .values(status=NewsStatus.DRAFT, send_at=None, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if not cancelled:
            db.session.refresh(news)
            message = (
                "This news has already gone out, so it can't be cancelled."
                if news.status is NewsStatus.SENT
                else "This news is not scheduled any more."
            )
            raise Conflict(message, field="cancel")
    db.session.refresh(news)
    return news


def send_scheduled_news(*, now: datetime) -> ScheduledReport:
    """Send every scheduled piece of news whose time has come, each exactly once.

    Each one is claimed by an UPDATE … WHERE status = 'scheduled' in the transaction that
    sends it: a second worker running at the same moment (or a cancel) finds nothing to
    claim, so no follower hears it twice. News whose sender may no longer send the
    brand's news (her role ended, her account is suspended) goes back to being a draft.
    """
    due = db.session.execute(
        select(BrandNews.id, BrandNews.brand_id, BrandNews.sender_id)
        .where(BrandNews.status == NewsStatus.SCHEDULED, BrandNews.send_at <= now)
        .order_by(BrandNews.send_at, BrandNews.id)
    ).all()
    sent = recipients = held = 0
    for news_id, brand_id, sender_id in due:
        sender = db.session.get(User, sender_id) if sender_id is not None else None
        allowed = sender is not None and can(sender, Action.BRAND_NEWS_SEND, brand_id, now=now)
        with transaction():
            claimed = rows_changed(
                db.session.execute(
                    update(BrandNews)
                    .where(BrandNews.id == news_id, BrandNews.status == NewsStatus.SCHEDULED)
                    .values(
                        {"status": NewsStatus.SENT, "sent_at": now, "updated_at": now}
                        if allowed
                        else {"status": NewsStatus.DRAFT, "send_at": None, "updated_at": now}
                    )
                    .execution_options(synchronize_session=False)
                )
            )
            if not claimed:
                continue
            if not allowed:
                held += 1
                continue
            news = db.session.get_one(BrandNews, news_id)
            db.session.refresh(news)
            recipients += deliver_news(news, now)
            sent += 1
    return ScheduledReport(sent, recipients, held)
