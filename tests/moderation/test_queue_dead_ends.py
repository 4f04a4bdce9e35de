"""The queue never ends a moderator's work on a bare error page (issue 13, points 6 and 7):
a decision that can't be made shows the queue again with her choices kept and the problem
beside what needs fixing; excerpts read as plain text; a waiting item says why it is there."""

from __future__ import annotations

import re

import pytest

from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.forums.models import Post, PostStatus
from fanhub.moderation.models import REASON_MAX
from tests import factories
from tests.moderation.conftest import actions, flag
from tests.reviews.conftest import make_product, write_review
from tests.stories import login_as


def _ticked(page: str) -> list[str]:
    return re.findall(r'name="items" value="([^"]+)"[^>]*\bchecked\b', page)


def _error_of(page: str, field: str) -> str:
    found = re.search(rf'<span class="field__error" id="{field}-error">([^<]*)</span>', page)
    return found.group(1) if found else ""


def test_nothing_ticked_shows_the_queue_again_with_her_choices(app, client, shop, spam):
    flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide", data={"decision": "remove", "rule": "spam", "reason": "Link farm"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tick at least one item." in page
    assert "spam.example" in page  # the queue itself, not an error page
    assert '<option selected value="remove">' in page
    assert '<option selected value="spam">' in page
    assert 'value="Link farm"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"decision": "remove", "reason": "Link farm"}, "rule", "Choose the rule it breaks"),
        ({"decision": "hide", "rule": "spam", "reason": "x" * (REASON_MAX + 1)}, "reason", ""),
        ({"sanction": "suspend", "rule": "spam", "reason": "Link farm"}, "days", "Suspend for 1"),
    ],
    ids=["no-rule", "reason-too-long", "days-missing"],
)
def test_a_decision_that_cant_be_made_keeps_the_ticks_and_shows_the_problem_on_its_field(
    app, client, shop, spam, data, field, message
):
    flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    shown = client.get("/mod").get_data(as_text=True)
    ref = shown.split('name="items" value="', 1)[1].split('"', 1)[0]
    response = client.post("/mod/decide", data={"items": [ref], **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _ticked(page) == [ref]
    assert message in _error_of(page, field) and _error_of(page, field)
    assert (
        f'id="{field}" aria-invalid="true"' in page or f'aria-describedby="{field}-error"' in page
    )
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE
    assert actions(app) == []


def test_every_item_handled_meanwhile_shows_the_queue_with_why(app, client, shop, spam):
    case = flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    shown = client.get("/mod").get_data(as_text=True)
    ref = shown.split('name="items" value="', 1)[1].split('"', 1)[0]
    other = app.test_client()
    login_as(other, shop.admin)
    other.post("/mod/decide", data={"items": [f"case:{case.id}"], "decision": "dismiss"})
    response = client.post(
        "/mod/decide", data={"items": [ref], "decision": "remove", "rule": "spam", "reason": "Ads"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'data-testid="decide-errors"' in page
    assert "Already handled by" in page and "(dismissed the flags on it)" in page
    assert 'value="Ads"' in page and '<option selected value="remove">' in page


def test_an_item_reported_again_meanwhile_has_its_message_beside_it(app, client, shop, spam):
    case = flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    shown = client.get("/mod").get_data(as_text=True)
    ref = shown.split('name="items" value="', 1)[1].split('"', 1)[0]
    other = app.test_client()
    login_as(other, shop.admin)
    other.post("/mod/decide", data={"items": [f"case:{case.id}"], "decision": "dismiss"})
    flag(app, shop.owner, "post", spam.id, note="Now with a phishing link")
    response = client.post(
        "/mod/decide", data={"items": [ref], "decision": "remove", "rule": "spam"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    item = page.split(f'data-case-id="{case.id}"', 1)[1].split("</li>", 1)[0]
    assert 'data-testid="item-problem"' in item and "reported again" in item
    assert "Now with a phishing link" in item


def test_a_dismissal_is_reported_in_a_whole_sentence(app, client, shop, spam):
    case = flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide",
        data={"items": [f"case:{case.id}"], "decision": "dismiss"},
        follow_redirects=True,
    )
    assert "1 item done: Dismissed the flags on the post." in response.get_data(as_text=True)


def test_excerpts_are_plain_text_not_markdown(app, client, shop, reporters):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    post = factories.reply(
        app, topic, shop.other_member, "**Cheap** [watches](https://spam.example) & more"
    )
    flag(app, reporters[0], "post", post.id)
    login_as(client, shop.moderator)
    page = client.get("/mod").get_data(as_text=True)
    excerpt = page.split('class="mod-item__excerpt">', 1)[1].split("</p>", 1)[0]
    assert excerpt == "Cheap watches &amp; more"


def test_a_review_waiting_for_approval_says_why_in_plain_text(app, client, shop):
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    factories.make_new_members(app, shop.member)
    kettle = make_product(app, shop.brand, "kettle")
    body = "Boils *fast*, quiet, and the lid opens wide enough to clean it."
    write_review(app, kettle, shop.member, 5, title="Lovely kettle", body=body)
    login_as(client, shop.moderator)
    page = client.get("/mod").get_data(as_text=True)
    item = page.split('data-testid="flag-queue"', 1)[1].split("</li>", 1)[0]
    assert "Lovely kettle: Boils fast, quiet, and the lid" in item and "*fast*" not in item
    assert "approves new members&#39; reviews first" in item


def test_each_item_shows_its_authors_record_in_one_line(app, client, shop, reporters):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    first, second = (factories.reply(app, topic, shop.other_member, f"Spam {n}") for n in (1, 2))
    case = flag(app, reporters[0], "post", first.id)
    login_as(client, shop.moderator)
    client.post(
        "/mod/decide", data={"items": [f"case:{case.id}"], "decision": "hide", "rule": "spam"}
    )
    flag(app, reporters[0], "post", second.id)
    page = client.get("/mod").get_data(as_text=True)
    history = page.split('data-testid="author-history">', 1)[1].split("</p>", 1)[0]
    # Both replies were published before the first was hidden: her record counts both.
    assert history == (
        "other_member: trust level 1 · 2 published posts · 1 earlier decision against this member"
    )


def test_the_queue_queries_do_not_grow_with_reviews_waiting_for_approval(
    app, client, shop, make_user, count_queries
):
    """Held reviews join the queue through the registry's waiting lists: one more waiting
    review is one more row, never one more query (their reasons and authors come in bulk)."""
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    kettle = make_product(app, shop.brand, "kettle")
    writers = [make_user(f"writer{n}") for n in range(12)]
    factories.make_new_members(app, *writers)
    write_review(
        app,
        kettle,
        writers[0],
        4,
        title="Quiet",
        body="Quiet and quick to boil, and the lid is easy.",
    )
    login_as(client, shop.moderator)
    with count_queries() as few:
        client.get("/mod")
    for n, writer in enumerate(writers[1:], start=1):
        write_review(
            app,
            kettle,
            writer,
            3,
            title=f"Kettle {n}",
            body=f"Thoughts number {n} on this kettle after a week.",
        )
    with count_queries() as many:
        page = client.get("/mod").get_data(as_text=True)
    assert page.count("Kettle ") >= 11
    assert len(many) == len(few)
