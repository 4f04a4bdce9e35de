"""Configuration from the environment, with defaults that suit a laptop and refuse to be unsafe."""

from __future__ import annotations

import pytest

from fanhub import create_app
from fanhub.config import ConfigError, load_config


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
