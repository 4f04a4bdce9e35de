"""Issue 11's four shapes of hostile input, one plain case each: a 4xx that says what is
wrong, never a 500 (tests/test_hostile_routes.py walks every route with generated ones).

1. a body that is not a form, or a form value that is not text;
2. an id beyond what the database takes, in the URL;
3. a number `str.isdigit()` accepts but `int()` refuses, or past every bound;
4. a signed token whose payload has a shape we never wrote.
"""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from sqlalchemy import func, select

from fanhub.accounts import services as accounts
from fanhub.db import utcnow
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.forms import ActionForm
from fanhub.forums.forms import ReplyForm
from fanhub.forums.models import Post, Topic
from fanhub.inputs import MAX_ID, parse_int
from fanhub.notifications import preferences
from fanhub.notifications.models import MessageKind
from fanhub.tokens import serializer
from tests.embed.support import add_product
from tests.factories import load, make_topic, make_user, reply
from tests.stories import login_as

FRAME = "/embed/v1/northwind/travel-mug/frame"
NOT_VALID = "This link is not valid. Check that you copied all of it."


def _posts(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Post))


def _int_rules(app: Flask) -> list[tuple[str, str]]:
    """Every (method, rule) with an <int:…> in it."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


def _with_id(rule: str, ident: str) -> str:
    """The rule's URL with `ident` for its ids and a plain word for its other parts."""
    url = rule
    for part in rule.split("<")[1:]:
        inside = part.split(">", 1)[0]
        if inside.startswith("int:"):
            value = ident
        elif inside.startswith("any("):
            value = inside[4:].split(",", 1)[0].strip("\"' )")
        else:
            value = "x"
        url = url.replace(f"<{inside}>", value, 1)
    return url


# 2. Ids in the URL.


@pytest.mark.parametrize(
    "ident",
    [
        "9223372036854775808",  # past signed 64 bits: SQLite's driver fails on it
        "99999999999999999999",
        "2147483648",  # past PostgreSQL's INTEGER ids
        "٣",  # a digit to str.isdigit() and to werkzeug's \d
        "1" * 5000,
    ],
)
def test_an_id_no_row_can_have_is_not_found_on_every_int_route(app, client, shop, ident):
    login_as(client, shop.member)
    for method, rule in _int_rules(app):
        url = _with_id(rule, ident)
        response = client.open(url, method=method)
        assert response.status_code == 404, f"{method} {url}"


def test_the_largest_id_a_row_can_have_is_looked_up_and_not_found(app, client, shop):
    login_as(client, shop.member)
    largest = str(MAX_ID)
    for url in (f"/t/{largest}", f"/p/{largest}/history", f"/t/{largest}/feed.atom",
                f"/flag/post/{largest}", f"/mod/appeal/{largest}"):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_a_topic_id_past_64_bits_is_not_found(client):
    assert client.get("/t/9223372036854775808").status_code == 404
    assert client.get("/t/99999999999999999999/some-slug").status_code == 404


def test_a_nul_in_a_name_in_the_url_is_not_found(client, shop):
    # PostgreSQL cannot compare text holding a NUL: the lookup would be an error, not a miss.
    assert client.get("/u/mem%00ber").status_code == 404
    assert client.get("/b/north%00wind").status_code == 404


# 3. Numbers from query strings and forms.


@pytest.mark.parametrize("count", ["²", "٣", "1" * 5000, "1_0", "+1", " 3x"])
def test_a_widget_count_int_would_refuse_or_misread_is_a_400(app, client, shop, count):
    add_product(app, shop.brand, shop.staff)
    response = client.get(FRAME, query_string={"count": count})
    assert response.status_code == 400
    # The iframe's answer is a small empty frame saying why (issue 13), not JSON.
    assert "count must be a whole number from 0 to 10." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/t/{topic}?page=²", "Pages are numbered 1, 2, 3"),
        ("/t/{topic}?page=" + "9" * 30, "Pages are numbered 1, 2, 3"),
        ("/t/{topic}?post=٣", "Posts are numbered 1, 2, 3"),
        ("/b/northwind/staff?days=³", "Choose a window of 7, 30 or 90 days."),
        ("/b/northwind/staff?days=" + "7" * 5000, "Choose a window of 7, 30 or 90 days."),
        ("/notifications?before=99999999999999999999", "That list position is not valid"),
        ("/mod/log?before=²", "That list position is not valid"),
        ("/b/northwind/c/discussion?after=1e400_1", "That list position is not valid"),
        ("/b/northwind/c/discussion?sort=votes&after=5_99999999999999999999", "That list position"),
        ("/b/northwind/reviews/pending?after=٣", "That list position is not valid"),
    ],
)
def test_a_number_in_a_query_string_is_ascii_digits_within_bounds(app, client, shop, url, message):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.admin)
    response = client.get(url.format(topic=topic.id))
    assert response.status_code == 400, url
    assert message in response.get_data(as_text=True)


