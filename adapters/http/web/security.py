"""The headers every page carries, and where a page may send the browser next.

The Content-Security-Policy allows only this origin's files: no inline script, no inline style, no ``style``
attribute, nothing from a CDN, and no framing (clickjacking). A page that needs colour or layout uses a class from
``static/web.css``; a chart uses SVG presentation attributes (``fill``, ``width``), which CSP does not govern.
Browser tests may bypass the policy only to inject axe (docs/web.md).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

PAGE_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def apply_page_headers(response: Response) -> Response:
    """Every page and redirect: the security headers, and no caching (pages show who is signed in and money)."""
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """A path on this site to go to after signing in or switching language; anything else is ``default``.

    Refuses absolute URLs, scheme-relative ``//host`` and ``/\\host`` (which browsers treat as another host),
    and control characters, so that ``?next=`` cannot send a signed-in person to another site.
    """
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(ch) < 0x20 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
