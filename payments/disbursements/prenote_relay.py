"""The body of the prenote relay job: tell the bank-account workflow that a prenote went out or came back.

A payment run sends a vendor's prenote and records ``bank_account.prenote_sent`` (or, from a return,
``…prenote_returned``) in its outbox; the relay hands each event to the bank-account change it belongs to, so the
change can move on to activation (or be refused). An event for an account with no change, or one the workflow no
longer accepts (a change cancelled meanwhile), is logged and marked processed: replaying it would change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from payments.disbursements.payment_ports import PayeeAccounts
from payments.errors import DomainError

log = logging.getLogger("disburse.payments")


class PrenoteOutcomes(Protocol):
    """The bank-account workflow as the relay sees it (``payments.people.bank_account_service``)."""

    def prenote_sent(self, actor: str, change_id: str) -> object: ...

    def prenote_returned(self, actor: str, change_id: str, *, return_code: str) -> object: ...


def prenote_handler(outcomes: PrenoteOutcomes, accounts: PayeeAccounts,
                    actor: str = "system") -> Callable[[str, Mapping[str, Any]], None]:
    """``handle(topic, payload)`` for ``PaymentService.relay_prenote_events``."""

    def handle(topic: str, payload: Mapping[str, Any]) -> None:
        account = accounts.get(payload["account_id"])
        if account is None or account.change_id is None:
            return
        try:
            if topic.endswith("prenote_sent"):
                outcomes.prenote_sent(actor, account.change_id)
            else:
                outcomes.prenote_returned(actor, account.change_id, return_code=payload.get("reason_code", ""))
        except DomainError:
            log.warning("prenote event %s for %s not applied", topic, account.account_id)
    return handle
