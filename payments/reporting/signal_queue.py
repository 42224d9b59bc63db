"""The assist signals' review queue: split purchases and every other signal in one list, each dismissible with a
reason.

A dismissal is a signed audit event (``assist_signal_dismissed``, object type ``assist_signal``, object id the
signal's key, with the reason and the evidence dismissed): the audit journal is its record, so there is nothing
else to keep in step. A signal's key digests its kind, subject and evidence, so a dismissed signal stays away while
its facts are the same and comes back as a new signal when they change. Dismissing never touches the invoice,
vendor or payment: signals never decide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from payments.audit import AuditTrail
from payments.errors import NotFound, ReasonRequired
from payments.identity import Principal
from payments.ports import UnitOfWork, UowFactory
from payments.reporting.signal_facts import SignalFacts
from payments.reporting.signals import SignalPolicy, all_signals

DISMISSED = "assist_signal_dismissed"
OBJECT_TYPE = "assist_signal"


class SignalNotFound(NotFound):
    """No signal in the queue on that day has that key (the facts changed, or it never was)."""

    code = "signal_not_found"


class SignalFactsSource(Protocol):
    def signal_facts(self) -> SignalFacts:
        """Every vendor, bank account, contact change, invoice (not cancelled) and live payment."""
        ...


def split_key(item: Mapping[str, Any]) -> str:
    canonical = json.dumps(["split_suspected", item["invoice_id"], item.get("together_with"), item.get("total_minor")],
                           sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class SignalQueue:
    def __init__(self, uow_factory: UowFactory[UnitOfWork], audit: AuditTrail, facts: SignalFactsSource,
                 policy: SignalPolicy, split_queue: Callable[[dt.date, dt.date], Mapping[str, Any]]) -> None:
        self._uow, self._audit, self._facts, self._policy, self._split = uow_factory, audit, facts, policy, split_queue

    def _items(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        items = [s.as_dict() for s in all_signals(self._facts.signal_facts(), self._policy) if start <= s.on <= end]
        for x in self._split(start, end)["items"]:
            items.append({"key": split_key(x), "signal": "split_suspected", "subject_type": "invoice",
                          "subject_id": x["invoice_id"], "vendor_ids": [x["vendor_id"]], "date": x["invoice_date"],
                          "evidence": {k: v for k, v in x.items() if k not in ("explanation", "invoice_id", "vendor_id",
                                                                                 "invoice_date")},
                          "explanation": x.get("explanation", "")})
        return sorted(items, key=lambda i: (i["date"], i["signal"], i["subject_id"]))

    def dismissed(self) -> dict[str, Mapping[str, Any]]:
        """Every dismissal so far, by signal key: who, when, why."""
        out: dict[str, Mapping[str, Any]] = {}
        after = 0
        with self._uow(read_only=True) as uow:
            while True:
                page = uow.audit_index.search(action=DISMISSED, object_type=OBJECT_TYPE, after_sequence=after,
                                              limit=500)
                for entry in page:
                    data = entry.draft.data
                    out[str(data.get("object_id"))] = {"by": data.get("actor"), "at": entry.recorded_at,
                                                       "reason": dict(data.get("detail", {})).get("reason")}
                if len(page) < 500:
                    return out
                after = page[-1].sequence

    def queue(self, start: dt.date, end: dt.date, *, include_dismissed: bool = False,
              about: str | None = None) -> dict[str, Any]:
        """The signals dated in [start, end]; ``about`` keeps those whose subject or vendors name that id (what an
        invoice, vendor or payment page shows)."""
        items, dismissed = self._items(start, end), self.dismissed()
        if about is not None:
            items = [i for i in items if about == i["subject_id"] or about in i["vendor_ids"]]
        shown = [{**i, "dismissed": dismissed.get(i["key"])} for i in items
                 if include_dismissed or i["key"] not in dismissed]
        return {"from": start.isoformat(), "to": end.isoformat(), "items": shown,
                "dismissed": sum(i["key"] in dismissed for i in items)}

    def dismiss(self, principal: Principal, key: str, *, on: dt.date, reason: str) -> dict[str, Any]:
        """Dismiss the signal ``key`` listed on ``on`` (the item's ``date``), saying why; audited. Dismissing one
        already dismissed answers with the first dismissal and records nothing."""
        if not reason.strip():
            raise ReasonRequired("say why the signal is dismissed: the reason is kept in the audit trail",
                                 field="reason")
        item = next((i for i in self._items(on, on) if i["key"] == key), None)
        if item is None:
            raise SignalNotFound(f"no signal {key} on {on.isoformat()}: its facts may have changed; reload the queue",
                                 key=key)
        earlier = self.dismissed().get(key)
        if earlier is not None:
            return {**item, "dismissed": earlier}
        with self._uow() as uow:
            entry = self._audit.record(uow, principal, DISMISSED, key, object_type=OBJECT_TYPE,
                                       detail={"signal": item["signal"], "subject_type": item["subject_type"],
                                               "subject_id": item["subject_id"], "reason": reason.strip(),
                                               "evidence": item["evidence"]})
            uow.commit()
        return {**item, "dismissed": {"by": principal.user_id, "at": entry.recorded_at, "reason": reason.strip()}}
