"""Configuration: the only module that reads the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from limits import parse_many

ONE_MEGABYTE = 1024 * 1024
# Where a development server listens. BASE_URL left at this means "not set": the embed
# page then shows the address it was asked for (fanhub.embed.views).
DEFAULT_BASE_URL = "http://127.0.0.1:5000"

# Every rate limit, with its default: each can be set from the environment under the same
# name ("10 per minute;100 per hour", as Flask-Limiter writes limits).
RATE_LIMITS = {
    "RATELIMIT_LOGIN": "10 per minute;100 per hour",
    "RATELIMIT_REGISTER": "5 per minute;30 per hour",
    "RATELIMIT_PASSWORD_RESET": "5 per minute;20 per hour",
    # Her data export builds a zip of everything she wrote: a few a day is plenty (issue 6).
    "RATELIMIT_DATA_EXPORT": "3 per minute;10 per day",
    # Topics, replies, reviews and review replies, per member: plenty for a person,
    # too few for a script.
    "RATELIMIT_POST": "10 per minute;60 per hour",
    # Posts by level-0 members (trust, issue 5): a person still gets a conversation going,
    # a fresh account made for spam gets a handful out.
    "RATELIMIT_POST_NEW": "3 per minute;20 per hour",
    # Flags, per member: enough to report a spam wave, too few to bury a thread.
    "RATELIMIT_FLAG": "10 per minute;50 per hour",
    # Product news and offers, per brand, counting only what was sent: followers who
    # said yes to news did not say yes to a flood (issue 6).
    "RATELIMIT_BRAND_NEWS": "2 per hour;3 per day",
}


class ConfigError(RuntimeError):
    """The environment asks for something fanhub refuses to run with."""


def _database_url(raw: str | None, instance_path: Path) -> str:
    if not raw:
        return f"sqlite:///{instance_path / 'fanhub.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver named.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _secret_key(raw: str | None, instance_path: Path, production: bool) -> str:
    if raw:
        return raw
    if production:
        raise ConfigError(
            "SECRET_KEY must be set when FANHUB_ENV=production; "
            "a generated key would differ between servers and sign users out."
        )
    # Development: make a key once and keep it beside the database, outside git.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _rate_limit(env: Mapping[str, str], name: str) -> str:
    raw = (env.get(name) or "").strip()
    if not raw:
        return RATE_LIMITS[name]
    # Refused at start-up: a limit Flask-Limiter cannot read would fail every request
    # it guards instead.
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a rate limit; write it as '10 per minute;100 per hour'."
        ) from None
    return raw


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number.") from None
    if not value >= minimum:  # written so that NaN fails too
        raise ConfigError(f"{name} must be at least {minimum:g}.")
    return value


def _whole_number(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    value = float(_number(env, name, default, minimum=minimum))
    if not value.is_integer():
        raise ConfigError(f"{name} must be a whole number.")
    return int(value)


def load_config(
    instance_path: Path,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build the app's settings: environment variables, embedded defaults, then overrides.

    Overrides are how tests (and embedding code) configure an app without touching
    the environment, as in Flask's tutorial.
    """
    env = os.environ if environ is None else environ
    given = dict(overrides or {})
    production = env.get("FANHUB_ENV", "development") == "production"
    redis_url = env.get("REDIS_URL") or None
    # Redis answers in well under a millisecond when it is up; when it is not, a page
    # must not wait long to find out (fanhub.cache, the limiter's in-memory fallback).
    redis_timeout = _number(env, "REDIS_TIMEOUT_SECONDS", 0.5, minimum=0.01)
    redis_options = (
        {"socket_timeout": redis_timeout, "socket_connect_timeout": redis_timeout}
        if redis_url
        else {}
    )
    secret = given.get("SECRET_KEY") or _secret_key(
        env.get("SECRET_KEY"), instance_path, production
    )
    settings = {
        "FANHUB_ENV": "production" if production else "development",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL"), instance_path),
        "REDIS_URL": redis_url,
        "SMTP_URL": env.get("SMTP_URL") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "fanhub <no-reply@localhost>"),
        "BASE_URL": env.get("BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
        "MAIL_DIR": str(instance_path / "mail"),
        # Shared limits across gunicorn workers need Redis; one process can count in memory.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": redis_options,
        # Redis unreachable: each process counts the same limits in its own memory, and
        # goes back to Redis once it answers again (Flask-Limiter checks every few seconds).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        **{name: _rate_limit(env, name) for name in RATE_LIMITS},
        # How many proxies in front of fanhub add X-Forwarded-For/-Proto/-Host. Limits key
        # on the client address, so behind a proxy this must be set, or every visitor
        # shares the proxy's login limit; and never higher than the real count, or a
        # client can name any address it likes.
        "TRUSTED_PROXY_HOPS": _whole_number(env, "TRUSTED_PROXY_HOPS", 0),
        # What a 503 (the database unreachable) tells clients to wait before they try again.
        "RETRY_AFTER_SECONDS": _whole_number(env, "RETRY_AFTER_SECONDS", 30, minimum=1),
        # Level 0: links per post, and what makes a member level 1 (fanhub.moderation.trust).
        "TRUST0_MAX_LINKS": 2,
        "TRUST1_APPROVED_POSTS": 3,
        "TRUST1_MIN_AGE_HOURS": 24,
        # Spam signals: the same text again within this many minutes, and a level-0 post
        # whose links outweigh its words (fewer than this many words per link).
        "SPAM_DUPLICATE_MINUTES": 10,
        "SPAM_WORDS_PER_LINK": 10,
        # How many distinct members' open flags hide an item until a moderator decides.
        "FLAG_HIDE_THRESHOLD": 3,
        # Who may register: "open", or "invite_only" (a site admin's emailed invitation).
        # This and the thresholds above are defaults a site admin can change at
        # /admin/settings (fanhub.site_settings).
        "REGISTRATION_MODE": "open",
        "MAX_CONTENT_LENGTH": ONE_MEGABYTE,
        "MAX_FORM_MEMORY_SIZE": ONE_MEGABYTE,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": "scrypt",
        "EMAIL_TOKEN_MAX_AGE": 60 * 60 * 24 * 3,
        "PASSWORD_RESET_MAX_AGE": 60 * 60,
        # A site admin's invitation to register works this long (and once).
        "SITE_INVITATION_MAX_AGE": 60 * 60 * 24 * 14,
        # An email's unsubscribe link works this long (a digest read weeks later included).
        "UNSUBSCRIBE_TOKEN_MAX_AGE": 60 * 60 * 24 * 90,
        # Instant emails wait this long, so several about one thread become one email.
        "EMAIL_COALESCE_MINUTES": 5,
        "MAIL_MAX_ATTEMPTS": 6,
        # fanhub's Redis backend treats a Redis it cannot reach as no cache (fanhub.cache).
        "CACHE_TYPE": "fanhub.cache.RedisCache" if redis_url else "SimpleCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_OPTIONS": redis_options,
        # After a failed call the cache stays off this long before Redis is tried again.
        "CACHE_REDIS_RETRY_SECONDS": 5.0,
        "CACHE_KEY_PREFIX": "fanhub:",
        # How long a page rendered for anonymous readers may be served again. Its key
        # changes with every reply, solution, vote, lock or pin; edits and reactions show
        # to visitors within this many seconds.
        "ANONYMOUS_PAGE_SECONDS": 15,
        # Topic views are counted in memory and written at most this often per process.
        "VIEW_FLUSH_SECONDS": 10.0,
    }
    settings.update(given)
    return settings
