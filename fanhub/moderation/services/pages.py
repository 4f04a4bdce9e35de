"""The moderators' pages: the queue, the log, a member's page, and the header's link."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import bleach
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.content import Item, ItemKind, content_kind, is_content
from fanhub.cursors import make_cursor, read_cursor
from fanhub.errors import Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.inputs import CURSOR_MESSAGE
from fanhub.moderation import trust
from fanhub.moderation.models import (
    Appeal,
    Case,
    CaseStatus,
    Decision,
    Flag,
    FlagReason,
    FlagStatus,
    ModerationAction,
)
from fanhub.moderation.services.items import NEEDS_RULE, waiting_lists
from fanhub.permissions import Action, Actor, brands_where, can, moderated_brands, require
from fanhub.text import render_markdown

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
# The queue shows a few lines of each item: more source than that is never rendered.
EXCERPT_SOURCE = 1000


def plain_excerpt(markdown: str) -> str:
    """Member Markdown as the plain text a reader sees: no `**`, `#` or link syntax."""
    rendered = render_markdown(markdown[:EXCERPT_SOURCE])
    text = html.unescape(bleach.clean(rendered, tags=[], strip=True))
    return " ".join(text.split())


@dataclass
class QueueRow:
    """One item in the queue, with everything said about it."""

    case: Case
    target: Item | None
    reasons: Counter[FlagReason]
    notes: list[tuple[str, str]]
    appeal: Appeal | None
    # The item's words as plain text ("" when it is gone or a member's account).
    excerpt: str = ""
    # Decisions that found its author broke a rule before (hide, remove, suspend…).
    past_decisions: int = 0


@dataclass
class PendingRow:
    """An item waiting for approval outside the cases (a pending review)."""

    row: Any
    excerpt: str


@dataclass
class QueuePage:
    rows: list[QueueRow]
    # Items waiting for approval outside the cases (pending reviews), oldest first.
    pending: list[PendingRow]
    next_cursor: str | None
    next_pending: str | None
    brands: list[Brand] = field(default_factory=list)
    is_admin: bool = False


def _brands_of(viewer: Actor, *, now: datetime) -> frozenset[int] | None:
    brands = moderated_brands(viewer, now=now)
    if brands is not None and not brands:
        raise Forbidden("Only moderators and site admins can see the moderation queue.")
    return brands


def queue_page(
    viewer: Actor, *, cursor: str | None = None, pending_cursor: str | None = None, now: datetime
) -> QueuePage:
    """Open cases (flags and appeals) and reviews waiting for approval, oldest first,
    for the brands the viewer moderates (every brand for admins); a fixed number of
    queries however many flags wait.

    :raises Forbidden: the viewer moderates no brand.
    :raises Invalid: a cursor this page did not hand out.
    """
    brands = _brands_of(viewer, now=now)
    query = (
        select(Case)
        .options(joinedload(Case.subject), joinedload(Case.brand))
        .where(Case.status == CaseStatus.OPEN)
    )
    if brands is not None:
        query = query.where(Case.brand_id.in_(brands))
    if cursor:
        moment, last_id = read_cursor(cursor, datetime, int)
        query = query.where(
            or_(Case.opened_at > moment, and_(Case.opened_at == moment, Case.id > last_id))
        )
    cases = list(
        db.session.scalars(query.order_by(Case.opened_at, Case.id).limit(PAGE_SIZE + 1)).unique()
    )
    next_cursor = None
    if len(cases) > PAGE_SIZE:
        cases = cases[:PAGE_SIZE]
        next_cursor = make_cursor(cases[-1].opened_at, cases[-1].id)
    after = read_cursor(pending_cursor, int)[0] if pending_cursor else 0
    pending: list[Any] = []
    for waiting in waiting_lists():
        pending += waiting.waiting_for_approval(brands, after=after, limit=PAGE_SIZE + 1)
    next_pending = None
    if len(pending) > PAGE_SIZE:
        pending = pending[:PAGE_SIZE]
        next_pending = make_cursor(pending[-1].id)
    rows = _rows(cases)
    # The row's head shows its title: the excerpt is its body.
    shown = [PendingRow(row, plain_excerpt(row.body)) for row in pending]
    return QueuePage(rows, shown, next_cursor, next_pending, is_admin=brands is None)


def _rows(cases: list[Case]) -> list[QueueRow]:
    if not cases:
        return []
    ids = [case.id for case in cases]
    flags: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(
        select(Flag)
        .options(joinedload(Flag.reporter))
        .where(Flag.case_id.in_(ids), Flag.status == FlagStatus.OPEN)
        .order_by(Flag.id)
    ):
        flags.setdefault(flag.case_id, []).append(flag)
    appeals = {
        appeal.case_id: appeal
        for appeal in db.session.scalars(select(Appeal).where(Appeal.case_id.in_(ids)))
    }
    wanted: dict[ItemKind, set[int]] = {}
    for case in cases:
        wanted.setdefault(case.item_kind, set()).add(case.item_id)
    targets: dict[tuple[ItemKind, int], Item] = {}
    for kind, item_ids in wanted.items():
        if not is_content(kind):  # a member's account: the row shows her
            continue
        for ident, item in content_kind(kind).load(item_ids).items():
            targets[(kind, ident)] = item
    # The authors' records in one query, however many items: the row's one-line history.
    authors = {case.subject_id for case in cases if case.subject_id is not None}
    past: dict[int, int] = {
        subject: n
        for subject, n in db.session.execute(
            select(ModerationAction.subject_id, func.count())
            .where(
                ModerationAction.subject_id.in_(authors),
                ModerationAction.action.in_(NEEDS_RULE),
            )
            .group_by(ModerationAction.subject_id)
        )
        if subject is not None
    } if authors else {}  # fmt: skip
    rows = []
    for case in cases:
        mine = flags.get(case.id, [])
        target = targets.get((case.item_kind, case.item_id))
        rows.append(
            QueueRow(
                case,
                target,
                Counter(flag.reason for flag in mine),
                [
                    (flag.reporter.username if flag.reporter else "a former member", flag.note)
                    for flag in mine
                    if flag.note
                ],
                appeals.get(case.id),
                plain_excerpt(target.excerpt) if target else "",
                past.get(case.subject_id, 0) if case.subject_id is not None else 0,
            )  # fmt: skip
        )
    return rows


@dataclass
class LogPage:
    actions: list[ModerationAction]
    next_cursor: str | None
    filters: dict[str, str]
    # The brands the log can be narrowed to (asked for by the admin console's log).
    brands: list[Brand] = field(default_factory=list)


# The brand filter's value for actions outside any brand (a slug never is "-").
SITE_WIDE = "-"


def log_page(
    viewer: Actor,
    *,
    moderator: str = "",
    member: str = "",
    action: str = "",
    brand: str = "",
    cursor: str | None = None,
    with_brands: bool = False,
    now: datetime,
) -> LogPage:
    """The moderation log, newest first, for the viewer's brands (all for admins, with the
    site-wide actions that belong to no brand), filtered by moderator, member (usernames),
    action or brand (a slug, or SITE_WIDE); paged by id. `with_brands` lists the brands
    the viewer may filter by, for a page that offers the choice.

    :raises Forbidden: the viewer moderates no brand.
    :raises Invalid: an unknown action or a bad cursor.
    """
    brands = _brands_of(viewer, now=now)
    query = select(ModerationAction).options(
        joinedload(ModerationAction.moderator),
        joinedload(ModerationAction.subject),
        joinedload(ModerationAction.brand),
    )
    if brands is not None:
        query = query.where(ModerationAction.brand_id.in_(brands))
    filters = {"moderator": moderator.strip().lower(), "member": member.strip().lower(),
               "action": action.strip()}  # fmt: skip
    if brand.strip():
        filters["brand"] = brand.strip().lower()
        query = query.where(
            ModerationAction.brand_id.is_(None)
            if filters["brand"] == SITE_WIDE
            else ModerationAction.brand_id.in_(
                select(Brand.id).where(Brand.slug == filters["brand"])
            )
        )
    if filters["moderator"]:
        query = query.where(
            ModerationAction.moderator_id.in_(
                select(User.id).where(User.username == filters["moderator"])
            )
        )
    if filters["member"]:
        query = query.where(
            ModerationAction.subject_id.in_(
                select(User.id).where(User.username == filters["member"])
            )
        )
    if filters["action"]:
        try:
            query = query.where(ModerationAction.action == Decision(filters["action"]))
        except ValueError:
            raise Invalid("Filter by one of the actions in the list.") from None
    if cursor:
        (before,) = read_cursor(cursor, int)
        if before < 1:  # the log hands out ids of rows it showed, never 0
            raise Invalid(CURSOR_MESSAGE)
        query = query.where(ModerationAction.id < before)
    actions = list(
        db.session.scalars(query.order_by(ModerationAction.id.desc()).limit(LOG_PAGE_SIZE + 1))
    )
    next_cursor = None
    if len(actions) > LOG_PAGE_SIZE:
        actions = actions[:LOG_PAGE_SIZE]
        next_cursor = make_cursor(actions[-1].id)
    choices: list[Brand] = []
    if with_brands:
        listed = select(Brand).order_by(Brand.name, Brand.id)
        if brands is not None:
            listed = listed.where(Brand.id.in_(brands))
        choices = list(db.session.scalars(listed))
    return LogPage(actions, next_cursor, filters, choices)


def access_member(actor: Actor, username: str, *, now: datetime) -> User:
    """The member whose page a site admin (to suspend, ban or set her trust level) or a
    brand's team (to set her trust level, when she takes part in their brand) opens.

    :raises Forbidden: the actor is neither.
    :raises NotFound: no such member.
    """
    if not can(actor, Action.MEMBER_SANCTION, now=now):
        trusting = brands_where(actor, Action.MEMBER_TRUST_SET, now=now)
        if not trusting:
            require(actor, Action.MEMBER_SANCTION, now=now)  # raises, saying why
    member = db.session.scalars(select(User).where(User.username == username.lower())).first()
    if member is None:
        raise NotFound("There is no member with that name.")
    if not can(actor, Action.MEMBER_SANCTION, now=now):
        trust.trust_brand(actor, member, now=now)
    return member


def can_moderate(viewer: Actor, *, now: datetime) -> bool:
    """Whether the header shows the viewer the way to the queue."""
    return (
        can(viewer, Action.CONTENT_FLAG, now=now)
        and moderated_brands(viewer, now=now) != frozenset()
    )
