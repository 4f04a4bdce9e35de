"""Signed, timed tokens for links sent by email (confirmation, reset, unsubscribe)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from fanhub.errors import Invalid
from fanhub.inputs import MAX_ID, text_problem

NOT_VALID = "This link is not valid. Check that you copied all of it."


class _SignerAt(TimestampSigner):
    """itsdangerous's timestamp signer, its clock the moment it is given (issue 11): a token
    is signed at, and its age judged at, the caller's `now`, never the wall clock's."""

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp())


def serializer(salt: str, *, now: datetime) -> URLSafeTimedSerializer:
    """The signer for one purpose, at `now`: a token made for one salt never passes for
    another."""
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=salt, signer=_SignerAt, signer_kwargs={"now": now}
    )


def load_token(token: str, salt: str, max_age: int, *, now: datetime) -> dict[str, Any]:
    """What a token says, if this site signed it for `salt` less than `max_age` s before `now`.

    :raises Invalid: expired, tampered with, or not ours.
    """
    try:
        data = serializer(salt, now=now).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid("This link has expired. Please ask for a new one.") from None
    except BadSignature:
        raise Invalid(NOT_VALID) from None
    if not isinstance(data, dict):
        raise Invalid(NOT_VALID)
    return data


# A token that verifies was signed with our key, but not necessarily by this version of
# the code, nor for this shape (issue 11): each field is checked before it is used.


def token_id(data: dict[str, Any], key: str) -> int:
    """The row id a verified token carries under `key`.

    :raises Invalid: missing, not a plain whole number (a bool, a float, a string, a list),
        or outside what a row id can be.
    """
    value = data.get(key)
    if type(value) is not int or not 1 <= value <= MAX_ID:
        raise Invalid(NOT_VALID)
    return value


def token_text(data: dict[str, Any], key: str, *, max_length: int = 320) -> str:
    """The text a verified token carries under `key`.

    :raises Invalid: missing, not a string, longer than `max_length`, or not printable.
    """
    value = data.get(key)
    if not isinstance(value, str) or len(value) > max_length or text_problem(value):
        raise Invalid(NOT_VALID)
    return value
