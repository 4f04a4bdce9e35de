"""Configuration from the environment, with defaults that suit a laptop and refuse to be unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanhub import create_app
from fanhub.config import RATE_LIMITS, ConfigError, load_config

README = Path(__file__).resolve().parents[1] / "README.md"


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_config(tmp_path, environ={"FANHUB_ENV": "production"})


def test_the_app_factory_refuses_production_without_a_key(monkeypatch):
    monkeypatch.setenv("FANHUB_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_production_cookies_are_secure(tmp_path):
    settings = load_config(tmp_path, environ={"FANHUB_ENV": "production", "SECRET_KEY": "k" * 40})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True


def test_development_generates_a_key_once_and_keeps_it(tmp_path):
    first = load_config(tmp_path, environ={})["SECRET_KEY"]
    second = load_config(tmp_path, environ={})["SECRET_KEY"]
    assert first == second
    assert len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_use_sqlite_memory_limits_and_file_mail(tmp_path):
    settings = load_config(tmp_path, environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'fanhub.db'}"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["SMTP_URL"] is None
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_environment_variables_configure_the_production_parts(tmp_path):
    settings = load_config(
        tmp_path,
        environ={
            "DATABASE_URL": "postgres://u:p@db.internal/fanhub",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "SMTP_URL": "smtp://mail.internal:587?starttls=true",
            "MAIL_FROM": "Community <c@example.com>",
            "BASE_URL": "https://community.example.com/",
            "SECRET_KEY": "s" * 40,
        },
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/fanhub"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert settings["SMTP_URL"] == "smtp://mail.internal:587?starttls=true"
    assert settings["MAIL_FROM"] == "Community <c@example.com>"
    assert settings["BASE_URL"] == "https://community.example.com"
    assert settings["SECRET_KEY"] == "s" * 40


def test_overrides_win_over_the_environment(tmp_path):
    settings = load_config(
        tmp_path, {"BASE_URL": "http://override"}, environ={"BASE_URL": "http://env"}
    )
    assert settings["BASE_URL"] == "http://override"


@pytest.mark.parametrize("name", sorted(RATE_LIMITS))
def test_every_rate_limit_is_read_from_the_environment(tmp_path, name):
    settings = load_config(tmp_path, environ={name: "7 per minute;70 per day"})
    assert settings[name] == "7 per minute;70 per day"


@pytest.mark.parametrize("name", sorted(RATE_LIMITS))
def test_every_rate_limit_is_in_the_readme_table(name):
    rows = [line for line in README.read_text().splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name} is missing from the README's configuration table"
    assert f"`{RATE_LIMITS[name]}`" in rows[0]


def test_a_rate_limit_that_cannot_be_read_stops_the_start(tmp_path):
    with pytest.raises(ConfigError, match="RATELIMIT_LOGIN='ten a minute' is not a rate limit"):
        load_config(tmp_path, environ={"RATELIMIT_LOGIN": "ten a minute"})


def test_redis_gets_short_timeouts_and_an_in_memory_fallback(tmp_path):
    environ = {"REDIS_URL": "redis://cache.internal:6379/0", "REDIS_TIMEOUT_SECONDS": "2"}
    settings = load_config(tmp_path, environ=environ)
    expected = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}
    assert settings["RATELIMIT_STORAGE_OPTIONS"] == settings["CACHE_OPTIONS"] == expected
    assert settings["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert settings["CACHE_TYPE"] == "fanhub.cache.RedisCache"


def test_trusted_proxies_and_retry_after_come_from_the_environment(tmp_path):
    defaults = load_config(tmp_path, environ={})
    settings = load_config(
        tmp_path, environ={"TRUSTED_PROXY_HOPS": "2", "RETRY_AFTER_SECONDS": "120"}
    )
    assert (defaults["TRUSTED_PROXY_HOPS"], defaults["RETRY_AFTER_SECONDS"]) == (0, 30)
    assert (settings["TRUSTED_PROXY_HOPS"], settings["RETRY_AFTER_SECONDS"]) == (2, 120)


@pytest.mark.parametrize(
    ("name", "raw"),
    [("TRUSTED_PROXY_HOPS", "one"), ("TRUSTED_PROXY_HOPS", "-1"), ("TRUSTED_PROXY_HOPS", "1.5"),
     ("RETRY_AFTER_SECONDS", "0"), ("REDIS_TIMEOUT_SECONDS", "nan")],
)  # fmt: skip
def test_a_number_setting_that_makes_no_sense_stops_the_start(tmp_path, name, raw):
    with pytest.raises(ConfigError, match=name):
        load_config(tmp_path, environ={name: raw})
