"""The shared cache's Redis backend: a Redis that cannot be reached is no cache, not an error.

Everything fanhub caches (pages for visitors, the widget's summaries, staff figures) can be
built again from the database, so while Redis is down each call answers as a miss (reads)
or does nothing (writes), and pages are served uncached. After a failure Redis is left
alone for `CACHE_REDIS_RETRY_SECONDS`, so an unreachable server costs one timeout per
process per few seconds rather than one per call; after that it is used again by itself.

Deletes that could not reach Redis were invalidations: a Redis that was only cut off
(a network partition, not a restart) may still hold the entries they meant to drop, so
the first call that reaches Redis again empties fanhub's part of it first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask
from flask_caching.backends.rediscache import RedisCache as FlaskCachingRedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# What "unreachable" means: the connection failed or timed out. Any other Redis error
# (a wrong command, a full memory) is a bug or a configuration problem and is raised.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

T = TypeVar("T")


class RedisCache(FlaskCachingRedisCache):
    """Flask-Caching's Redis backend, answering as an empty cache while Redis is down."""

    def __init__(self, *args: Any, retry_seconds: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_seconds = retry_seconds
        self._down_until = 0.0
        self._lost_deletes = False

    @classmethod
    def factory(
        cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> RedisCache:
        """Flask-Caching's constructor hook, plus how long to leave a failed Redis alone."""
        kwargs["retry_seconds"] = float(config.get("CACHE_REDIS_RETRY_SECONDS", 5.0))
        return super().factory(app, config, args, kwargs)  # type: ignore[return-value]

    @property
    def is_down(self) -> bool:
        """True while this process leaves Redis alone after a failed call."""
        return time.monotonic() < self._down_until

    def ping(self) -> bool:
        """Ask Redis directly (for the health check); an answer ends the pause at once."""
        try:
            self._write_client.ping()
        except UNREACHABLE:
            self._failed()
            return False
        self._down_until = 0.0
        return True

    def _call(self, answer_when_down: T, operation: Callable[..., T], *args: Any) -> T:
        if self.is_down:
            return answer_when_down
        try:
            if self._lost_deletes:
                self._drop_everything()  # before any read could return what it missed
            return operation(*args)
        except UNREACHABLE:
            self._failed()
            return answer_when_down

    def _delete(self, answer_when_down: T, operation: Callable[..., T], *args: Any) -> T:
        result = self._call(answer_when_down, operation, *args)
        if self.is_down:
            self._lost_deletes = True
        return result

    def _drop_everything(self) -> None:
        super().clear()
        self._lost_deletes = False
        log.warning("cache: Redis answers again; emptied it of entries deletes may have missed")

    def _failed(self) -> None:
        if not self.is_down:
            log.warning(
                "cache: Redis unreachable; serving without a cache, retrying in %ss",
                self.retry_seconds,
            )
        self._down_until = time.monotonic() + self.retry_seconds

    def get(self, key: str) -> Any:
        return self._call(None, super().get, key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._call([None] * len(keys), super().get_many, *keys)

    def has(self, key: str) -> bool:
        return self._call(False, super().has, key)

    def set(self, key: str, value: Any, timeout: int | timedelta | None = None) -> Any:
        return self._call(False, super().set, key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        return self._call(False, super().add, key, value, timeout)

    def set_many(
        self, mapping: dict[str, Any], timeout: int | timedelta | None = None
    ) -> list[Any]:
        return self._call([], super().set_many, mapping, timeout)

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._call(None, super().inc, key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._call(None, super().dec, key, delta)

    def delete(self, key: str) -> bool:
        return self._delete(False, super().delete, key)

    def delete_many(self, *keys: str) -> list[Any]:
        return self._delete([], super().delete_many, *keys)

    def unlink(self, *keys: str) -> Any:
        return self._delete(None, super().unlink, *keys)

    def clear(self) -> bool:
        return self._delete(False, super().clear)


def redis_state(backend: object) -> str:
    """How the health check reports the cache's Redis: ok, unreachable, or not configured."""
    if not isinstance(backend, RedisCache):
        return "not configured"
    return "ok" if backend.ping() else "unreachable"
