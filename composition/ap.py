"""The accounts-payable wiring: the AP use cases, the bank-change restraint they honour, the budget recount,
and the vendor portal over them.

Part of the composition root (``main.py`` re-exports every function here): each takes the container ``main.build``
made and builds what its feature needs, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from main import Container


def ap_services(container: Container):  # noqa: ANN201
    """The accounts-payable use cases, built once per container."""
    if container.ap is None:
        from adapters.keys.field_cipher import AesGcmFieldCipher
        from payments.ap.ap_deps import APDeps
        from payments.ap.ap_policy import APPolicies
        from payments.ap.ap_services import APServices

        container.ap = APServices(APDeps(container.uow, container.ledger.journal_for, container.clock,
                                         APPolicies.from_policy(container.policy), container.audit,
                                         AesGcmFieldCipher.open(container.settings.path("key_dir")),
                                         restraints=lambda uow, vendor_id: ap_restraints(container, uow, vendor_id)))
    return container.ap


def ap_restraints(container: Container, uow: Any, vendor_id: str) -> list:
    """Who changed this vendor's bank account and may not approve its invoices while that cools off."""
    return container.bank_accounts.restraints(uow, [vendor_id])


def rebuild_budget_totals(container: Container) -> Any:
    """Each fiscal year's budget line recounted from the journal (``disburse budgets rebuild``)."""
    from payments.ap.ap_deps import APDeps
    from payments.ap.ap_policy import APPolicies
    from payments.ap.budget_totals import BudgetTotals
    from payments.identity import Principal, Role

    deps = APDeps(container.uow, container.ledger.journal_for, container.clock,
                  APPolicies.from_policy(container.policy), container.audit)
    return BudgetTotals(deps).rebuild(Principal.staff("system_upgrade", Role.TREASURER))


def wire_portal(container: Container) -> Any:
    """The vendor portal: reads scoped to the caller's vendor, invoices submitted through the AP use case, interest
    computed with the payment run's own prompt-pay settings."""
    from composition.payments import wire_payments
    from payments.portal.portal_service import VendorPortal
    from payments.portal.portal_timeline import InterestRules

    run = wire_payments(container).policy
    return VendorPortal(container.uow, container.clock,
                        ap_services(container).invoices, InterestRules(run.prompt_pay, run.rates, run.calendar,
                                                                          run.rules),
                        bank_holds=container.bank_accounts.payment_holds)
