"""No input gets a 5xx (issue 11): every route of the url_map, fed hostile values.

A hostile-input run against the demo found 434 answers of 500. This walks `app.url_map`
(every rule, every method) and lets Hypothesis fill each route's path converters, query
string and form fields with values of the wrong type and shape: huge and negative
numbers, digits `int()` refuses, lone surrogates, control characters, 100,000-character
strings, several values for one field, file parts, JSON bodies of any shape. Each route
is tried anonymously, as a member and as a site admin, on a world holding every kind of
object its URLs name, so the deeper code runs too (a valid value is always one choice).

For every answer: status below 500, no ERROR record logged, and when the answer is a 4xx,
no row of any table changed.

Each (person, route) runs EXAMPLES derandomized examples, so a run is repeatable and the
whole walk stays around a minute on SQLite.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter, PathConverter
from wtforms.fields.core import UnboundField

from fanhub import create_app
from fanhub.extensions import db
from fanhub.forms import AttachableForm
from tests import factories
from tests.conftest import dispose_engines
from tests.stories import make_shop
from tests.test_permission_matrix_all import ROUTES, World, _everything

EXAMPLES = 5
PEOPLE = {"anonymous": None, "member": "member", "admin": "siteadmin"}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
# Generous limits: a 429 would end the walk of a route before its deeper code runs.
NO_LIMITS = {
    key: "100000 per minute"
    for key in (
        "RATELIMIT_LOGIN",
        "RATELIMIT_REGISTER",
        "RATELIMIT_PASSWORD_RESET",
        "RATELIMIT_DATA_EXPORT",
        "RATELIMIT_POST",
        "RATELIMIT_POST_NEW",
        "RATELIMIT_FLAG",
        "RATELIMIT_BRAND_NEWS",
    )
}


class Long(str):
    """A long hostile string that prints as its recipe in a failing example."""

    def __repr__(self) -> str:
        return f"{self[:1]!r} * {len(self)}"


# Values of the wrong type and shape, as text (what a form or a URL carries).
NUMBERS = ["0", "-1", "1.5", "1e309", "NaN", "Infinity", "-0", "+1", "1_000", "0x10", " 7 ",
           "9223372036854775807", "9223372036854775808", "-9223372036854775809",
           "99999999999999999999", Long("1" * 5000)]  # fmt: skip
NOT_ASCII_DIGITS = ["²", "٣", "１２", "𝟗", "Ⅻ", "໒"]
BROKEN = ["\ud800", "a\udfffz", "\udc80\udc80", "\x00", "a\x00b", "\x1b[2J", "\x7f", "\x08",
          "\x0c", "\r\n", "\t", "\u2028", "\ufeff", "\u202e", "\uffff"]  # fmt: skip
SHAPES = ["", " ", "true", "null", "[]", "{}", "<script>alert(1)</script>", "../../etc/passwd",
          "//evil.example/", "%00", "%ED%A0%80", "case:1", "review:1:1", "case:1:-1",
          "case:9223372036854775808:1", "1_1", "1712345678.5_1", "nan_1", "5_1e400_1",
          "5_99999999999999999999_1", Long("x" * 100_000), Long("é" * 50_000)]  # fmt: skip
FIXED = NUMBERS + NOT_ASCII_DIGITS + BROKEN + SHAPES
hostile_text = st.one_of(
    st.sampled_from(FIXED),
    # Any code point at all, lone surrogates included.
    st.text(st.characters(exclude_categories=()), max_size=12),
)
ids_in_url = st.sampled_from(
    ["0", "9223372036854775807", "9223372036854775808", "99999999999999999999",
     Long("1" * 5000), "²", "٣", "１", "1e3", "0x1", "1_0", "+1", "-1", "1.0"]
)  # fmt: skip
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**63, -(2**63) - 1, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
FILE_PART = b"\x89PNG\r\n\x1a\n not really a picture"

# Values that reach the code behind the checks: names of the world's objects ("{topic}")
# or literals, per URL argument. Never the signed-in people's own names: a sanction
# there would end the session the rest of the walk runs in.
PATH_VALUES: dict[str, list[str]] = {
    "brand": ["northwind", "acme"],
    "category": ["discussion", "support", "ideas"],
    "product": ["{kettle}", "{toaster}", "{mug}", "{lamp}"],
    "review_id": ["{review}", "{pending}", "{removed}"],
    "topic_id": ["{topic}", "{question}", "{idea}"],
    "slug": ["a-topic"],
    "post_id": ["{post}", "{own_post}", "{answer}"],
    "username": ["other_member", "{newcomer}"],
    "token": ["{reset_token}", "{verify_token}", "{unsubscribe_token}", "{invitation_token}"],
    "kind": ["post", "topic", "review", "reply", "like"],
    "item_id": ["{post}", "{topic}", "{review}"],
    "action_id": ["{action}"],
    "notification_id": ["{notification}"],
    "target_id": ["{question}", "{review}"],
    "filename": ["css/app.css", "js/composer.js"],
    # brand owner's tools (issue 13, points 3-5)
    "news_id": ["{news}", "{scheduled_news}"],
    "grant_id": ["{staff_seat}"],
    "invitation_id": ["{invitation}"],
    # the admin console's members (issue 13, part A): never one of the walkers themselves
    "member_id": ["{member_id}", "{unconfirmed}"],
    # the admin console's outbox (issue 13, part B)
    "email_id": ["{failed_email}"],
}
# Field values that pass the form, from the permission matrix's rows. Passwords are left
# out: a right one would change or delete the account the walk is signed in as.
VALID_FIELDS: dict[str, dict[str, list[str]]] = {
    # RFC 8058: what a mail client posts to one-click unsubscribe.
    "notifications.unsubscribe": {"List-Unsubscribe": ["One-Click"]},
}
for _row in ROUTES:
    for _name, _value in _row.data.items():
        if "password" not in _name:
            VALID_FIELDS.setdefault(_row.endpoint, {}).setdefault(_name, []).append(_value)


@dataclass(frozen=True)
class Target:
    """One method of one rule of the url_map."""

    rule: str
    endpoint: str
    method: str

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def _rules_app() -> Flask:
    # Only its url_map is read, to parametrize the walk at collection; no database.
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "url-map-only",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _targets(app: Flask) -> list[Target]:
    return sorted(
        {
            Target(rule.rule, rule.endpoint, method)
            for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) - SKIPPED_METHODS
        },
        key=lambda t: (t.rule, t.method),
    )


RULES_APP = _rules_app()
TARGETS = _targets(RULES_APP)


def _query_names(app: Flask) -> list[str]:
    """Every query parameter a view module reads (request.args.get("x"), "x" in request.args)."""
    names: set[str] = set()
    pattern = re.compile(r'request\.args(?:\.get\(|\[)\s*"(\w+)"|"(\w+)" in request\.args')
    for module in _view_modules(app):
        for match in pattern.finditer(inspect.getsource(module)):
            names.add(match.group(1) or match.group(2))
    return sorted(names)


def _view_modules(app: Flask) -> list[Any]:
    return sorted(
        {sys.modules[view.__module__] for view in app.view_functions.values()},
        key=lambda module: module.__name__,
    )


def _form_fields(app: Flask, endpoint: str) -> list[str]:
    """The fields a route's view reads: its forms' fields, and names it reads raw."""
    view = app.view_functions[endpoint]
    module = sys.modules[view.__module__]
    source = inspect.getsource(view)
    names: set[str] = set(VALID_FIELDS.get(endpoint, {}))
    for word in set(re.findall(r"\b(\w+Form)\b", source)):
        form = getattr(module, word, None)
        if isinstance(form, type) and issubclass(form, AttachableForm):
            names.update(
                name for name in dir(form) if isinstance(getattr(form, name), UnboundField)
            )
    # Raw reads anywhere in the module (helpers such as _back() read "back").
    names.update(re.findall(r'request\.form\.get\(\s*"(\w+)"', inspect.getsource(module)))
    return sorted(names)


QUERY_NAMES = _query_names(RULES_APP)
FIELDS = {target.endpoint: _form_fields(RULES_APP, target.endpoint) for target in TARGETS}


def _encode(value: str) -> str:
    # Lone surrogates go out as the bytes a hostile client would send (%ED%A0%80).
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def _multipart(pairs: list[tuple[str, str | bytes]]) -> tuple[bytes, str]:
    boundary = "hostile-boundary-7c1f"
    chunks: list[bytes] = []
    for key, value in pairs:
        name = key.encode("utf-8", "surrogatepass").replace(b'"', b"%22")
        head = b'Content-Disposition: form-data; name="' + name + b'"'
        if isinstance(value, bytes):
            head += b'; filename="picture.png"\r\nContent-Type: image/png'
            body = value
        else:
            body = value.encode("utf-8", "surrogatepass")
        chunks.append(b"--" + boundary.encode() + b"\r\n" + head + b"\r\n\r\n" + body + b"\r\n")
    chunks.append(b"--" + boundary.encode() + b"--\r\n")
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


@dataclass
class Attempt:
    """One request Hypothesis built."""

    path: str
    query: list[tuple[str, str]]
    body: str
    fields: list[tuple[str, Any]]
    accept: str | None
    json_body: Any = None

    def url(self) -> str:
        return self.path + ("?" + _pairs(self.query) if self.query else "")

    def request_kwargs(self) -> dict[str, Any]:
        headers = {"Accept": self.accept} if self.accept else {}
        if self.body == "form":
            data: Any = _pairs([(k, v if isinstance(v, str) else "") for k, v in self.fields])
            return {"data": data, "content_type": "application/x-www-form-urlencoded",
                    "headers": headers}  # fmt: skip
        if self.body == "multipart":
            data, content_type = _multipart(self.fields)
            return {"data": data, "content_type": content_type, "headers": headers}
        if self.body == "json":
            text = json.dumps(self.json_body, allow_nan=True)
            return {"data": text, "content_type": "application/json", "headers": headers}
        if self.body == "text":
            return {"data": b"body=text", "content_type": "text/plain", "headers": headers}
        if self.body == "untyped":
            return {"data": b"body=text", "headers": headers}
        return {"headers": headers}


def _path_strategy(rule: Rule, world: World) -> st.SearchStrategy[str]:
    """The rule's URL with each argument a valid value or a hostile one."""
    parts: list[st.SearchStrategy[str]] = []
    for is_dynamic, text in rule._trace:  # the rule as static text and its arguments
        if not is_dynamic:
            parts.append(st.just(text))
            continue
        converter = rule._converters[text]
        if isinstance(converter, AnyConverter):
            valid = sorted(converter.items)
        else:
            assert text in PATH_VALUES, f"walk: give the URL argument <{text}> a valid value"
            valid = [world.fill(value) for value in PATH_VALUES[text]]
        hostile = ids_in_url if isinstance(converter, IntegerConverter) else hostile_text
        if isinstance(converter, PathConverter):
            hostile = hostile_text | st.sampled_from(["../secret_key", "css/../../x", "%00"])
        parts.append(st.one_of(st.sampled_from(valid), hostile.map(_encode)))
    return st.tuples(*parts).map(lambda pieces: "".join(pieces).split("|", 1)[-1])


