"""Cached widget answers replayed in front of Flask: the hottest path fanhub has.

One shop page view is one widget request. Flask's own work for a request (routing, the
request context, every extension's hooks, the security headers) costs about three times
what a cached summary needs, so the answers Flask gives for the public widget URLs are
kept, per process, and replayed byte for byte, headers included, for as long as the
summary they were built from is the one in the shared cache. Every change to a product's
reviews drops that summary (`widget.forget_summary`), so the next request goes to Flask,
which builds the new summary and a new answer to replay.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from werkzeug.http import parse_etags, unquote_etag

from fanhub.reviews.widget import summary_key

log = logging.getLogger(__name__)

# The URLs whose answers are the same for everyone: a summary's JSON and its iframe page.
ROUTE = re.compile(r"/embed/v1/([^/]+)/([^/]+)/(?:reviews\.json|frame)")
# Query arguments those URLs read; an address with any other is left to Flask (a cache
# buster such as ?v=123 would otherwise fill the store).
ARGUMENTS = frozenset({"by", "theme", "accent", "count"})
# Where a view says which summary an answer was built from: (its ETag, allowed origins).
SUMMARY_USED = "fanhub.embed.summary"
# Answers kept per process (a frame page is about 10 kB, so at most ~5 MB).
MAX_ANSWERS = 512
# Headers a 304 leaves out (RFC 9110 15.4.5): it has no body to describe.
_BODY_HEADERS = frozenset({"content-type", "content-length"})

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class _Answer:
    summary: tuple[str, str]
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None


class EmbedAnswers:
    """WSGI middleware replaying Flask's answers to the public widget URLs while the
    summary behind each is unchanged; everything else goes straight to Flask."""

    def __init__(self, app: WSGIApp, summaries: Any) -> None:
        self.app = app
        # The Flask-Caching backend itself: readable without an application context.
        self.summaries = summaries
        self.answers: OrderedDict[tuple[str, str], _Answer] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        match = ROUTE.fullmatch(path) if method in ("GET", "HEAD") else None
        if match is None:
            return self.app(environ, start_response)
        query = environ.get("QUERY_STRING", "")
        try:
            arguments = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
        except ValueError:
            return self.app(environ, start_response)
        if not arguments.keys() <= ARGUMENTS or any(len(v) > 1 for v in arguments.values()):
            return self.app(environ, start_response)
        by_sku = arguments.get("by") == ["sku"]
        try:
            entry = self.summaries.get(summary_key(match.group(1), match.group(2), by_sku))
        except Exception:
            # Out here no Flask handler would catch it: the shop would get a bare 500
            # without CORS headers. Flask answers instead, building the summary itself
            # or saying why it cannot, with the widget's headers (fanhub.cache already
            # makes an unreachable Redis a miss; this is for whatever else goes wrong).
            log.exception("widget replay: cache lookup failed for %s", path)
            return self.app(environ, start_response)
        key = (path, query)
        answer = self.answers.get(key) if entry is not None else None
        if answer is not None and answer.summary == (entry[1], entry[2]):
            with self.lock:
                if key in self.answers:
                    self.answers.move_to_end(key)
            return self._replay(answer, environ, start_response)
        return self._record(key, environ, start_response)

    def _replay(
        self, answer: _Answer, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and answer.etag and parse_etags(wanted).contains_weak(answer.etag):
            headers = [(k, v) for k, v in answer.headers if k.lower() not in _BODY_HEADERS]
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response(answer.status, answer.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [answer.body]

    def _record(
        self, key: tuple[str, str], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, *exc_info)

        chunks = self.app(environ, remember)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        summary = environ.get(SUMMARY_USED)
        if environ["REQUEST_METHOD"] == "GET" and summary and seen.get("status", "")[:3] == "200":
            etag = {k.lower(): v for k, v in seen["headers"]}.get("etag")
            tag = unquote_etag(etag)[0] if etag else None
            answer = _Answer(summary, seen["status"], seen["headers"], body, tag)
            with self.lock:
                self.answers[key] = answer
                self.answers.move_to_end(key)
                while len(self.answers) > MAX_ANSWERS:
                    self.answers.popitem(last=False)
        return [body]
