"""The headers every answer carries: what the browser may do with a page, and who may store it.

Caching, in one rule (issue 11, section 5): an answer may be stored by a browser or a shared
cache only when it is the same for everyone who asks. That is a public page read by a visitor,
or an answer its view marked `public` (the widget's script, JSON and iframe page, a brand's
stylesheet), or a static file. Everything else is `Cache-Control: private, no-store`:

- any answer to a signed-in member (her name in the header, her buttons, her data), so that
  neither a shared cache nor the back button on a shared computer shows it to the next person;
- every page under the member-only prefixes (`MEMBER_PREFIXES`), the redirect to the login
  page included;
- every answer to a POST (or any other unsafe method);
- every answer that sets a cookie (`SessionInterface.save_session` applies this part, as
  cookies are written after the other hooks have run): a cached cookie would hand one
  visitor's session, and its CSRF token, to every other.
"""

from __future__ import annotations

from flask import Response, current_app, request, session

# No inline script or style anywhere. Member images may come from any https host; an http
# image is fetched over https instead (upgrade-insecure-requests), never in the clear.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "upgrade-insecure-requests",
    ]
)

# Two years, subdomains included: the value the HSTS preload list asks for.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"

# No page of ours uses a camera, a microphone, the member's location, payments, devices
# or sensors, so none may: not our scripts, not anything injected into a page. Only
# features Chromium knows are listed (it warns about any other). clipboard-write stays at
# its default, this site only, for the staff embed page's Copy buttons (static/js/copy.js).
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "clipboard-read",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "interest-cohort",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "sync-xhr",
    "usb",
    "window-management",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)

# What a member sees of her own: settings, notifications, the moderation desk, a brand's
# staff desk, the admin console, the welcome step. Rules, so `/b/<brand>/staff` matches
# whatever the brand.
MEMBER_PREFIXES = (
    "/settings",
    "/notifications",
    "/mod",
    "/b/<brand>/staff",
    "/admin",
    "/welcome",
)
PRIVATE = "private, no-store"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def security_headers(response: Response) -> Response:
    """Add the security headers to an answer (an `after_request` hook); a view's own
    Content-Security-Policy (the widget's iframe page) is kept."""
    headers = response.headers
    policy = headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    # A page opened from another site gets no handle on ours (and ours none on it). In an
    # iframe (the widget's page on a shop) browsers ignore it, so it costs the widget nothing.
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # For browsers without CSP's frame-ancestors. A page that may be framed (the widget's
    # iframe) names who may in its own policy, which X-Frame-Options cannot express.
    if "frame-ancestors" not in policy or "frame-ancestors 'none'" in policy:
        headers.setdefault("X-Frame-Options", "DENY")
    # On every answer in production, not only on those the app sees arrive over https:
    # production is https-only already (its cookies are Secure), TLS usually ends at a proxy
    # the app may not have been told to trust, and browsers ignore the header over plain
    # http (RFC 6797, 8.1), so a misread scheme must not cost the protection. Development
    # never sends it: it would pin http://localhost to https for two years.
    if current_app.config["FANHUB_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if _is_private(response):
        forbid_storing(response)
    return response


def forbid_storing(response: Response) -> None:
    """Mark an answer as one no cache, shared or the browser's own, may keep."""
    response.headers["Cache-Control"] = PRIVATE


def _is_private(response: Response) -> bool:
    """Whether the answer is someone's own (see the module's rule)."""
    if response.cache_control.public or request.endpoint == "static":
        return False  # the same for everyone: the view said so, or it is a file of the site
    if request.method not in SAFE_METHODS:
        return True
    rule = request.url_rule.rule if request.url_rule else request.path
    if any(rule == prefix or rule.startswith(prefix + "/") for prefix in MEMBER_PREFIXES):
        return True
    # The session names a signed-in member (Flask-Login keeps her id there). Reading it
    # rather than `current_user` costs no query on pages that never loaded her, and it
    # marks the answer `Vary: Cookie`, as it does differ with the cookie.
    return session.get("_user_id") is not None
