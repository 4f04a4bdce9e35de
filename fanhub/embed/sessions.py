"""Sessions that stay out of the widget's public endpoints."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

# The script, the JSON and the iframe page: public, the same for everyone, cached by
# browsers and CDNs. (The staff embed page lives under /b/ and keeps its session.)
PUBLIC_PREFIX = "/embed/v1/"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that the public embed URLs get none.

    Any look at the session (Flask-Login peeks at it after every request) makes Flask add
    `Vary: Cookie`, which stops a CDN from sharing one cached answer between visitors; and
    an answer that may set a cookie cannot be shared at all. A null session is never read
    from the request nor saved into the response.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(PUBLIC_PREFIX):
            return None  # Flask then uses a null session, which it never saves
        return super().open_session(app, request)