def _field_value(endpoint: str, name: str) -> st.SearchStrategy[Any]:
    valid = VALID_FIELDS.get(endpoint, {}).get(name, [])
    one = hostile_text if not valid else st.sampled_from(valid) | hostile_text
    # Mostly one value, sometimes two for the same name, sometimes a file part.
    return st.one_of(
        one.map(lambda v: [v]),
        st.lists(one, min_size=2, max_size=2),
        st.just([FILE_PART]),
    )


def _attempt_strategy(target: Target, rule: Rule, world: World) -> st.SearchStrategy[Attempt]:
    fields = FIELDS[target.endpoint]
    valid_values = {
        name: [world.fill(v) for v in values]
        for name, values in VALID_FIELDS.get(target.endpoint, {}).items()
    }

    @st.composite
    def build(draw: Any) -> Attempt:
        path = draw(_path_strategy(rule, world))
        query = draw(
            st.lists(
                st.tuples(st.sampled_from(QUERY_NAMES) | hostile_text, hostile_text), max_size=3
            )
        )
        accept = draw(st.sampled_from([None, "application/json", "text/html"]))
        if target.method == "GET":
            return Attempt(path, query, "none", [], accept)
        body = draw(st.sampled_from(["form", "form", "multipart", "json", "text", "untyped"]))
        chosen: list[tuple[str, Any]] = []
        for name in fields:
            if draw(st.booleans()):
                values = draw(_field_value(target.endpoint, name))
                if valid_values.get(name) and draw(st.booleans()):
                    values = [draw(st.sampled_from(valid_values[name]))]
                chosen.extend((name, value) for value in values)
        if draw(st.booleans()):
            chosen.append((draw(hostile_text), draw(hostile_text)))  # a name no form has
        json_body = None
        if body == "json":
            json_body = draw(
                st.one_of(
                    st.fixed_dictionaries({name: json_value for name in fields}),
                    json_value,
                )
            )
        return Attempt(path, query, body, chosen, accept, json_body)

    return build()


