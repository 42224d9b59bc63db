"""What staff record for prompt payment beside the documents (issue 18), and the port that stores it.

- A vendor's prompt-pay terms: the kind of payee it is (a government, a state agency, an employee — payees an act
  may not cover) and the rule set its contracts follow when the law gives them their own (construction under
  another act, say).
- A purchase order's: paid with federal or grant money (and the day that money arrived), and the rule set the
  contract follows when the law says so.
- A dispute noticed to the vendor over an invoice, and how it was resolved; while it is open the invoice carries
  the ``invoice_disputed`` hold, so no run pays it.
- A clock stop: something the invoice's act names that takes the payment out of the act or pauses its clock.

Records are immutable; a change is a new version (terms) or a guarded update of an open row (a dispute resolved,
a stop ended). The use cases are ``prompt_pay_terms`` and ``invoice_disputes``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from payments.ap.ap_records import HoldRecord, PromptPayDates, Stamp
from payments.ap.documents import Invoice
from payments.ap.prompt_pay_rules import DisputeFacts, Stop
from payments.ap.prompt_pay_rules.facts import PromptPayFacts

DISPUTE_HOLD = "invoice_disputed"


@dataclass(frozen=True, slots=True)
class VendorPromptPay:
    """A vendor's prompt-pay terms; version 0 is the default nobody has set (a business, the agency's rule)."""

    vendor_id: str
    payee_kind: str | None = None
    rule_set: str | None = None
    version: int = 0
    updated: Stamp = Stamp()


@dataclass(frozen=True, slots=True)
class POPromptPay:
    """A purchase order's prompt-pay terms; version 0 is the default (no federal money, the agency's rule)."""

    po_id: str
    federally_funded: bool = False
    funds_received_on: dt.date | None = None
    rule_set: str | None = None
    version: int = 0
    updated: Stamp = Stamp()


class DisputeStatus(enum.StrEnum):
    """Where a dispute stands."""

    OPEN = "open"
    """Noticed to the vendor; the invoice is held."""
    RESOLVED = "resolved"
    """Decided for the agency or for the vendor; the hold is released."""


class ResolvedFor(enum.StrEnum):
    """In whose favour a dispute was resolved."""

    AGENCY = "agency"
    """The agency was right: the vendor corrects the invoice (or the act says what then)."""
    VENDOR = "vendor"
    """The vendor was right: the invoice stands as billed."""


@dataclass(frozen=True, slots=True)
class DisputeRecord:
    id: str
    invoice_id: str
    noticed_on: dt.date
    reason: str
    disputed_minor: int | None
    hold_id: str
    opened: Stamp
    status: DisputeStatus = DisputeStatus.OPEN
    resolved_on: dt.date | None = None
    resolved_for: ResolvedFor | None = None
    corrected_received_on: dt.date | None = None
    corrected_due_date: dt.date | None = None
    resolution: str = ""
    resolved: Stamp = Stamp()

    def facts(self) -> DisputeFacts:
        """The dispute as the rule set weighs it."""
        return DisputeFacts(self.noticed_on, self.resolved_on, self.resolved_for.value if self.resolved_for else None,
                            self.corrected_due_date)


@dataclass(frozen=True, slots=True)
class ClockStopRecord:
    id: str
    invoice_id: str
    reason: str
    from_day: dt.date
    to_day: dt.date | None
    note: str
    recorded: Stamp
    ended: Stamp = Stamp()

    def stop(self) -> Stop:
        return Stop(self.reason, self.from_day, self.to_day)


class PromptPayRecords(Protocol):
    """The store of prompt-pay terms, disputes and clock stops (``adapters/db/ap/prompt_pay_repo.py``)."""

    def vendor_terms(self, vendor_ids: Sequence[str]) -> Mapping[str, VendorPromptPay]:
        """The terms set for these vendors (vendors without any are left out)."""
        ...

    def po_terms(self, po_ids: Sequence[str]) -> Mapping[str, POPromptPay]:
        """The terms set for these purchase orders (orders without any are left out)."""
        ...

    def save_vendor_terms(self, terms: VendorPromptPay, *, expected_version: int) -> None:
        """Insert (expected version 0) or replace the vendor's terms; ``StaleState`` if someone changed them first."""
        ...

    def save_po_terms(self, terms: POPromptPay, *, expected_version: int) -> None:
        """Insert (expected version 0) or replace the order's terms; ``StaleState`` if someone changed them first."""
        ...

    def facts(self, invoices: Sequence[Invoice]) -> Mapping[str, PromptPayFacts]:
        """What each invoice's rule set weighs besides its dates (vendor's kind, dispute, stops, federal money)."""
        ...

    def redate(self, invoice_id: str, dates: PromptPayDates) -> None:
        """Set the prompt-pay clock of an approved invoice that had none (guarded: its due date is still unset)."""
        ...

    def disputes(self, invoice_id: str) -> list[DisputeRecord]:
        """The invoice's disputes, oldest first."""
        ...

    def add_dispute(self, dispute: DisputeRecord, hold: HoldRecord) -> None:
        """Store a new dispute and open its hold on the invoice."""
        ...

    def resolve_dispute(self, dispute: DisputeRecord) -> None:
        """Store the resolution of a dispute still open; ``StaleState`` if it is not."""
        ...

    def stops(self, invoice_id: str) -> list[ClockStopRecord]:
        """The invoice's clock stops, oldest first."""
        ...

    def add_stop(self, stop: ClockStopRecord) -> None:
        """Store a new clock stop."""
        ...

    def end_stop(self, stop: ClockStopRecord) -> None:
        """Store the end of a stop still running; ``StaleState`` if it had ended."""
        ...


__all__ = ["DISPUTE_HOLD", "ClockStopRecord", "DisputeRecord", "DisputeStatus", "POPromptPay", "PromptPayRecords",
           "ResolvedFor", "VendorPromptPay"]
