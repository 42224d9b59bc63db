"""The prompt-pay clock (5 CFR part 1315): receipt date, due date, defect notices, discounts, late interest.

- The clock starts on the *receipt date*: the later of the day a proper invoice reached the billing office
  and the day the goods or services were accepted. Acceptance is deemed to happen 7 days after delivery
  unless an earlier acceptance is recorded (or the contract allows longer). An invoice nobody annotated
  with its receipt date is deemed received on its invoice date.
- Payment is due 30 days after the receipt date unless policy says otherwise for the category, or the
  contract names another period.
- An improper invoice is returned within 7 days listing every defect; if the notice goes out late, the
  days of delay come off the period for paying the corrected invoice.
- A discount is taken only by the discount date and only if it is worth more than the money (its
  annualized rate above the policy threshold, normally Treasury's current value of funds rate).
- Late-payment interest runs from the day after the due date to the payment date, at the rate in effect
  on the first day of lateness, compounded every 30 days, for at most a year; under $1 is not paid.
  Formula (5 CFR 1315.17): P(1 + r/12)^n x (1 + r/360 x d) - P, n whole 30-day periods, d the days left.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from payments.ap.prompt_pay_errors import DuplicateInterestRate, NoDefects
from payments.business_days import BusinessCalendar
from payments.ap.matching.match_defects import InvoiceDefect
from payments.ap.terms import PaymentTerms
from payments.errors import DomainError

_ONE = Decimal(1)
_TWELVE = Decimal(12)
_DAYS_360 = Decimal(360)
_PERIOD_DAYS = 30


@dataclass(frozen=True)
class PromptPayPolicy:
    """Prompt-pay settings; versioned so every computed date and amount can say which rules made it."""

    version: str
    due_days: int = 30
    due_days_by_category: Mapping[str, int] = field(default_factory=dict)
    acceptance_days: int = 7
    improper_return_days: int = 7
    # Treasury's current value of funds rate, as a fraction: a discount worth less than this is not taken.
    discount_threshold_rate: Decimal = Decimal(0)
    max_interest_days: int = 365
    # "Interest penalties of less than $1.00 need not be paid"; in minor units of the payment currency.
    min_interest_minor: int = 100

    def due_days_for(self, category: str | None) -> int:
        return self.due_days_by_category.get(category, self.due_days) if category is not None else self.due_days


class ClockNotStarted(DomainError):
    """Nothing has been delivered or accepted yet, so there is no receipt date to count from."""

    code = "clock_not_started"


class NoRateInEffect(DomainError):
    """The interest-rate table has no rate for the first day of lateness."""

    code = "no_interest_rate"

    def __init__(self, day: date, what_to_do: str = "") -> None:
        super().__init__(f"No prompt-payment interest rate is in effect on {day.isoformat()}."
                         + (f" {what_to_do}" if what_to_do else ""), day=day.isoformat())


# --- the clock ----------------------------------------------------------------------------------------


def acceptance_date(delivered_on: date | None, accepted_on: date | None, acceptance_days: int) -> tuple[date, bool]:
    """(acceptance date, deemed?). A recorded acceptance counts only if it is earlier than the deemed one."""
    if delivered_on is None:
        if accepted_on is None:
            raise ClockNotStarted("Nothing has been delivered or accepted yet; the prompt-pay clock has not started.")
        return accepted_on, False
    deemed = delivered_on + timedelta(days=acceptance_days)
    if accepted_on is not None and accepted_on <= deemed:
        return accepted_on, False
    return deemed, True


@dataclass(frozen=True, slots=True)
class PromptPayClock:
    invoice_received_on: date
    acceptance_on: date
    acceptance_deemed: bool
    receipt_date: date
    due_days: int
    due_date: date
    policy_version: str


def start_clock(
    *,
    invoice_date: date,
    invoice_received_on: date | None,
    delivered_on: date | None,
    accepted_on: date | None,
    policy: PromptPayPolicy,
    category: str | None = None,
    contract_due_days: int | None = None,
    contract_acceptance_days: int | None = None,
    late_notice_days: int = 0,
) -> PromptPayClock:
    """The receipt date and due date of a proper invoice.

    ``late_notice_days`` is ``late_defect_notice_days(...)`` of an earlier improper version of this invoice:
    those days come off the payment period.
    """
    received = invoice_received_on or invoice_date
    acceptance_days = policy.acceptance_days if contract_acceptance_days is None else contract_acceptance_days
    accepted, deemed = acceptance_date(delivered_on, accepted_on, acceptance_days)
    receipt = max(received, accepted)
    due_days = (policy.due_days_for(category) if contract_due_days is None else contract_due_days) - late_notice_days
    due_days = max(due_days, 0)
    return PromptPayClock(received, accepted, deemed, receipt, due_days, receipt + timedelta(days=due_days),
                          policy.version)


def last_timely_payment_date(due_date: date, calendar: BusinessCalendar) -> date:
    """A due date on a weekend or holiday may be paid on the next business day without interest."""
    return calendar.next_business_day_on_or_after(due_date)


# --- improper invoices --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefectNotice:
    """What to send back with an improper invoice: every defect, and the date it must go out by."""

    invoice_received_on: date
    return_by: date
    defects: tuple[InvoiceDefect, ...]

    def lines(self, currency: str) -> tuple[str, ...]:
        return tuple(d.explain(currency) for d in self.defects)


def defect_notice(invoice_received_on: date, defects: Iterable[InvoiceDefect], policy: PromptPayPolicy) -> DefectNotice:
    listed = tuple(defects)
    if not listed:
        raise NoDefects("A proper invoice is not returned: there are no defects to list.")
    return DefectNotice(invoice_received_on, invoice_received_on + timedelta(days=policy.improper_return_days), listed)


def late_defect_notice_days(notice: DefectNotice, sent_on: date) -> int:
    """Days the notice went out after its return-by date (0 if on time)."""
    return max((sent_on - notice.return_by).days, 0)


# --- discounts ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiscountDecision:
    take: bool
    annualized_rate: Decimal
    threshold_rate: Decimal
    discount_date: date | None
    discount_minor: int
    why: str


def decide_discount(
    terms: PaymentTerms, *, base_date: date, amount_minor: int, policy: PromptPayPolicy, today: date
) -> DiscountDecision:
    """Take the discount only if it is still available on ``today`` and beats the threshold rate."""
    last_day = terms.discount_date(base_date)
    rate = terms.annualized_discount_rate()
    threshold = policy.discount_threshold_rate
    if last_day is None:
        return DiscountDecision(False, rate, threshold, None, 0, "The terms offer no discount.")
    if today > last_day:
        return DiscountDecision(False, rate, threshold, last_day, 0,
                                f"The discount period ended on {last_day.isoformat()}.")
    worth = f"The discount is worth {rate:.4%} a year"
    if rate <= threshold:
        why = f"{worth}, not more than the {threshold:.4%} threshold."
        return DiscountDecision(False, rate, threshold, last_day, 0, why)
    return DiscountDecision(True, rate, threshold, last_day, terms.discount_minor(amount_minor),
                            f"{worth}, more than the {threshold:.4%} threshold.")


# --- late-payment interest ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterestRate:
    effective_from: date
    annual_rate: Decimal  # a fraction: 0.065 for 6.5%


class RateTable:
    """Effective-dated interest rates (Treasury sets the prompt-payment rate every six months)."""

    def __init__(self, rates: Iterable[InterestRate]) -> None:
        ordered = sorted(rates, key=lambda r: r.effective_from)
        if len({r.effective_from for r in ordered}) != len(ordered):
            raise DuplicateInterestRate("Two interest rates take effect on the same day.")
        self._starts = [r.effective_from for r in ordered]
        self._rates = ordered

    def rate_on(self, day: date) -> InterestRate:
        i = bisect.bisect_right(self._starts, day) - 1
        if i < 0:
            raise NoRateInEffect(day)
        return self._rates[i]


@dataclass(frozen=True, slots=True)
class LateInterest:
    days_late: int
    days_charged: int
    periods: int
    extra_days: int
    rate: InterestRate | None
    interest_minor: int
    payable_minor: int


def late_payment_interest(
    principal_minor: int,
    *,
    due_date: date,
    paid_on: date,
    rates: RateTable,
    policy: PromptPayPolicy,
    calendar: BusinessCalendar | None = None,
) -> LateInterest:
    """Interest owed for paying ``principal_minor`` on ``paid_on`` when it was due on ``due_date``.

    With a ``calendar``, a payment on the next business day after a weekend or holiday due date is on time;
    any later payment still owes interest from the day after the original due date.
    """
    days_late = (paid_on - due_date).days
    on_time = days_late <= 0 or (calendar is not None and paid_on <= last_timely_payment_date(due_date, calendar))
    if on_time:
        return LateInterest(max(days_late, 0), 0, 0, 0, None, 0, 0)
    rate = rates.rate_on(due_date + timedelta(days=1))
    days = min(days_late, policy.max_interest_days)
    periods, extra = divmod(days, _PERIOD_DAYS)
    r = rate.annual_rate
    with localcontext() as ctx:
        ctx.prec = 40
        factor = (_ONE + r / _TWELVE) ** periods * (_ONE + r / _DAYS_360 * extra) - _ONE
        interest = int((Decimal(principal_minor) * factor).quantize(_ONE, rounding=ROUND_HALF_UP))
    payable = interest if interest >= policy.min_interest_minor else 0
    return LateInterest(days_late, days, periods, extra, rate, interest, payable)
