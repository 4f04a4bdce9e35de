"""fanhub's Redis cache backend against a real redis-server that stops answering: an empty
cache while it is gone, no waiting on it, and nothing stale served once it is back."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from fanhub.cache import RedisCache, redis_state
from tests.outages.servers import PrivateRedis, free_port

pytestmark = pytest.mark.outage

TIMEOUT = 0.3
RETRY = 0.5


def _backend(url: str) -> RedisCache:
    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    return RedisCache(host=client, key_prefix="fanhub:", retry_seconds=RETRY)


@contextmanager
def frozen(server: PrivateRedis) -> Iterator[None]:
    """Redis stops answering but keeps its data, as behind a network partition."""
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


def test_a_redis_nobody_listens_for_is_an_empty_cache():
    cache = _backend(f"redis://127.0.0.1:{free_port()}/0")

    assert cache.get("page") is None
    assert cache.set("page", "html") is False
    assert cache.get_many("a", "b") == [None, None]
    assert cache.delete_many("a", "b") == []
    assert redis_state(cache) == "unreachable"


def test_after_one_timeout_calls_skip_redis_until_the_pause_is_over(redis_server):
    cache = _backend(redis_server.url)
    with frozen(redis_server):
        started = time.monotonic()
        first = cache.get("page")
        waited = time.monotonic() - started
        started = time.monotonic()
        later = [cache.get("page") for _ in range(50)]
        skipped = time.monotonic() - started

    assert first is None and later == [None] * 50
    assert TIMEOUT <= waited < TIMEOUT + 1
    assert skipped < 0.05


def test_a_delete_that_missed_redis_is_made_good_before_anything_is_read(redis_server):
    cache = _backend(redis_server.url)
    cache.set("summary", "before the review")
    with frozen(redis_server):
        cache.get("summary")  # times out: Redis is left alone for a moment
        cache.delete("summary")  # a review was posted meanwhile: the summary is stale
    raw = redis_server.client()
    assert raw.get("fanhub:summary") is not None  # Redis still holds it
    time.sleep(RETRY)

    assert cache.get("summary") is None
    assert raw.get("fanhub:summary") is None
    assert cache.set("summary", "after the review") is True
    assert cache.get("summary") == "after the review"
    assert redis_state(cache) == "ok"
