"""The prompt-pay interest a payment adds for one invoice, under the rule the invoice's due date was computed by.

An invoice clocked by the federal rule (or before rule sets existed: no label) keeps the federal module's
arithmetic and the policy's Treasury rates, exactly as before; any other rule set's label is computed by the
rule-set engine with the agency's published rates and what staff recorded about the invoice (its
``prompt_pay_facts``: the payee's kind, a dispute and how it ended, clock stops, federal money), as that act says.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from payments.ap.prompt_pay import late_payment_interest
from payments.ap.prompt_pay_rules.agency import AgencyRules, federal_label, is_federal

if TYPE_CHECKING:
    from payments.disbursements.payment_runs import PayableInvoice, RunPolicy

__all__ = ["AgencyRules", "interest_for"]


def interest_for(invoice: PayableInvoice, principal_minor: int, paid_on: dt.date,
                 policy: RunPolicy) -> tuple[int, str]:
    """(interest payable in minor units, the rule's label) for paying ``principal_minor`` of ``invoice`` on
    ``paid_on``."""
    label, due_date = invoice.prompt_pay_rule, invoice.due_date
    rule = label or federal_label()
    if paid_on <= due_date:
        return 0, rule
    if is_federal(label) or policy.rules is None:
        if policy.rates is None:
            return 0, rule
        late = late_payment_interest(principal_minor, due_date=due_date, paid_on=paid_on, rates=policy.rates,
                                     policy=policy.prompt_pay, calendar=policy.calendar)
        return late.payable_minor, rule
    owed = policy.rules.interest(rule, principal_minor, due_date=due_date, paid_on=paid_on, calendar=policy.calendar,
                                 facts=invoice.prompt_pay_facts)
    return owed.payable_minor, rule
