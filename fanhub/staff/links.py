"""The links of the desk's queue rows: url_for once per page, filled in for every row."""

from __future__ import annotations

import re
from typing import Any

from flask import url_for

from fanhub.staff.services import QueueRow

# What url_for puts in a path as it is. Ids, topic and product slugs and usernames are made
# of these (their patterns say so); a value with anything else goes through url_for itself.
_PLAIN = re.compile(r"[A-Za-z0-9_-]+")
# Stand-ins for a row's values while the route is built once.
_ID = 9_876_543_210
_NAME = "qq-stand-in-qq"


class _Route:
    """A route's URL built by url_for with stand-ins, cut where the row's values go."""

    def __init__(self, endpoint: str, fixed: dict[str, Any], holes: dict[str, Any]) -> None:
        self.endpoint = endpoint
        self.fixed = fixed
        self.names = list(holes)
        rest = url_for(endpoint, **fixed, **holes)
        self.pieces: list[str] | None
        pieces: list[str] = []
        for stand_in in map(str, holes.values()):
            head, found, rest = rest.partition(stand_in)
            if not found or stand_in in rest:
                self.pieces = None  # not found exactly once: every row asks url_for
                break
            pieces.append(head)
        else:
            self.pieces = [*pieces, rest]

    def __call__(self, *values: Any) -> str:
        texts = [str(value) for value in values]
        if self.pieces is None or not all(_PLAIN.fullmatch(text) for text in texts):
            given = dict(zip(self.names, values, strict=True))
            return url_for(self.endpoint, **self.fixed, **given)
        filled = [self.pieces[0]]
        for text, piece in zip(texts, self.pieces[1:], strict=True):
            filled += (text, piece)
        return "".join(filled)


class QueueLinks:
    """Where a queue row's title, author, claim and "no reply needed" buttons lead, on one
    brand's desk.

    Three url_for calls for each of fifty rows were nearly a tenth of the desk's time in
    Python (docs/performance.md, the staff desk). A row's links differ only in ids, slugs
    and usernames, so each route is built once per page and every row's values are filled
    in: the same URLs url_for gives (`test_queue_links_are_the_urls_url_for_builds`).
    """

    def __init__(self, brand_slug: str) -> None:
        self._topic = _Route("forums.topic", {}, {"topic_id": _ID, "slug": _NAME})
        self._review = _Route(
            "reviews.review", {"brand": brand_slug}, {"product": _NAME, "review_id": _ID}
        )
        self._profile = _Route("accounts.profile", {}, {"username": _NAME})
        self._change = {
            (change, kind): _Route(
                "staff.change_claim",
                {"brand": brand_slug, "change": change, "kind": kind},
                {"target_id": _ID},
            )
            for change in ("claim", "release")
            for kind in ("topic", "review")
        }
        self._no_reply = {
            kind: _Route(
                "staff.mark_no_reply", {"brand": brand_slug, "kind": kind}, {"target_id": _ID}
            )
            for kind in ("topic", "review")
        }

    def item(self, row: QueueRow) -> str:
        """The waiting topic, or the review at its reply form."""
        if row.kind.value == "topic":
            return self._topic(row.id, row.slug)
        return self._review(row.slug, row.id) + "#reply"

    def profile(self, username: str) -> str:
        """The profile of a row's author."""
        return self._profile(username)

    def change(self, row: QueueRow, change: str) -> str:
        """Where the row's Claim or Release button posts."""
        return self._change[(change, row.kind.value)](row.id)

    def no_reply(self, row: QueueRow) -> str:
        """Where the row's "No reply needed" form posts."""
        return self._no_reply[row.kind.value](row.id)
