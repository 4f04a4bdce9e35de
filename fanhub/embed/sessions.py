"""Sessions: none on the widget's public endpoints, and no cache keeps an answer setting one."""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

from fanhub.headers import forbid_storing

# The script, the JSON and the iframe page: public, the same for everyone, cached by
# browsers and CDNs. (The staff embed page lives under /b/ and keeps its session.)
PUBLIC_PREFIX = "/embed/v1/"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that the public embed URLs get none.

    Any look at the session (Flask-Login peeks at it after every request) makes Flask add
    `Vary: Cookie`, which stops a CDN from sharing one cached answer between visitors; and
    an answer that may set a cookie cannot be shared at all. A null session is never read
    from the request nor saved into the response.

    Elsewhere, an answer that sets a cookie is one no cache may keep (fanhub.headers). A
    visitor reading a public page gets no cookie at all: nothing there writes her session
    (a form's CSRF token is only made when the form is shown, see fanhub.forms).
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(PUBLIC_PREFIX):
            return None  # Flask then uses a null session, which it never saves
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        super().save_session(app, session, response)
        # Here, not in an after_request hook: Flask writes the session cookie after those
        # hooks have run, and Flask-Login sets its remember cookie in one of them.
        if "Set-Cookie" in response.headers:
            forbid_storing(response)
