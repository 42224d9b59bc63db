"""Password hashing with argon2id (argon2-cffi), the parameters recorded in every hash so they can be raised."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ledger.errors import CodedError

# RFC 9106's second recommendation (the "low memory" profile): t=3, 64 MiB, 4 lanes.
TIME_COST = 3
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 4
# argon2 copes with long input, but a megabyte "password" per request is a cheap way to burn our CPU.
MAX_PASSWORD_LEN = 1024


class PasswordRejected(CodedError):
    """The password cannot be hashed (empty or absurdly long); carries a stable ``code``."""

    code = "password_rejected"


class PasswordHasher:
    """argon2id: ``hash`` a new password, ``verify`` a login, and ``needs_rehash`` after parameters rise."""

    def __init__(self, *, time_cost: int = TIME_COST, memory_cost_kib: int = MEMORY_COST_KIB,
                 parallelism: int = PARALLELISM) -> None:
        self._argon2 = _Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism,
                                     hash_len=32, salt_len=16, type=Type.ID)
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        """A PHC string (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``) with a fresh random salt."""
        _check(password)
        return self._argon2.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """True only if the password matches; a malformed stored hash is a mismatch, not a crash."""
        if not password or len(password) > MAX_PASSWORD_LEN:
            return False
        try:
            return self._argon2.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """After a successful login: whether to store a new hash under the current parameters."""
        try:
            return self._argon2.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def verify_unknown_user(self, password: str) -> bool:
        """Spend the same time as a real verify, so a login for a missing user is not told apart by its speed."""
        if self._dummy_hash is None:
            self._dummy_hash = self._argon2.hash("disburse-no-such-user")
        self.verify(self._dummy_hash, password or "x")
        return False


def _check(password: str) -> None:
    if not isinstance(password, str) or not password:
        raise PasswordRejected("a password cannot be empty")
    if len(password) > MAX_PASSWORD_LEN:
        raise PasswordRejected(f"a password may have at most {MAX_PASSWORD_LEN} characters")
