"""Her privacy page and the download of her data (issue 6): everything of hers, nothing of
anyone else's, never her password hash."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import delete, select

from fanhub.accounts import privacy
from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand
from fanhub.db import transaction, utcnow
from fanhub.errors import Forbidden
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Post, ReactionKind, Topic, WatchLevel
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, ModerationRule
from fanhub.notifications.models import (
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    Frequency,
    MessageKind,
    NotificationKind,
)
from fanhub.notifications.services import notify
from fanhub.reviews import services as reviews
from tests import factories
from tests.moderation.conftest import flag
from tests.reviews.conftest import answer, make_product, write_review
from tests.stories import login_as

FILES = {
    "README.txt",
    "profile.json",
    "topics.json",
    "posts.json",
    "reviews.json",
    "review_replies.json",
    "votes.json",
    "reactions.json",
    "follows.json",
    "watches.json",
    "preferences.json",
    "consent_events.json",
    "notifications.json",
    "flags.json",
    "moderation_decisions.json",
    "sign_ins.json",
}


def offers_by_email(app: Any, user: Any, granted: bool = True) -> None:
    """Set-up: she said yes (or no) to offers by email in the preference centre."""
    frequency = Frequency.WEEKLY if granted else Frequency.NEVER
    with app.app_context(), transaction():
        db.session.execute(
            delete(ContactPreference).where(
                ContactPreference.user_id == user.id, ContactPreference.kind == MessageKind.OFFERS
            )
        )
        db.session.add(
            ContactPreference(
                user_id=user.id, kind=MessageKind.OFFERS, channel=Channel.EMAIL, frequency=frequency
            )
        )
        db.session.add(
            ConsentEvent(
                user_id=user.id,
                kind=MessageKind.OFFERS,
                channel=Channel.EMAIL,
                granted=granted,
                frequency=frequency,
                source=ConsentSource.PREFERENCE_CENTRE,
                created_at=utcnow(),
            )
        )


@pytest.fixture
def busy(app, shop, now) -> dict[str, Any]:
    """The member has done a bit of everything; other_member has too, in the same places."""
    member, other = shop.member, shop.other_member
    kettle = make_product(app, shop.brand, "kettle", "Northwind Kettle")
    toaster = make_product(app, shop.brand, "toaster", "Northwind Toaster")
    mine = factories.make_topic(
        app, shop.discussion, member, title="My kettle whistles", body="Mine *whistles*."
    )
    theirs = factories.make_topic(
        app, shop.discussion, other, title="Other member topic", body="THEIR-SECRET-WORDS here"
    )
    my_reply = factories.reply(app, theirs, member, "I have that too")
    idea = factories.make_topic(app, shop.ideas, other, title="Make it blue please")
    my_review = write_review(app, kettle, member, 4, body="MY-REVIEW-WORDS kettle is fine")
    their_review = write_review(app, toaster, other, 2, body="THEIR-REVIEW-WORDS meh toaster")
    write_review(app, kettle, other, 5, body="THEIR-OTHER-REVIEW on the kettle")
    my_answer = answer(app, their_review, member, "I agree with you there")
    with app.app_context():
        me = db.session.get(User, member.id)
        forums.edit_post(me, db.session.get(Post, my_reply.id), "I have that too, edited", now=now)
        forums.toggle_reaction(
            me, db.session.get(Post, _first_post(theirs.id)), ReactionKind.THANKS, now=now
        )
        forums.toggle_vote(me, db.session.get(Topic, idea.id), now=now)
        forums.set_topic_watch(me, db.session.get(Topic, theirs.id), WatchLevel.MUTED)
        reviews.vote_helpful(me, reviews.access_review(their_review.id), now=now)
        brands.follow(me, db.session.get(Brand, shop.brand.id), now=now)
        brands.follow(db.session.get(User, other.id), db.session.get(Brand, shop.brand.id), now=now)
    with app.app_context(), transaction():
        notify(
            [member.id],
            kind=NotificationKind.REPLY,
            message="MY-NOTICE",
            url="/",
            actor_id=None,
            now=now,
        )
        notify(
            [other.id],
            kind=NotificationKind.REPLY,
            message="THEIR-NOTICE",
            url="/",
            actor_id=None,
            now=now,
        )
    offers_by_email(app, member)
    offers_by_email(app, other)
    flag(app, member, "post", _first_post_id(app, theirs.id))
    flag(app, other, "post", my_reply.id)
    case = flag(app, shop.owner, "post", my_reply.id)
    with app.app_context():
        moderation.decide(
            db.session.get(User, shop.moderator.id),
            [f"case:{case.id}"],
            moderation.DecisionDraft(Decision.HIDE, ModerationRule.SPAM, "MOD-REASON"),
            now=now,
        )
    return {
        "mine": mine,
        "theirs": theirs,
        "my_reply": my_reply,
        "idea": idea,
        "my_review": my_review,
        "my_answer": my_answer,
    }


def _first_post(topic_id: int) -> int:
    return db.session.scalar(select(Post.id).where(Post.topic_id == topic_id, Post.position == 1))


def export(app: Any, user: Any) -> dict[str, Any]:
    with app.app_context():
        data = privacy.export_member_data(
            db.session.get(User, user.id), db.session.get(User, user.id)
        )
    return _unzip(data)


def _unzip(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode()
            if name.endswith(".txt")
            else json.loads(archive.read(name))
            for name in archive.namelist()
        }


def test_the_export_holds_one_file_per_kind_of_data(app, shop, busy):
    files = export(app, shop.member)

    assert set(files) == FILES


def test_the_profile_has_her_account_but_never_her_password_hash(app, shop, busy):
    files = export(app, shop.member)

    profile = files["profile.json"]
    assert profile["username"] == "member" and profile["email"] == "member@example.com"
    stored = factories.reload_user(app, shop.member.id).password_hash
    text = json.dumps(files)
    assert "password" not in json.dumps(profile) and stored not in text
    assert stored.split("$")[-1] not in text


def test_her_posts_come_as_markdown_with_topic_position_and_earlier_versions(app, shop, busy):
    posts = export(app, shop.member)["posts.json"]

    by_id = {post["id"]: post for post in posts}
    first = next(post for post in posts if post["topic_id"] == busy["mine"].id)
    assert first["body"] == "Mine *whistles*." and first["position"] == 1
    assert first["topic_title"] == "My kettle whistles"
    reply = by_id[busy["my_reply"].id]
    assert reply["topic_title"] == "Other member topic" and reply["position"] == 2
    assert reply["body"] == "I have that too, edited"
    assert [v["body"] for v in reply["earlier_versions"]] == ["I have that too"]
    assert reply["status"] == "hidden"


def test_her_topics_reviews_and_replies_are_hers_alone(app, shop, busy):
    files = export(app, shop.member)

    assert [t["title"] for t in files["topics.json"]] == ["My kettle whistles"]
    [review] = files["reviews.json"]
    assert review["id"] == busy["my_review"].id and review["stars"] == 4
    assert review["product_name"] == "Northwind Kettle" and review["earlier_versions"] == []
    [reply] = files["review_replies.json"]
    assert reply["body"] == "I agree with you there"


def test_no_other_members_words_appear_anywhere(app, shop, busy):
    text = json.dumps(export(app, shop.member))

    for theirs in (
        "THEIR-SECRET-WORDS",
        "THEIR-REVIEW-WORDS",
        "THEIR-OTHER-REVIEW",
        "THEIR-NOTICE",
        "other_member",
    ):
        assert theirs not in text


def test_votes_reactions_follows_and_watches_are_listed(app, shop, busy):
    files = export(app, shop.member)

    kinds = sorted(vote["kind"] for vote in files["votes.json"])
    assert kinds == ["idea_vote", "review_helpful"]
    assert [r["kind"] for r in files["reactions.json"]] == ["thanks"]
    assert [f["brand"] for f in files["follows.json"]] == ["northwind"]
    levels = {(w.get("topic_id"), w["level"]) for w in files["watches.json"]}
    assert (busy["theirs"].id, "muted") in levels and (busy["mine"].id, "watching") in levels


def test_preferences_are_effective_with_defaults_filled_in(app, shop, busy):
    prefs = export(app, shop.member)["preferences.json"]

    chosen = {(p["kind"], p["channel"]): p["frequency"] for p in prefs}
    assert len(chosen) == len(MessageKind) * len(Channel)
    assert chosen[("offers", "email")] == "weekly"
    assert chosen[("offers", "onsite")] == "never"
    assert chosen[("replies", "email")] == "instant"


def test_consent_notifications_flags_and_decisions_are_hers(app, shop, busy):
    files = export(app, shop.member)

    [event] = files["consent_events.json"]
    assert event["granted"] is True and event["source"] == "preference_centre"
    assert [n["message"] for n in files["notifications.json"] if n["kind"] == "reply"] == [
        "MY-NOTICE"
    ]
    [mine] = files["flags.json"]
    assert mine["item_id"] == _first_post_id(app, busy["theirs"].id)
    decisions = files["moderation_decisions.json"]
    assert [(d["action"], d["reason"]) for d in decisions] == [("hide", "MOD-REASON")]
    assert "moderator" not in json.dumps(decisions)


def _first_post_id(app: Any, topic_id: int) -> int:
    with app.app_context():
        return _first_post(topic_id)


def test_only_she_may_export_her_data_not_even_an_admin(app, shop):
    with app.app_context(), pytest.raises(Forbidden):
        privacy.export_member_data(
            db.session.get(User, shop.admin.id), db.session.get(User, shop.member.id)
        )


def test_the_download_is_a_zip_named_for_her_and_the_day(app, client, shop, busy):
    login_as(client, shop.member)

    response = client.post("/settings/privacy/export")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    day = utcnow().date().isoformat()
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="fanhub-member-{day}.zip"'
    assert set(_unzip(response.data)) == FILES


def test_a_suspended_member_may_still_download_her_data(app, client, shop, now):
    person = factories.make_user(app, "paused")
    with app.app_context():
        moderation.sanction_member(
            db.session.get(User, shop.admin.id),
            db.session.get(User, person.id),
            moderation.DecisionDraft(None, ModerationRule.SPAM, "Spam", Decision.SUSPEND, 5),
            now=now,
        )
    login_as(client, person)

    response = client.post("/settings/privacy/export")

    assert response.status_code == 200
    assert _unzip(response.data)["profile.json"]["suspended_until"] is not None


def test_the_export_needs_a_login(client):
    response = client.post("/settings/privacy/export")

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_export_is_a_post_not_a_link(client, shop):
    login_as(client, shop.member)

    assert client.get("/settings/privacy/export").status_code == 405


def test_the_export_refuses_a_post_without_a_csrf_token(app, client, shop, monkeypatch):
    login_as(client, shop.member)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    response = client.post("/settings/privacy/export")

    assert response.status_code == 400 and response.mimetype != "application/zip"


def test_the_export_is_rate_limited_per_member(client, shop):
    login_as(client, shop.member)

    statuses = [client.post("/settings/privacy/export").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_export_queries_do_not_grow_with_her_posts(app, client, shop, count_queries):
    quiet = factories.make_user(app, "quiet")
    chatty = factories.make_user(app, "chatty")
    factories.make_topic(app, shop.discussion, quiet, replies=1)
    factories.make_topic(app, shop.discussion, chatty, replies=30)
    counts = []
    for person in (quiet, chatty):
        with app.app_context():
            user = db.session.get(User, person.id)
            with count_queries() as queries:
                privacy.export_member_data(user, user)
            counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_privacy_page_shows_her_consent_record_newest_first(app, client, shop):
    offers_by_email(app, shop.member, granted=True)
    with app.app_context(), transaction():
        db.session.add(
            ConsentEvent(
                user_id=shop.member.id,
                kind=MessageKind.OFFERS,
                channel=Channel.EMAIL,
                granted=False,
                frequency=Frequency.NEVER,
                source=ConsentSource.UNSUBSCRIBE_LINK,
                created_at=utcnow(),
            )
        )
    login_as(client, shop.member)

    page = client.get("/settings/privacy").get_data(as_text=True)

    record = page.split('data-testid="consent-record"')[1].split("</section>")[0]
    assert record.index("with the unsubscribe link in an email") < record.index(
        "in your settings, under How we contact you"
    )
    assert "Product news and offers by email" in record
    assert "Download my data" in page and "Delete my account" in page


def test_the_privacy_page_needs_a_login(client):
    response = client.get("/settings/privacy")

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_privacy_page_queries_do_not_grow_with_her_consent_record(app, client, shop, count_queries):
    login_as(client, shop.member)
    offers_by_email(app, shop.member)
    with count_queries() as few:
        client.get("/settings/privacy")
    for granted in (False, True, False):
        offers_by_email(app, shop.member, granted=granted)
    with count_queries() as many:
        client.get("/settings/privacy")

    assert len(many) == len(few) <= 12