WRONG_TYPES = [123, True, None, [1, 2], {"a": 1}, float("inf"), "\ud800", 2**64, -1.5]


def _explicit_attempts(target: Target, rule: Rule, world: World) -> list[Attempt]:
    """Each shape of issue 11 once on every route, whatever the generated examples pick."""

    def path(**hostile: str) -> str:
        pieces = []
        for is_dynamic, text in rule._trace:
            if not is_dynamic:
                pieces.append(text)
                continue
            converter = rule._converters[text]
            kind = "int" if isinstance(converter, IntegerConverter) else "text"
            if kind in hostile and not isinstance(converter, AnyConverter):
                pieces.append(_encode(hostile[kind]))
            elif isinstance(converter, AnyConverter):
                pieces.append(sorted(converter.items)[0])
            else:
                pieces.append(world.fill(PATH_VALUES[text][0]))
        return "".join(pieces).split("|", 1)[-1]

    def every_query(value: str) -> list[tuple[str, str]]:
        return [(name, value) for name in QUERY_NAMES]

    attempts = [
        # Ids beyond 64 bits, and digits str.isdigit() takes but int() refuses.
        Attempt(path(int="9223372036854775808"), every_query("²"), "none", [], None),
        # NUL where a name goes; numbers past every bound in the query string.
        Attempt(path(text="a\x00b"), every_query("99999999999999999999"), "none", [], None),
    ]
    if target.method == "GET":
        return attempts
    fields = FIELDS[target.endpoint]
    wrong = {name: WRONG_TYPES[n % len(WRONG_TYPES)] for n, name in enumerate(fields)}
    return [
        *attempts,
        # A JSON body whose fields hold every wrong type (issue 11, shape 1).
        Attempt(path(), [], "json", [], "application/json", wrong),
        # Each field twice: a file part, then a lone surrogate.
        Attempt(
            path(),
            [],
            "multipart",
            [p for n in fields for p in ((n, FILE_PART), (n, "\ud800"))],
            None,
        ),  # noqa: E501
        # Numbers past every bound where text or a number goes.
        Attempt(path(), [], "form", [(name, "99999999999999999999") for name in fields], None),
    ]


