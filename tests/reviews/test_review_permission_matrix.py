"""Every mutating reviews route, tried by every kind of person: who gets through, who is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.reviews import services
from tests.factories import make_new_members
from tests.reviews.conftest import write_review
from tests.stories import login_as

PEOPLE = [
    "anonymous", "member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"
]  # fmt: skip
OK = 302  # every successful form post redirects
MEMBERS = frozenset(
    {"member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"}
)


@dataclass(frozen=True)
class Route:
    name: str
    url: str  # formatted with the review id
    data: dict[str, Any]
    allowed: frozenset[str]
    # Posted first by the same person (a vote to take back).
    before: str | None = None
    # People the target review is hidden from (it is not published): 404, not 403.
    hidden: frozenset[str] = frozenset()


# "member" wrote the published review of the kettle, "other_member" a pending one, and
# "other_staff" one a moderator removed; the toaster has no reviews yet.
R = "/b/northwind/p/kettle/r/{review}"
P = "/b/northwind/p/kettle/r/{pending}"
ROUTES = [
    Route(
        "write review",
        "/b/northwind/p/toaster/review",
        {"stars": "4", "title": "", "body": "A perfectly fine toaster, really."},
        MEMBERS - {"staff", "owner"},
    ),
    Route(
        "edit own review",
        "/b/northwind/p/kettle/review",
        {
            "stars": "5",
            "title": "",
            "body": "Changed my mind: it is great.",
            "review_id": "{review}",
        },
        frozenset({"member"}),
    ),
    Route("reply", R + "/reply", {"body": "Thanks for this."}, MEMBERS),
    Route("vote helpful", R + "/helpful", {}, MEMBERS - {"member", "staff", "owner"}),
    Route(
        "take back helpful vote",
        R + "/helpful/undo",
        {},
        MEMBERS - {"member", "staff", "owner"},
        before=R + "/helpful",
    ),
    Route("resolve", R + "/resolve", {}, frozenset({"staff", "owner", "admin"})),
    Route("verify", R + "/verify", {}, frozenset({"staff", "owner", "admin"})),
    Route("unverify", R + "/unverify", {}, frozenset({"staff", "owner", "admin"})),
    Route("remove", R + "/remove", {"rule": "spam", "note": ""}, frozenset({"moderator", "admin"})),
    Route(
        "approve",
        P + "/approve",
        {},
        frozenset({"moderator", "admin"}),
        hidden=frozenset({"member", "other_staff", "staff", "owner"}),
    ),
    Route(
        "reject",
        P + "/reject",
        {"rule": "abuse", "note": "x"},
        frozenset({"moderator", "admin"}),
        hidden=frozenset({"member", "other_staff", "staff", "owner"}),
    ),
    Route(
        "restore",
        "/b/northwind/p/kettle/r/{removed}/restore",
        {},
        frozenset({"moderator", "admin"}),
        hidden=frozenset({"member", "other_member", "staff", "owner"}),
    ),
    Route(
        "add product",
        "/b/northwind/products/new",
        {"name": "Teapot", "slug": "teapot", "sku": "TEA", "description": "", "image_url": ""},
        frozenset({"staff", "owner", "admin"}),
    ),
    Route(
        "edit product",
        "/b/northwind/p/toaster/edit",
        {
            "name": "Toaster 2",
            "slug": "toaster",
            "sku": "NW-TOAST",
            "description": "",
            "image_url": "",
        },
        frozenset({"staff", "owner", "admin"}),
    ),
]

# Who else gets what when refused: the author editing someone else's review is a 404
# (her form names a review that is not hers), the rest are 403.
EXPECTED_REFUSAL = {"edit own review": 404}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_each_reviews_route_lets_in_exactly_the_right_people(
    app, client, shop, catalog, route, who, now
):
    review = write_review(app, catalog.kettle, shop.member, 2)
    removed = write_review(app, catalog.kettle, shop.other_staff, 1)
    with app.app_context():
        services.remove_review(
            db.session.get(User, shop.moderator.id),
            services.access_review(removed.id),
            "spam",
            now=now,
        )
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    make_new_members(app, shop.other_member)
    pending = write_review(app, catalog.kettle, shop.other_member, 3)
    ids = {"review": review.id, "pending": pending.id, "removed": removed.id}
    login_as(client, None if who == "anonymous" else shop.person(who))
    if route.before:
        client.post(route.before.format(**ids))
    data = {key: str(value).format(**ids) for key, value in route.data.items()}
    response = client.post(route.url.format(**ids), data=data)
    if who == "anonymous":
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    elif who in route.allowed:
        assert response.status_code == OK, response.get_data(as_text=True)[:500]
    elif route.name == "edit own review" and who in ("staff", "owner"):
        assert response.status_code == 403  # the brand's team may not write reviews at all
    elif who in route.hidden:
        assert response.status_code == 404
    else:
        assert response.status_code == EXPECTED_REFUSAL.get(route.name, 403), who


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/b/northwind/products", {"staff", "owner", "admin"}),
        ("/b/northwind/products/new", {"staff", "owner", "admin"}),
        ("/b/northwind/p/kettle/edit", {"staff", "owner", "admin"}),
        ("/b/northwind/reviews/unanswered", {"staff", "owner", "admin"}),
        ("/b/northwind/reviews/pending", {"moderator", "admin"}),
    ],
)
def test_each_staff_page_opens_for_exactly_the_right_people(
    client, shop, catalog, url, allowed, who
):
    login_as(client, None if who == "anonymous" else shop.person(who))
    response = client.get(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == (200 if who in allowed else 403)
