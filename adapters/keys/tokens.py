"""API tokens and CSRF tokens.

An API token is ``dsb_`` plus 32 random bytes in unpadded base64url. It is shown to its owner once; we store
only its SHA-256 (a 256-bit random secret needs no slow hash: there is nothing to guess), look it up by that
hash, and compare with ``hmac.compare_digest``. The ``dsb_`` prefix lets secret scanners and our log filter
recognise a leaked token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

PREFIX = "dsb_"
TOKEN_BYTES = 32
DEFAULT_TTL = timedelta(days=90)
_TOKEN_RE = re.compile(r"dsb_[A-Za-z0-9_-]{43}")
_BEARER_RE = re.compile(r"Bearer\s+(\S+)", re.IGNORECASE)
# Compared against when no record matched, so a miss costs what a hit costs.
_DUMMY_HASH = hashlib.sha256(b"disburse-no-such-token").hexdigest()


class TokenRejected(Exception):
    """A presented token does not authenticate; ``code`` says why (for logs; clients all get the same 401)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class CsrfRejected(Exception):
    """The CSRF token is missing, does not match the cookie, or was not made for this session."""

    code = "csrf_failed"


def hash_token(token: str) -> str:
    """The only form of a token we store: hex SHA-256 of the whole presented string."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_token(presented: str) -> str:
    """The token itself if it is shaped like one of ours, else ``token_malformed``."""
    if not isinstance(presented, str) or not _TOKEN_RE.fullmatch(presented):
        raise TokenRejected("token_malformed", "not a Disburse API token")
    return presented


def token_from_authorization(header: str | None) -> str:
    """The token from an ``Authorization: Bearer dsb_…`` header, validated for shape."""
    match = _BEARER_RE.fullmatch((header or "").strip())
    if match is None:
        raise TokenRejected("token_missing", "expected 'Authorization: Bearer dsb_…'")
    return parse_token(match.group(1))


@dataclass(frozen=True, slots=True)
class ApiToken:
    """What we keep about a token: whose it is, its hash, and when it stops working."""

    token_id: str
    user_id: str
    token_hash: str
    hint: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def revoke(self, *, now: datetime) -> ApiToken:
        return self if self.revoked_at is not None else replace(self, revoked_at=now)

    def used(self, *, now: datetime) -> ApiToken:
        return replace(self, last_used_at=now)

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token: ``secret`` goes to the user once; ``record`` goes to the database."""

    secret: str = field(repr=False)
    record: ApiToken


def issue_token(*, token_id: str, user_id: str, now: datetime, ttl: timedelta | None = DEFAULT_TTL) -> IssuedToken:
    """Mint a token. ``ttl=None`` means it never expires (a service account); prefer a lifetime."""
    secret = PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode()
    record = ApiToken(
        token_id=token_id, user_id=user_id, token_hash=hash_token(secret),
        # Four characters of 43 narrow nothing worth narrowing, and let a person tell their tokens apart.
        hint=secret[: len(PREFIX) + 4] + "…",
        created_at=now, expires_at=None if ttl is None else now + ttl,
    )
    return IssuedToken(secret=secret, record=record)


def verify_token(presented: str, record: ApiToken | None, *, now: datetime) -> ApiToken:
    """Check a presented token against the record found by ``hash_token(presented)``; return it or refuse.

    Pass ``record=None`` when the lookup found nothing: the same comparison still runs.
    """
    computed = hash_token(parse_token(presented))
    expected = record.token_hash if record is not None else _DUMMY_HASH
    if not hmac.compare_digest(expected.encode(), computed.encode()) or record is None:
        raise TokenRejected("token_invalid", "no such token")
    if record.revoked_at is not None:
        raise TokenRejected("token_revoked", f"token {record.token_id} was revoked")
    if record.expires_at is not None and now >= record.expires_at:
        raise TokenRejected("token_expired", f"token {record.token_id} expired")
    return record


def find_token(presented: str, records: list[ApiToken] | tuple[ApiToken, ...], *, now: datetime) -> ApiToken:
    """For in-memory stores: compare against every record, without stopping at the first match."""
    computed = hash_token(parse_token(presented)).encode()
    found = None
    for record in records:
        if hmac.compare_digest(record.token_hash.encode(), computed):
            found = record
    return verify_token(presented, found, now=now)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CsrfTokens:
    """Signed double-submit: the token in the cookie and in the form must be equal and HMAC-bound to the session.

    Binding to the session id means a token planted in a victim's cookie by a sibling subdomain is useless
    without the victim's session. The key should be derived for this purpose alone
    (``FieldKeyring.derive("csrf")`` in ``field_cipher``).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("a CSRF key needs at least 32 bytes")
        self._key = key

    def _mac(self, session_id: str, nonce: bytes) -> bytes:
        raw = session_id.encode()
        return hmac.new(self._key, b"csrf.v1" + struct.pack(">I", len(raw)) + raw + nonce, hashlib.sha256).digest()

    def issue(self, session_id: str) -> str:
        nonce = secrets.token_bytes(16)
        return f"{_b64(nonce)}.{_b64(self._mac(session_id, nonce))}"

    def verify(self, session_id: str, *, cookie_token: str | None, submitted_token: str | None) -> bool:
        if not session_id or not cookie_token or not submitted_token:
            return False
        if not hmac.compare_digest(cookie_token.encode(), submitted_token.encode()):
            return False
        nonce_text, _, mac_text = submitted_token.partition(".")
        try:
            nonce, mac = _unb64(nonce_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            return False
        return len(nonce) == 16 and hmac.compare_digest(mac, self._mac(session_id, nonce))

    def require(self, session_id: str, *, cookie_token: str | None, submitted_token: str | None) -> None:
        if not self.verify(session_id, cookie_token=cookie_token, submitted_token=submitted_token):
            raise CsrfRejected("csrf_failed: the form's CSRF token does not match this session")


class ApiTokenCodec:
    """The ``payments.ports.TokenCodec`` over the functions above: mint, hash a presented token, compare."""

    def mint(self) -> tuple[str, str, str]:
        secret = PREFIX + _b64(secrets.token_bytes(TOKEN_BYTES))
        return secret, hash_token(secret), secret[: len(PREFIX) + 4] + "…"

    def hash(self, presented: str) -> str | None:
        try:
            return hash_token(parse_token(presented))
        except TokenRejected:
            return None

    def matches(self, presented: str, stored_hash: str | None) -> bool:
        computed = hash_token(presented).encode()
        expected = (stored_hash or _DUMMY_HASH).encode()
        return hmac.compare_digest(expected, computed) and stored_hash is not None
