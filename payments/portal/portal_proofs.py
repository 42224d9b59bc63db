"""A vendor proves its own payment is in the agency's signed journal, without trusting the agency's software.

For a payment the rail accepted, the portal hands out the proof bundle of its ``payment_sent`` entry against
the latest signed checkpoint (docs/ledger-format.md section 10), with plain words on how to check it. The
vendor is the caller's binding (``VendorPortal.payment``): another vendor's payment is not found, as a missing one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ledger.errors import LedgerError
from payments.disbursements.payment_rules import entry_id_for
from payments.identity import Principal
from payments.ledger_proofs import LedgerProofs
from payments.portal.portal_service import VendorPortal

HOW_TO_CHECK = (
    "This file shows that the payment's journal entry (its amount, accounts, date and references, as signed) is "
    "in the journal the agency signed at the checkpoint it names. You can check it yourself, without our "
    "software or servers: 1. get the agency's public signing keys from where it publishes them (`disburse keys "
    "export-public`) and compare the key in this file, `public_key`, with them; 2. with Node.js installed, run "
    "`node verify.js --proof THIS_FILE --public-key THAT_KEY` (verify.js is Disburse's independent verifier, "
    "verifiers/js, standard library only), or `disburse ledger verify --proof THIS_FILE --public-key THAT_KEY`. "
    "\"proof verifies\" means the entry is there; anything else names what is wrong. Keep the file: a later "
    "consistency proof shows the journal was only added to since, never rewritten.")


@dataclass(frozen=True, slots=True)
class PaymentProof:
    """The answer for one payment: the bundle when there is one, else why not yet (``reason``: ``not_sent`` or
    ``no_checkpoint_yet``, which the portal's page says in the reader's language; ``why`` is the English)."""

    payment_id: str
    bundle: dict[str, Any] | None
    why: str | None
    reason: str | None = None

    @property
    def available(self) -> bool:
        return self.bundle is not None


class PaymentProofs:
    def __init__(self, portal: VendorPortal, proofs: LedgerProofs) -> None:
        self._portal = portal
        self._proofs = proofs

    def for_payment(self, principal: Principal, payment_id: str) -> PaymentProof:
        """The proof of the vendor's own payment ``payment_id`` (``payment_not_found`` for anyone else's)."""
        self._portal.payment(principal, payment_id)
        try:
            text = self._proofs.inclusion(entry_id_for(payment_id, "payment_sent"))
        except LedgerError as exc:
            if exc.code == "entry_not_found":
                return PaymentProof(payment_id, None, "the payment has not been sent: nothing about it is in the "
                                    "journal yet", "not_sent")
            if exc.code == "checkpoint_does_not_cover_entry":
                return PaymentProof(payment_id, None, "the payment is in the journal, but no signed checkpoint "
                                    "covers it yet; the agency signs one every night", "no_checkpoint_yet")
            raise
        bundle = json.loads(text)
        bundle["how_to_check"] = HOW_TO_CHECK
        return PaymentProof(payment_id, bundle, None)
