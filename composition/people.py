"""The people-and-controls wiring: audit trail, users, sign-in, bank accounts, the HTTP authenticator;
the field cipher's data keys.

Part of the composition root (``main.py`` re-exports every function here): each takes the container ``main.build``
made and builds what its feature needs, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from main import Container


def wire_identity(container: Container, *, password_hasher: Any = None) -> None:
    """The audit trail, field cipher, users, sign-in and bank-account services, and the HTTP authenticator."""
    from adapters.http.authn import SessionAuthenticator
    from adapters.keys.field_cipher import AesGcmFieldCipher
    from adapters.keys.passwords import PasswordHasher
    from adapters.keys.tokens import ApiTokenCodec, CsrfTokens
    from payments.audit import AuditTrail
    from payments.people.auth_service import AuthService
    from payments.people.bank_account_service import BankAccountService
    from payments.people.bank_accounts import BankChangePolicy
    from payments.people.contact_service import VendorContactService
    from payments.people.users import SignInPolicy
    from payments.people.users_service import UsersService

    c = container
    cipher = AesGcmFieldCipher.open(c.settings.path("key_dir"))
    hasher, codec = password_hasher or PasswordHasher(), ApiTokenCodec()
    sign_in = SignInPolicy(**c.policy["sign_in"])
    bank = c.policy["bank_accounts"]
    from adapters.request_ids import request_id

    c.audit = AuditTrail(c.uow, c.vault, c.clock, request_id=request_id.get)  # events name the request they were in
    c.users = UsersService(c.uow, c.audit, hasher, codec, c.clock, sign_in, cipher=cipher)
    c.auth = AuthService(c.uow, c.audit, hasher, codec, c.clock, sign_in)
    c.bank_accounts = BankAccountService(c.uow, c.audit, cipher, c.clock, BankChangePolicy(
        cooling_off_days=int(bank["cooling_off_days"]), prenote_wait_days=int(bank["prenote_wait_business_days"])),
        contacts=VendorContactService.from_policy(c.uow, c.audit, c.clock, bank))
    c.csrf = CsrfTokens(cipher.keys.derive("csrf"))
    c.authenticator = SessionAuthenticator(c.auth, c.csrf)
    if c.settings.bootstrap_admin_token:
        c.users.bootstrap_admin(c.settings.bootstrap_admin_token)


def rotate_data_key(container: Container, **options: Any) -> dict:
    """`disburse data-keys rotate`: a new data key, every stored secret re-sealed under it, audited."""
    from adapters.db.data_keys import rotate_and_reseal
    from adapters.keys.field_cipher import AesGcmFieldCipher

    cipher = AesGcmFieldCipher.open(container.settings.path("key_dir"))
    return rotate_and_reseal(container.engine, cipher, container.uow, container.audit, **options)


def data_key_status(container: Container) -> dict[str, int]:
    from adapters.db.data_keys import still_sealed_under_old_keys
    from adapters.keys.field_cipher import AesGcmFieldCipher

    return still_sealed_under_old_keys(container.engine, AesGcmFieldCipher.open(container.settings.path("key_dir")))