class HostileWorld(World):
    """The permission matrix's world, every object built at once."""

    def _verify_token(self) -> str:
        # "newcomer" is taken by another object here; an unconfirmed member of her own.
        factories.make_user(self.app, "unconfirmed", verified=False)
        [email] = factories.sent_emails(self.app, "verify_email")
        return factories.link_in(email).rsplit("/", 1)[1]

    def build_all(self) -> None:
        # The held review last: it turns on pre-moderation, which would hold the others.
        for name in sorted(self.builders, key=lambda name: name == "pending"):
            self[name]  # noqa: B018 - building is the point


@dataclass
class Visit:
    """One person's walk: an app of its own, its world, and the signed-in session."""

    app: Flask
    world: HostileWorld
    who: str
    cookie: str | None
    rules: dict[tuple[str, str], Rule] = field(default_factory=dict)

    def client(self) -> Any:
        """A fresh client as this person: the session restored, nothing left from before."""
        client = self.app.test_client()
        if self.cookie is not None:
            client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.cookie)
        return client


@pytest.fixture(scope="module", params=list(PEOPLE))
def visit(request: pytest.FixtureRequest, make_app: Any) -> Iterator[Visit]:
    app = make_app(**NO_LIMITS)
    shop = make_shop(app)
    world = HostileWorld(app, shop)
    world.build_all()
    cookie = None
    username = PEOPLE[request.param]
    if username is not None:
        client = app.test_client()
        assert factories.login(client, username).status_code == 302
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    rules = {(rule.rule, rule.endpoint): rule for rule in app.url_map.iter_rules()}
    yield Visit(app, world, request.param, cookie, rules)
    dispose_engines(app)