def test_well_formed_numbers_past_the_end_of_a_topic_are_still_not_found(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    assert client.get(f"/t/{topic.id}?page=0").status_code == 404
    assert client.get(f"/t/{topic.id}?post={MAX_ID}").status_code == 404
    assert client.get(f"/t/{topic.id}?page= 1 ").status_code == 200


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", 7), (" 7\n", 7), ("0", 0), (7, 7), ("-0", 0)],
)
def test_parse_int_reads_ascii_digits(raw, expected):
    assert parse_int(raw, lo=0, hi=10) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "²",
        "٣",
        "１",
        "1_0",
        "+1",
        "0x1",
        "1.0",
        "1e3",
        "",
        " ",
        "-1",
        "11",
        True,
        7.0,
        None,
        ["7"],
        "1" * 5000,
    ],  # fmt: skip
)
def test_parse_int_refuses_anything_else_with_the_bounds_in_words(raw):
    with pytest.raises(Invalid, match="days must be a whole number from 0 to 10."):
        parse_int(raw, lo=0, hi=10, field="days")


def test_a_days_field_in_other_digits_is_refused_at_the_field(app, client, shop):
    login_as(client, shop.admin)
    response = client.post(
        "/mod/members/other_member",
        data={"sanction": "suspend", "days": "٣", "rule": "spam"},
    )
    assert response.status_code == 400
    assert "Write a whole number, like 7." in response.get_data(as_text=True)


def test_a_reply_to_that_is_no_id_is_refused_above_the_form(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.member)
    before = _posts(app)
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Me too", "reply_to": "²"})
    assert response.status_code == 400
    assert "The post you replied to is not in this topic." in response.get_data(as_text=True)
    assert _posts(app) == before


# 1. Bodies that are not forms, and form values that are not text.


def test_json_posted_to_a_page_is_refused_with_415(app, client, shop):
    response = client.post("/login", json={"login": 1, "password": None})
    assert response.status_code == 415
    assert "not JSON or other data" in response.get_data(as_text=True)


def test_json_posted_to_a_page_by_a_json_client_gets_a_json_415(client):
    response = client.post(
        "/login", json={"login": "member"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 415
    assert response.json["error"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (json.dumps({"body": "\ud800"}), "application/json"),
        ("body=hello", "text/plain"),
        (b"body=hello", None),  # a body that does not say what it is
    ],
)
def test_a_reply_that_is_not_a_form_is_refused_and_nothing_is_written(
    app, client, shop, data, content_type
):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.member)
    before = _posts(app)
    response = client.post(f"/t/{topic.id}/reply", data=data, content_type=content_type)
    assert response.status_code == 415
    assert _posts(app) == before


def test_a_post_with_no_body_is_still_a_button(app, client, shop):
    login_as(client, shop.member)
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/settings/profile").status_code == 302  # signed out


@pytest.fixture
def guarded_app(make_app) -> Flask:
    """An app that checks CSRF tokens, as production does (the suite's app does not)."""
    return make_app(WTF_CSRF_ENABLED=True)


def test_with_csrf_on_json_gets_415_before_the_csrf_check_says_400(guarded_app):
    client = guarded_app.test_client()
    assert client.post("/login", json={"login": "x"}).status_code == 415
    response = client.post("/login", data={"login": "x", "password": "y"})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_with_csrf_on_one_click_unsubscribe_still_works(guarded_app, now):
    member = make_user(guarded_app, "clicker")
    with guarded_app.app_context():
        token = preferences.unsubscribe_token(member.id, MessageKind.REPLIES, now=now)
    client = guarded_app.test_client()
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello\x00there", "control characters"),
        ("Bell\x07", "control characters"),
        (["Two", "values"], "Send this field once."),
    ],
)
def test_a_reply_that_is_no_text_is_refused_at_the_field_and_nothing_is_written(
    app, client, shop, body, message
):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.member)
    before = _posts(app)
    response = client.post(f"/t/{topic.id}/reply", data={"body": body})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "\x00" not in page and "\x07" not in page  # the value is not shown back
    assert _posts(app) == before
    assert load(app, Topic, topic.id).post_count == 1


