"""People and controls: users, API tokens, sessions, sign-in throttling, vendor contacts and bank accounts,
bank-account change requests, the notice outbox, and the audit trail's filter index.

Times are RFC 3339 UTC strings of one fixed width (``ledger.journal.format_time``), as in the journal tables, so
that they sort and compare as text on every backend. ``vendor_id`` is a plain string, not a foreign key: the
vendor master lives in the AP tables and the two are migrated independently. Secrets are never stored in clear:
tokens and session ids as SHA-256, passwords as argon2id, account numbers as AES-GCM ciphertext.
"""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from adapters.db.meta import metadata

TIME = 32  # width of a stored time

users = Table(
    "users", metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("roles", String(200), nullable=False),  # comma-separated Role values, sorted
    Column("vendor_id", String(40)),
    Column("password_hash", String(255)),
    Column("status", String(12), nullable=False),
    Column("failed_sign_ins", Integer, nullable=False, default=0),
    Column("locked_until", String(TIME)),
    Column("created_at", String(TIME), nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("email", String(200)),  # where one-time sign-in links go
    Column("pending_roles", String(200)),  # roles one administrator asked for, waiting for a second
    Column("pending_by", String(40)),
)
Index("ix_users_vendor_id", users.c.vendor_id)

# One-time sign-in links (password resets and invitations): the SHA-256 of the secret only.
password_resets = Table(
    "password_resets", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("purpose", String(12), nullable=False),
    Column("created_at", String(TIME), nullable=False),
    Column("expires_at", String(TIME), nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("used_at", String(TIME)),
)
Index("ix_password_resets_user_id", password_resets.c.user_id)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("hint", String(16), nullable=False),
    Column("name", String(100), nullable=False, default=""),
    Column("created_at", String(TIME), nullable=False),
    Column("expires_at", String(TIME)),
    Column("revoked_at", String(TIME)),
    Column("last_used_at", String(TIME)),
)
Index("ix_api_tokens_user_id", api_tokens.c.user_id)

sessions = Table(
    "sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("created_at", String(TIME), nullable=False),
    Column("expires_at", String(TIME), nullable=False),
    Column("revoked_at", String(TIME)),
)
Index("ix_sessions_user_id", sessions.c.user_id)

sign_in_throttle = Table(
    "sign_in_throttle", metadata,
    Column("key", String(100), primary_key=True),
    Column("window_start", String(TIME), nullable=False),
    Column("attempts", Integer, nullable=False),
)

vendor_contacts = Table(
    "vendor_contacts", metadata,
    Column("vendor_id", String(40), primary_key=True),
    Column("phone", String(40), nullable=False),
    Column("email", String(200)),
    Column("name", String(200)),
    Column("updated_at", String(TIME), nullable=False),
    Column("updated_by", String(40), nullable=False),
)

# A change of the contact on file waits for a second person; ``previous_json`` keeps the contact it replaced,
# which call-backs and bank-change notices keep using while the change cools off.
vendor_contact_changes = Table(
    "vendor_contact_changes", metadata,
    Column("id", String(40), primary_key=True),
    Column("vendor_id", String(40), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("email", String(200)),
    Column("name", String(200)),
    Column("previous_json", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("requested_by", String(40), nullable=False),
    Column("requested_at", String(TIME), nullable=False),
    Column("approved_by", String(40)),
    Column("approved_at", String(TIME)),
    Column("cooling_off_until", String(TIME)),
    Column("closed_by", String(40)),
    Column("closed_at", String(TIME)),
    Column("close_reason", Text),
)
Index("ix_vendor_contact_changes_vendor_id", vendor_contact_changes.c.vendor_id)

vendor_bank_accounts = Table(
    "vendor_bank_accounts", metadata,
    Column("id", String(40), primary_key=True),
    Column("vendor_id", String(40), nullable=False),
    Column("routing_number", String(9), nullable=False),
    Column("account_type", String(10), nullable=False),
    Column("account_ciphertext", LargeBinary, nullable=False),  # AES-GCM, bound to (id, "account_number")
    Column("account_last4", String(4), nullable=False),
    Column("account_fingerprint", String(64), nullable=False),  # HMAC-SHA256 of routing:number
    Column("status", String(12), nullable=False),
    Column("change_id", String(40), nullable=False),
    Column("created_at", String(TIME), nullable=False),
    Column("activated_at", String(TIME)),
    Column("updated_at", String(TIME), nullable=False),
)
Index("ix_vendor_bank_accounts_vendor_id", vendor_bank_accounts.c.vendor_id)
Index("ix_vendor_bank_accounts_account_fingerprint", vendor_bank_accounts.c.account_fingerprint)

bank_account_changes = Table(
    "bank_account_changes", metadata,
    Column("id", String(40), primary_key=True),
    Column("vendor_id", String(40), nullable=False),
    Column("bank_account_id", String(40), ForeignKey("vendor_bank_accounts.id"), nullable=False),
    Column("routing_number", String(9), nullable=False),
    Column("account_type", String(10), nullable=False),
    Column("account_mask", String(8), nullable=False),
    Column("account_fingerprint", String(64)),
    Column("phone_on_file", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("requested_by", String(40), nullable=False),
    Column("requested_at", String(TIME), nullable=False),
    Column("callback_by", String(40)),
    Column("callback_at", String(TIME)),
    Column("callback_number", String(40)),
    Column("callback_outcome", String(12)),
    Column("callback_note", Text),
    Column("approved_by", String(40)),
    Column("approved_at", String(TIME)),
    Column("cooling_off_until", String(TIME)),
    Column("prenote_sent_at", String(TIME)),
    Column("activated_at", String(TIME)),
    Column("closed_by", String(40)),
    Column("closed_at", String(TIME)),
    Column("close_reason", Text),
    Column("shared_with_json", Text, nullable=False, default="[]"),
    Column("shared_cleared_by", String(40)),
    Column("shared_cleared_at", String(TIME)),
    Column("shared_cleared_reason", Text),
)
Index("ix_bank_account_changes_vendor_id", bank_account_changes.c.vendor_id)
Index("ix_bank_account_changes_status", bank_account_changes.c.status)

outbox_messages = Table(
    "outbox_messages", metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("vendor_id", String(40), nullable=False),
    Column("subject_id", String(40), nullable=False),
    Column("created_at", String(TIME), nullable=False),
    Column("facts_json", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("sent_at", String(TIME)),
    Column("failure", Text),
)
Index("ix_outbox_messages_status", outbox_messages.c.status)

# Derived from audit_entries for filtering; the signed journal stays the record, this can be rebuilt from it.
audit_index = Table(
    "audit_index", metadata,
    Column("sequence", BigInteger, ForeignKey("audit_entries.sequence"), primary_key=True, autoincrement=False),
    Column("recorded_at", String(TIME), nullable=False),
    Column("action", String(64), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(128), nullable=False),
)
Index("ix_audit_index_actor", audit_index.c.actor, audit_index.c.sequence)
Index("ix_audit_index_object", audit_index.c.object_id, audit_index.c.sequence)
Index("ix_audit_index_action", audit_index.c.action, audit_index.c.sequence)
Index("ix_audit_index_recorded_at", audit_index.c.recorded_at)
