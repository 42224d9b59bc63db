"""What Disburse records about one invoice that the rule set weighs when it prices lateness (issue 18).

Staff record them through the AP services: the vendor's kind (a government, a state agency, an employee: payees an
act may not cover), the purchase order's federal or grant money and the day it arrived, a dispute noticed to the
vendor and how it ended, and what stopped the clock (a misaddressed invoice, legal process, a cause beyond the
agency's control). The payment run hands them to ``late_interest`` with the invoice's rule; which of them matter,
and how, is the rule set's to say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from payments.ap.prompt_pay_rules.accrual import DisputeFacts, Stop

# A federally funded purchase whose money arrived after the due date (or has not arrived): the federal terms kept
# the agency from paying on time. Texas names it (Gov't Code 2251.002(a)(3)); acts that do not, ignore it.
FEDERAL_FUNDS_TERMS = "federal_funds_terms"


@dataclass(frozen=True, slots=True)
class PromptPayFacts:
    """One invoice's facts beyond its dates: who is paid, with what money, and what was disputed or stopped."""

    received_on: dt.date | None = None  # the day the invoice reached the agency (dispute notices count from it)
    payee_kind: str | None = None  # "government", "state_agency", "employee", or None for a business
    dispute: DisputeFacts | None = None
    stops: tuple[Stop, ...] = ()
    federally_funded: bool = False
    funds_received_on: dt.date | None = None

    def stops_for(self, due_date: dt.date) -> tuple[Stop, ...]:
        """The recorded stops, and ``federal_funds_terms`` from the day after the due date when the federal money
        came after it (or has not come)."""
        late_money = self.federally_funded and (self.funds_received_on is None or self.funds_received_on > due_date)
        if not late_money:
            return self.stops
        return (*self.stops, Stop(FEDERAL_FUNDS_TERMS, due_date + dt.timedelta(days=1), self.funds_received_on))
