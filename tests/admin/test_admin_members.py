"""A site admin finds members at /admin/members and opens one's record (issue 13): search by
name or email, filters, pages by id, and the record's posts, reviews, flags, sanctions,
consent and sign-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fanhub.accounts.models import User, UserStatus
from fanhub.admin import member_pages
from fanhub.db import transaction
from fanhub.extensions import db
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, ModerationRule
from tests import factories
from tests.moderation.conftest import flag
from tests.reviews.conftest import make_product, write_review
from tests.stories import login_as


def _listed(client, query: str = "") -> list[str]:
    """The usernames the members list shows for a query string, in order."""
    page = client.get(f"/admin/members{query}").get_data(as_text=True)
    return [part.split('"', 1)[0] for part in page.split('data-member="')[1:]]


def _sanction(app, shop, who, decision: Decision, days: int | None, now) -> None:
    with app.app_context():
        moderation.sanction_member(
            db.session.get(User, shop.admin.id), db.session.get(User, who.id),
            moderation.DecisionDraft(None, ModerationRule.SPAM, "Links", decision, days), now=now,
        )  # fmt: skip


@pytest.fixture
def people(app, shop, now):
    """Three more members: one found by her email's domain, one suspended, one banned, and
    a deleted account."""
    ada = factories.make_user(
        app, "ada", email="Ada.Lovelace@Engines.example", display_name="Countess Ada"
    )
    sus = factories.make_user(app, "suzy", trust_level=0)
    bob = factories.make_user(app, "bob", trust_level=3)
    gone = factories.make_user(app, "gone")
    _sanction(app, shop, sus, Decision.SUSPEND, 3, now)
    _sanction(app, shop, bob, Decision.BAN, None, now)
    with app.app_context(), transaction():
        db.session.get(User, gone.id).status = UserStatus.DELETED
    return {"ada": ada, "suzy": sus, "bob": bob, "gone": gone}


def test_the_list_shows_the_newest_members_first(client, shop, people):
    login_as(client, shop.admin)

    listed = _listed(client)

    assert listed[:4] == ["gone", "bob", "suzy", "ada"]
    assert "siteadmin" in listed


@pytest.mark.parametrize("query", ["lovelace@engines", "LOVELACE", "countess", "AD"])
def test_search_finds_any_part_of_a_name_or_email_in_any_case(client, shop, people, query):
    login_as(client, shop.admin)

    assert "ada" in _listed(client, f"?q={query}")


def test_search_takes_percent_and_underscore_literally(client, shop, people):
    login_as(client, shop.admin)

    assert _listed(client, "?q=%25") == []
    assert _listed(client, "?q=other_") == ["other_staff", "other_member"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=suspended", ["suzy"]),
        ("?status=banned", ["bob"]),
        ("?status=deleted", ["gone"]),
        ("?sanctioned=1", ["bob", "suzy"]),
        ("?trust=3", ["bob"]),
        ("?trust=0&status=suspended", ["suzy"]),
        ("?q=s&status=active", ["ada", "siteadmin", "other_staff", "staff"]),
    ],
)
def test_filters_by_status_trust_level_and_sanction(client, shop, people, query, expected):
    login_as(client, shop.admin)

    assert _listed(client, query) == expected


def test_a_suspension_that_ended_is_no_longer_a_sanction(app, client, shop, people, now):
    with app.app_context(), transaction():
        db.session.get(User, people["suzy"].id).suspended_until = now - timedelta(minutes=1)
    login_as(client, shop.admin)

    assert _listed(client, "?sanctioned=1") == ["bob"]
    assert "suzy" in _listed(client, "?status=active")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?status=asleep", "Filter by one of the statuses"),
        ("?trust=9", "Filter by a trust level from 0 to 4"),
        ("?before=abc", "That list position is not valid"),
    ],
)
def test_a_filter_the_page_does_not_offer_is_a_400(client, shop, query, message):
    login_as(client, shop.admin)

    response = client.get(f"/admin/members{query}")

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_list_pages_by_id_keeping_its_filters(client, shop, people, monkeypatch):
    monkeypatch.setattr(member_pages, "MEMBERS_PAGE", 2)
    login_as(client, shop.admin)

    first = client.get("/admin/members?q=o").get_data(as_text=True)
    listed = [part.split('"', 1)[0] for part in first.split('data-member="')[1:]]
    next_link = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")

    assert listed == ["gone", "bob"]
    assert "q=o" in next_link
    assert _listed(client, next_link.removeprefix("/admin/members")) == ["suzy", "ada"]


def test_the_members_list_costs_the_same_queries_however_many_rows(
    app, client, shop, make_user, count_queries
):
    login_as(client, shop.admin)
    client.get("/admin/members")
    with count_queries() as few:
        client.get("/admin/members")
    for n in range(12):
        make_user(f"extra{n}", verified=n % 2 == 0)
    with count_queries() as many:
        client.get("/admin/members")

    assert len(many) == len(few)


# ------------------------------------------------------------------- her record


def test_her_record_shows_her_writing_flags_sanctions_consent_and_sign_ins(app, client, shop, now):
    factories.make_topic(app, shop.discussion, shop.member, title="Kettle whistles")
    theirs = factories.make_topic(app, shop.support, shop.other_member, title="Lid stuck")
    post = factories.reply(app, theirs, shop.member, "Try **warm** water on the lid.")
    review = write_review(app, make_product(app, shop.brand, "kettle"), shop.member, 2)
    flag(app, shop.other_member, "post", post.id, "abuse", "Rude to me")
    flag(app, shop.member, "topic", theirs.id, "off_topic")
    _sanction(app, shop, shop.member, Decision.SUSPEND, 2, now)
    her = app.test_client()  # she signs in once, from her browser, and it is recorded
    her.post(
        "/login",
        data={"login": "member", "password": factories.PASSWORD},
        headers={"User-Agent": "Firefox/140"},
    )
    her.post("/welcome/contact", data={"conversation_email": "daily", "offers_email": "yes"})
    login_as(client, shop.admin)

    page = client.get(f"/admin/members/{shop.member.id}").get_data(as_text=True)

    writing = page.split('data-testid="member-writing"')[1].split("</table>")[0]
    assert "Kettle whistles" in writing and "Lid stuck" in writing
    assert "Try warm water on the lid." in writing  # plain text, not Markdown
    assert f"/r/{review.id}" in writing
    on_her = page.split('data-testid="flags-on-member"')[1].split("</table>")[0]
    assert "Rude to me" in on_her and "other_member" in on_her
    by_her = page.split('data-testid="flags-by-member"')[1].split("</table>")[0]
    assert "Lid stuck" in by_her and "Off-topic" in by_her
    sanctions = page.split('data-testid="member-sanctions"')[1].split("</ol>")[0]
    assert 'data-action="suspend"' in sanctions and "siteadmin" in sanctions
    assert 'data-testid="current-sanction"' in page and "Suspended until" in page
    consent = page.split('data-testid="member-consent"')[1].split("</table>")[0]
    assert "Product news and offers" in consent and "Yes" in consent
    sign_ins = page.split('data-testid="member-sign-ins"')[1].split("</table>")[0]
    assert "127.0.0.1" in sign_ins and "Firefox/140" in sign_ins


def test_a_deleted_account_shows_no_actions(app, client, shop):
    with app.app_context(), transaction():
        db.session.get(User, shop.other_member.id).status = UserStatus.DELETED
    login_as(client, shop.admin)

    page = client.get(f"/admin/members/{shop.other_member.id}").get_data(as_text=True)

    assert 'data-testid="member-standing">Deleted' in page
    member = f"/admin/members/{shop.other_member.id}"
    assert f"{member}/suspend" not in page and f"{member}/trust" not in page
    assert "Start a password reset" not in page
