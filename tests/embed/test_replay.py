"""Cached widget answers are replayed in front of Flask, identical to Flask's own, for as
long as the summary behind them is the current one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import request, request_started

from tests.embed.support import add_review, json_url

FRAME = "/embed/v1/northwind/travel-mug/frame"


@contextmanager
def requests_flask_handled(app) -> Iterator[list[str]]:
    """The paths of the requests that reached Flask (its request_started signal) in the block."""
    seen: list[str] = []

    def record(sender, **extra) -> None:
        seen.append(request.full_path)

    request_started.connect(record, app)
    try:
        yield seen
    finally:
        request_started.disconnect(record, app)


@pytest.mark.parametrize(
    "url", ["/embed/v1/northwind/travel-mug/reviews.json", f"{FRAME}?theme=dark&count=5"]
)
def test_a_second_request_is_answered_without_flask_with_the_same_bytes_and_headers(
    client, mug, url
):
    add_review(client.application, mug)
    first = client.get(url)

    with requests_flask_handled(client.application) as handled:
        second = client.get(url)

    assert handled == []
    assert second.status_code == 200
    assert second.data == first.data
    assert list(second.headers) == list(first.headers)


def test_a_replayed_answer_honours_if_none_match_like_flask_does(client, mug):
    first = client.get(json_url(mug))
    from_flask = client.get(json_url(mug) + "?by=slug", headers={"If-None-Match": "*"})

    with requests_flask_handled(client.application) as handled:
        replayed = client.get(json_url(mug), headers={"If-None-Match": first.headers["ETag"]})

    assert handled == []
    assert replayed.status_code == from_flask.status_code == 304
    assert replayed.data == b""
    assert sorted(replayed.headers.keys()) == sorted(from_flask.headers.keys())


def test_a_replayed_head_has_no_body(client, mug):
    client.get(json_url(mug))

    head = client.head(json_url(mug))

    assert head.status_code == 200
    assert head.data == b""


def test_a_change_to_the_reviews_sends_the_next_request_to_flask(client, mug):
    client.get(json_url(mug))
    add_review(client.application, mug, stars=2)

    with requests_flask_handled(client.application) as handled:
        response = client.get(json_url(mug))

    assert handled == ["/embed/v1/northwind/travel-mug/reviews.json?"]
    assert response.json["rating"]["count"] == 1


@pytest.mark.parametrize("query", ["v=123", "count=3&count=4", "theme", "by=name"])
def test_an_address_with_unknown_or_odd_arguments_always_goes_to_flask(client, mug, query):
    url = f"{FRAME}?{query}"
    client.get(url)

    with requests_flask_handled(client.application) as handled:
        client.get(url)

    assert len(handled) == 1


def test_errors_are_never_replayed(client, mug):
    url = f"{FRAME}?theme=purple"
    client.get(url)

    with requests_flask_handled(client.application) as handled:
        response = client.get(url)

    assert response.status_code == 400
    assert len(handled) == 1


class BrokenCache:
    """A cache backend that fails in a way nothing anticipated."""

    def get(self, key):
        raise RuntimeError("the cache backend broke")


def test_a_cache_failing_in_front_of_flask_leaves_the_answer_to_flask_with_cors(
    client, mug, monkeypatch
):
    add_review(client.application, mug)
    monkeypatch.setattr(client.application.wsgi_app, "summaries", BrokenCache())

    with requests_flask_handled(client.application) as handled:
        response = client.get(json_url(mug))

    assert handled == [json_url(mug) + "?"]
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json()["product"]