def _fingerprint(app: Flask) -> Any:
    """Every row of every table, to prove a 4xx wrote nothing.

    On PostgreSQL in one round trip (each table's rows as text, hashed in the server):
    forty queries per request would be most of the walk's time.
    """
    with app.app_context():
        if db.engines[None].dialect.name != "postgresql":
            return _everything(app)
        rows = "coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')"
        # Table names from our own metadata, not from input.
        columns = ", ".join(
            f"""(SELECT count(*) || ':' || {rows} FROM "{table.name}" t)"""  # noqa: S608
            for table in db.metadata.sorted_tables
        )
        return tuple(db.session.execute(sql(f"SELECT {columns}")).one())


class ErrorRecords(logging.Handler):
    """Collects what would page someone: ERROR and worse, or any record with a traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture
def error_records() -> Iterator[ErrorRecords]:
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


WALK = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def test_the_walk_covers_every_rule_and_learns_every_form(app):
    assert set(TARGETS) == set(_targets(app))
    assert {"page", "post", "after", "before", "days", "count", "next"} <= set(QUERY_NAMES)
    for endpoint, fields in VALID_FIELDS.items():  # the learned names include the real ones
        assert set(fields) <= set(FIELDS[endpoint]), endpoint
    assert {"body", "reply_to"} <= set(FIELDS["forums.reply"])
    assert {"items", "decision", "days"} <= set(FIELDS["moderation.decide"])


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_no_hostile_input_gets_a_5xx(visit, target, error_records):
    rule = visit.rules[(target.rule, target.endpoint)]
    snapshot = {"rows": _fingerprint(visit.app)}

    def check(attempt: Attempt) -> None:
        error_records.records.clear()
        response = visit.client().open(
            attempt.url(), method=target.method, **attempt.request_kwargs()
        )
        response.close()  # a static file's answer holds the file open
        status = response.status_code
        assert status < 500, response.get_data()[:600]
        assert not error_records.records, [r.getMessage() for r in error_records.records]
        rows = _fingerprint(visit.app)
        if 400 <= status < 500:
            assert rows == snapshot["rows"], f"{status} answer changed rows"
        snapshot["rows"] = rows

    walk = given(attempt=_attempt_strategy(target, rule, visit.world))(check)
    for attempt in _explicit_attempts(target, rule, visit.world):
        walk = example(attempt=attempt)(walk)
    WALK(walk)()
