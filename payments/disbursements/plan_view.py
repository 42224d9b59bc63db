"""What a payment run would pay, as people are shown it (the API's and the CLI's preview). Pure."""

from __future__ import annotations

from typing import Any

from ledger.money import format_minor
from payments.disbursements.payment_runs import RunPlan


def plan_view(plan: RunPlan) -> dict[str, Any]:
    """What a run would pay: its payments (remittance and credits each) and why each other invoice waits."""
    c = plan.currency
    return {
        "preview": True, "run_date": plan.run_date.isoformat(), "effective_date": plan.effective_date.isoformat(),
        "currency": c, "same_day": plan.same_day, "payment_count": len(plan.payments),
        "total_minor": plan.total_minor, "total": format_minor(plan.total_minor, c),
        "payments": [{"vendor_id": p.vendor_id, "payee_name": p.payee_name, "account_id": p.account_id,
                      "kind": p.kind.value, "sec_code": p.sec_code.value, "amount_minor": p.amount_minor,
                      "amount": format_minor(p.amount_minor, p.currency),
                      "effective_date": (p.effective_date or plan.effective_date).isoformat(),
                      "remittance": [{"invoice_id": i.invoice_id, "invoice_number": i.invoice_number,
                                      "amount_minor": i.amount_minor, "discount_minor": i.discount_minor,
                                      "interest_minor": i.interest_minor, "paid_minor": i.paid_minor,
                                      "pay_date": i.pay_date.isoformat()} for i in p.items],
                      "credits": [{"credit_memo_id": x.credit_memo_id, "memo_number": x.memo_number,
                                   "amount_minor": x.amount_minor} for x in p.credits]} for p in plan.payments],
        "skipped": [{"invoice_id": s.invoice_id, "reason": s.reason.value, "detail": s.detail} for s in plan.skipped],
    }