def test_a_file_where_text_belongs_is_refused_at_the_field(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.member)
    response = client.post(
        f"/t/{topic.id}/reply",
        data={"body": (io.BytesIO(b"\x89PNG"), "kitten.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "This field takes text." in response.get_data(as_text=True)


def test_a_lone_surrogate_never_reaches_a_field(app):
    # Only JSON can carry one (werkzeug keeps %ED%A0%80 in a form as those characters),
    # and pages refuse JSON; the form base refuses it all the same.
    with app.test_request_context(
        "/t/1/reply", method="POST", data=json.dumps({"body": "a\ud800b", "reply_to": [1]}),
        content_type="application/json",
    ):  # fmt: skip
        form = ReplyForm()
        assert not form.validate_on_submit()
        assert form.body.data is None
        assert form.body.errors == [
            "This has characters that can't be used in text (control characters or broken ones)."
        ]
        assert "This field takes text." in form.form_errors


@pytest.mark.parametrize("payload", [3, "text", [1, 2], [[1, 2, 3]]])
def test_a_json_body_that_is_no_object_fails_a_form_instead_of_crashing(app, payload):
    with app.test_request_context(
        "/logout", method="POST", data=json.dumps(payload), content_type="application/json"
    ):
        assert not ActionForm().validate_on_submit()


# 4. Signed tokens with a payload of the wrong shape.


def _signed(app: Flask, salt: str, payload: object) -> str:
    with app.app_context():
        return serializer(salt, now=utcnow()).dumps(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"u": 2**64, "p": "x"},
        {"u": MAX_ID + 1, "p": "x"},
        {"u": [1], "p": "x"},
        {"u": True, "p": "x"},
        {"u": "1", "p": "x"},
        {"u": 1.0, "p": "x"},
        {"u": "{member}", "p": ["not", "a", "string"]},
        {"u": "{member}", "p": {"a": 1}},
        {"u": "{member}"},
    ],
)
def test_a_reset_token_of_the_wrong_shape_is_not_valid(app, client, shop, payload):
    payload = {k: shop.member.id if v == "{member}" else v for k, v in payload.items()}
    token = _signed(app, accounts.RESET_SALT, payload)
    for response in (
        client.get(f"/password/reset/{token}"),
        client.post(f"/password/reset/{token}", data={"password": "a-brand-new-passphrase-42"}),
    ):
        assert response.status_code == 400
        assert NOT_VALID in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "payload",
    [{"u": 2**64, "e": "a@b.c"}, {"u": "{member}", "e": ["member@example.com"]}, {"e": 1}],
)
def test_a_verification_token_of_the_wrong_shape_is_not_valid(app, client, shop, payload):
    payload = {k: shop.member.id if v == "{member}" else v for k, v in payload.items()}
    token = _signed(app, accounts.VERIFY_SALT, payload)
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400
    assert NOT_VALID in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "payload",
    [
        {"u": "{member}", "k": ["replies"]},
        {"u": "{member}", "k": {"replies": 1}},
        {"u": "{member}", "k": "no-such-kind"},
        {"u": True, "k": "replies"},
        {"u": 10**30, "k": "replies"},
        [1, "replies"],
    ],
)
def test_an_unsubscribe_token_of_the_wrong_shape_is_not_valid(app, client, shop, payload):
    if isinstance(payload, dict):
        payload = {k: shop.member.id if v == "{member}" else v for k, v in payload.items()}
    token = _signed(app, preferences.UNSUBSCRIBE_SALT, payload)
    for method in ("GET", "POST"):
        response = client.open(f"/unsubscribe/{token}", method=method)
        assert response.status_code == 400, method
        assert NOT_VALID in response.get_data(as_text=True)


def test_a_well_shaped_unsubscribe_token_still_works(app, client, shop, now):
    with app.app_context():
        token = preferences.unsubscribe_token(shop.member.id, MessageKind.REPLIES, now=now)
    assert client.post(f"/unsubscribe/{token}").status_code == 200


@pytest.mark.parametrize("session_id", [["1"], 1, None, "²:x", "9" * 5000 + ":x", ":x"])
def test_a_session_id_of_the_wrong_shape_signs_nobody_in(app, shop, session_id):
    with app.app_context():
        assert accounts.load_session_user(session_id, now=utcnow()) is None


def test_a_reply_to_a_post_in_the_topic_still_works(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    first = reply(app, topic, shop.other_member)
    login_as(client, shop.member)
    response = client.post(
        f"/t/{topic.id}/reply", data={"body": "Thanks!", "reply_to": str(first.id)}
    )
    assert response.status_code == 302
    with app.app_context():
        latest = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
        assert latest.reply_to_id == first.id
