"""Open Contracting Data Standard 1.1 releases for what Disburse knows of a contract's life.

For each approved purchase order (the contract), in ``ocid = <prefix>-<po id>``:

* release ``<po id>-award``, tags ``award`` and ``contract``: the award (to the vendor, the first version's value)
  and the contract (``awardID`` linking it, the PO number as title, its description);
* release ``<po id>-v<n>`` per later version, tag ``contractAmendment``: the contract's new value and an
  amendment naming the version, its reason and the release it amends;
* release ``<payment id>-<po id>`` per payment that left, tag ``implementation``: one transaction with the
  amount paid against this contract, the agency as payer and the vendor as payee (both parties with identifiers);
  a payment the bank returned adds a second, negative transaction ``<payment id>-returned``; and a payment
  milestone (``implementation.milestones``, type ``financing``): due on the prompt-pay due date, ``met`` on the
  payment date (said whether on time or late), ``notMet`` when the bank returned the payment.

Parties follow the open checkbook's redaction: a vendor who is a person is ``Redacted payee``. Amounts are exact
decimals in major units (never a float). The standard: https://standard.open-contracting.org/1.1/en/
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from ledger.money import minor_exponent
from payments.reporting.checkbook import REDACTED_PAYEE


@dataclass(frozen=True, slots=True)
class ContractVersion:
    version: int
    reason: str
    total_minor: int
    changed_at: str  # RFC 3339


@dataclass(frozen=True, slots=True)
class ContractPayment:
    payment_id: str
    payment_date: dt.date
    amount_minor: int  # paid against this contract by this payment
    returned_on: dt.date | None  # the day the bank sent it back, if it did
    due_date: dt.date | None = None  # the earliest prompt-pay due date of the invoices it paid on this contract


@dataclass(frozen=True, slots=True)
class ContractFacts:
    po_id: str
    po_number: str
    description: str
    vendor_id: str
    vendor_name: str
    vendor_is_individual: bool
    currency: str
    approved_at: str  # RFC 3339
    versions: tuple[ContractVersion, ...]
    payments: tuple[ContractPayment, ...]


class ContractSource(Protocol):
    def contracts(self) -> Iterator[ContractFacts]:
        """Every approved purchase order with its versions and the payments that left against it, by PO id;
        streamed."""
        ...


@dataclass(frozen=True, slots=True)
class OcdsPolicy:
    ocid_prefix: str  # registered with the Open Contracting Partnership, e.g. "ocds-213czf"
    buyer_id: str
    buyer_name: str


def value(amount_minor: int, currency: str) -> dict[str, Any]:
    exponent = minor_exponent(currency)
    amount = Decimal(amount_minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))
    return {"amount": amount, "currency": currency}


def _midnight(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def releases_for(c: ContractFacts, policy: OcdsPolicy) -> list[dict[str, Any]]:
    """The releases of one contract, oldest first."""
    ocid = f"{policy.ocid_prefix}-{c.po_id}"
    name = REDACTED_PAYEE if c.vendor_is_individual else c.vendor_name
    buyer = {"id": policy.buyer_id, "name": policy.buyer_name}
    supplier = {"id": c.vendor_id, "name": name}
    parties = [
        {**buyer, "identifier": {"id": policy.buyer_id, "legalName": policy.buyer_name}, "roles": ["buyer", "payer"]},
        {**supplier, "identifier": {"id": c.vendor_id, **({} if c.vendor_is_individual else {"legalName": name})},
         "roles": ["supplier", "payee"]},
    ]
    first = c.versions[0] if c.versions else None
    first_total = first.total_minor if first else 0
    award_id = f"{c.po_id}-award"

    def release(release_id: str, date: str, tags: list[str], **body: Any) -> dict[str, Any]:
        return {"ocid": ocid, "id": release_id, "date": date, "tag": tags, "initiationType": "tender",
                "language": "en", "parties": parties, "buyer": buyer, **body}

    contract = {"id": c.po_id, "awardID": award_id, "title": c.po_number, "status": "active"}
    if c.description:
        contract["description"] = c.description
    out = [release(award_id, c.approved_at, ["award", "contract"],
                   awards=[{"id": award_id, "status": "active", "date": c.approved_at,
                            "value": value(first_total, c.currency), "suppliers": [supplier]}],
                   contracts=[{**contract, "value": value(first_total, c.currency), "dateSigned": c.approved_at}])]
    previous = award_id
    for v in c.versions[1:]:
        release_id = f"{c.po_id}-v{v.version}"
        amendment = {"id": f"v{v.version}", "date": v.changed_at, "rationale": v.reason or "change order",
                     "description": f"purchase order {c.po_number} version {v.version}",
                     "amendsReleaseID": previous, "releaseID": release_id}
        out.append(release(release_id, v.changed_at, ["contractAmendment"],
                           contracts=[{**contract, "value": value(v.total_minor, c.currency),
                                       "amendments": [amendment]}]))
        previous = release_id
    for p in c.payments:
        transactions = [{"id": p.payment_id, "date": _midnight(p.payment_date),
                         "value": value(p.amount_minor, c.currency), "payer": buyer, "payee": supplier}]
        if p.returned_on is not None:
            transactions.append({"id": f"{p.payment_id}-returned", "date": _midnight(p.returned_on),
                                 "value": value(-p.amount_minor, c.currency), "payer": buyer, "payee": supplier})
        last = p.returned_on or p.payment_date
        implementation: dict[str, Any] = {"transactions": transactions}
        if p.due_date is not None:
            implementation["milestones"] = [_payment_milestone(p)]
        out.append(release(f"{p.payment_id}-{c.po_id}", _midnight(last), ["implementation"],
                           contracts=[{**contract, "implementation": implementation}]))
    return out


def _payment_milestone(p: ContractPayment) -> dict[str, Any]:
    """The payment's prompt-pay milestone: due on the invoices' due date, met on the payment date when it was paid
    on or before it; a payment the bank returned did not meet it (the replacement payment has its own)."""
    assert p.due_date is not None
    milestone: dict[str, Any] = {"id": f"{p.payment_id}-due", "title": "Payment due under the prompt-payment rules",
                                 "type": "financing", "dueDate": _midnight(p.due_date)}
    if p.returned_on is not None:
        return {**milestone, "status": "notMet", "dateModified": _midnight(p.returned_on),
                "description": "The payment was returned by the payee's bank."}
    on_time = p.payment_date <= p.due_date
    return {**milestone, "status": "met", "dateMet": _midnight(p.payment_date),
            "description": "Paid on time." if on_time else "Paid late; prompt-payment interest was added."}


def all_releases(source: ContractSource, policy: OcdsPolicy) -> Iterator[dict[str, Any]]:
    for facts in source.contracts():
        yield from releases_for(facts, policy)
