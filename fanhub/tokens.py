"""Signed, timed tokens for links sent by email (confirmation, reset, unsubscribe)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from fanhub.errors import Invalid


def serializer(salt: str) -> URLSafeTimedSerializer:
    """The signer for one purpose: a token made for one salt never passes for another."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def load_token(token: str, salt: str, max_age: int) -> dict[str, Any]:
    """What a token says, if this site signed it for `salt` less than `max_age` s ago.

    :raises Invalid: expired, tampered with, or not ours.
    """
    try:
        data = serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid("This link has expired. Please ask for a new one.") from None
    except BadSignature:
        raise Invalid("This link is not valid. Check that you copied all of it.") from None
    if not isinstance(data, dict):
        raise Invalid("This link is not valid. Check that you copied all of it.")
    return data
