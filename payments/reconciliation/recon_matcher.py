"""Statement lines to payments: the pure matcher.

Every line ends in exactly one :class:`Match` or one :class:`ReconException`. The passes, strongest first:

1. **References.** EndToEndIds on the line (a batch-booked camt entry lists one per payment), then each
   reference the bank echoed (trace number, payment id, batch / PmtInfId / run id). A line whose references
   name our payments but whose amount differs is an ``amount_mismatch``, never a match: an altered line must
   not settle anything. A line naming a payment another line already settled is a ``duplicate_line``.
2. **Known, closed payments.** References of the lines left over are looked up once, in bulk, among payments
   already settled or returned (``known``): a hit is a duplicate, or the credit of a return.
3. **Amount and date window.** A debit with no usable reference matches the only open payment, or the only
   open batch whose total is the amount (one bank debit for a whole ACH batch), sent within the window.
   Two or more candidates are ``ambiguous_match``: guessing between two vendors' payments is a person's job.

Credits are returns coming back (matched to recorded returns by reference, then by amount and date) or
money we did not send, which is an ``unmatched_line``.

Linear time: payments are indexed once in dicts; each line costs a few dict lookups. The amount index is
built only when some line needs it, and only from the payments still open at that point.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date

from payments.business_days import BusinessCalendar
from payments.reconciliation.recon_records import (
    BookPayment,
    DateWindow,
    ExceptionKind,
    LineMatching,
    Match,
    MatchMethod,
    ReconException,
    RecordedReturn,
    StatementLine,
)

KnownLookup = Callable[[set[str]], Mapping[str, BookPayment]]
_RETURN_KINDS = frozenset({"ach_return", "returned_item", "ach_reversal"})


def _no_known(_refs: set[str]) -> Mapping[str, BookPayment]:
    return {}


def match_lines(lines: Iterable[StatementLine], open_payments: Iterable[BookPayment], *,
                returns: Iterable[RecordedReturn] = (), known: KnownLookup = _no_known,
                window: DateWindow = DateWindow(), calendar: BusinessCalendar | None = None,
                taken_batches: Collection[str] = (), trace_prefixes: Iterable[str] = ()) -> LineMatching:
    """Match ``lines`` against ``open_payments`` (sent, not yet settled) and ``returns`` awaiting their credit.

    ``taken_batches`` and ``trace_prefixes`` are for lines decided before the matcher (``recon_trace``): their
    payments are left out of ``open_payments``, but a batch that had one of them still is not a whole open batch
    (nor its other members singles), and their traces' prefixes are still ours.
    """
    matcher = _Matcher(open_payments, returns, window, calendar or BusinessCalendar())
    matcher.taken_batches = frozenset(taken_batches)
    matcher.trace_prefixes.update(trace_prefixes)
    return matcher.run(lines, known)


class _Matcher:
    def __init__(self, payments: Iterable[BookPayment], returns: Iterable[RecordedReturn], window: DateWindow,
                 calendar: BusinessCalendar) -> None:
        self.payments = list(payments)
        # The same keys as BookPayment.keys(), inlined: this loop runs once per open payment.
        by_key: dict[str, BookPayment] = {}
        prefixes: set[str] = set()
        add_prefix = prefixes.add
        for p in self.payments:
            pid = p.payment_id
            by_key[pid] = p
            trace = p.trace_number
            if trace:
                by_key[trace] = p
                add_prefix(trace[:8])
            if p.end_to_end_id and p.end_to_end_id != pid:
                by_key[p.end_to_end_id] = p
            if len(pid) > 15:
                by_key[pid[-15:]] = p
        self.by_key = by_key
        self._batches: dict[str, list[BookPayment]] | None = None
        self._groups: dict[str, list[BookPayment]] | None = None
        self.returns_by_key: dict[str, RecordedReturn] = {}
        self.open_returns: list[RecordedReturn] = []
        for r in returns:
            if r.credit_line_id is None:
                self.open_returns.append(r)
                for key in (r.payment_id, r.original_trace, *r.keys):
                    self.returns_by_key[key] = r
        self.trace_prefixes = prefixes
        self.taken_batches: frozenset[str] = frozenset()
        self.window = window
        self.calendar = calendar
        self.used: set[str] = set()
        self.used_returns: set[str] = set()
        self.out = LineMatching()

    # Groups are built on first need: a statement that names every payment by its trace never needs them.
    @property
    def batches(self) -> dict[str, list[BookPayment]]:
        """What one bank debit settles (one ACH batch): the amount pass's groups."""
        if self._batches is None:
            self._batches = {}
            for p in self.payments:
                if p.batch_ref:
                    self._batches.setdefault(p.batch_ref, []).append(p)
        return self._batches

    def _load_groups(self, wanted: set[str]) -> None:
        """The groups (batch, run, submission) that the given references name, and only those."""
        groups: dict[str, list[BookPayment]] = {}
        for p in self.payments:
            if p.batch_ref in wanted:
                groups.setdefault(p.batch_ref, []).append(p)
            for ref in p.group_refs:
                if ref in wanted:
                    groups.setdefault(ref, []).append(p)
        self._groups = groups

    # -- the passes ---------------------------------------------------------------------------------------
    def run(self, lines: Iterable[StatementLine], known: KnownLookup) -> LineMatching:
        pending: list[StatementLine] = []
        credits: list[StatementLine] = []
        for line in lines:
            if line.direction == "credit":
                credits.append(line)
            elif not self._by_reference(line):
                pending.append(line)
        self.out.by_reference = len(self.out.matches)
        # Lines naming no payment may name a group of them; the groups are gathered once, for those names only.
        leftover: list[StatementLine] = []
        if pending:
            self._load_groups({r for line in pending for r in line.references})
            leftover = [line for line in pending if not self._by_reference(line)]
        unexplained_credits = [c for c in credits if not self._credit_by_reference(c)]
        refs = {r for line in (*leftover, *unexplained_credits) for r in (*line.end_to_end_ids, *line.references)}
        closed = known(refs) if refs else {}
        leftover = [line for line in leftover if not self._known_duplicate(line, closed)
                    and not self._unknown_reference(line)]
        if leftover:
            self._by_amount_and_date(leftover)
        for line in unexplained_credits:
            self._credit_by_amount(line, closed)
        return self.out

    def _by_reference(self, line: StatementLine) -> bool:
        if line.end_to_end_ids or self._groups is not None:
            found = self._lookup(line)
            if found is None:
                return False
            method, group = found
        else:
            # ``_lookup``'s pass over the references, spelled out for the line of a large statement (no
            # end-to-end ids, groups not yet loaded): the same hits in the same order, with no dict for the one.
            first: BookPayment | None = None
            hits: dict[str, BookPayment] | None = None
            by_key = self.by_key
            for ref in line.references:
                p = by_key.get(ref)
                if p is None:
                    continue
                if first is None:
                    first = p
                    method = MatchMethod.TRACE if ref == p.trace_number else MatchMethod.BANK_REFERENCE
                elif hits is not None:
                    hits[p.payment_id] = p
                elif p.payment_id != first.payment_id:
                    hits = {first.payment_id: first, p.payment_id: p}
            if first is None:
                return False
            group = [first] if hits is None else list(hits.values())
        if len(group) == 1:  # the common case, kept short: a million lines go through here
            p = group[0]
            ids: tuple[str, ...] = (p.payment_id,)
            if p.payment_id in self.used:
                return self._duplicate(line, ids)
            if line.booking_date < p.sent_on and self._too_early(p.sent_on, line.booking_date):
                return self._early(line, ids, ids)
            if p.amount_minor != line.amount_minor or p.currency != line.currency:
                return self._mismatch(line, ids, p.amount_minor, p.currency)
            self.used.add(p.payment_id)
            self.out.matches.append(Match(method, ids, line.amount_minor, line.currency, line.line_id,
                                          line.booking_date, None, "", (p,)))
            return True
        ids = tuple(p.payment_id for p in group)
        taken = tuple(pid for pid in ids if pid in self.used)
        if taken:
            return self._duplicate(line, taken)
        early = tuple(p.payment_id for p in group if self._too_early(p.sent_on, line.booking_date))
        if early:
            return self._early(line, early, ids)
        total = sum(p.amount_minor for p in group)
        if total != line.amount_minor or any(p.currency != line.currency for p in group):
            return self._mismatch(line, ids, total, group[0].currency)
        self.used.update(ids)
        self.out.matches.append(Match(method, ids, line.amount_minor, line.currency, line_id=line.line_id,
                                      payments=tuple(group), booked_on=line.booking_date))
        return True

    def _duplicate(self, line: StatementLine, taken: tuple[str, ...]) -> bool:
        self._except(ExceptionKind.DUPLICATE_LINE, line, f"another line of this import already settled "
                     f"{', '.join(taken)}", payment_ids=taken)
        return True

    def _early(self, line: StatementLine, early: tuple[str, ...], ids: tuple[str, ...]) -> bool:
        self._except(ExceptionKind.DATE_OUT_OF_WINDOW, line, f"booked {line.booking_date.isoformat()}, before "
                     f"{', '.join(early)} could have left", payment_ids=ids)
        return True

    def _mismatch(self, line: StatementLine, ids: tuple[str, ...], total: int, currency: str) -> bool:
        self._except(ExceptionKind.AMOUNT_MISMATCH, line, f"the line names {len(ids)} payment(s) totalling {total} "
                     f"{currency} but carries {line.amount_minor} {line.currency}", payment_ids=ids)
        return True

    def _lookup(self, line: StatementLine) -> tuple[MatchMethod, list[BookPayment]] | None:
        if line.end_to_end_ids:
            found = [p for e in line.end_to_end_ids if (p := self.by_key.get(e)) is not None]
            if found:
                # Some ids unknown: still ours, and the amount check below flags the line as altered.
                return MatchMethod.END_TO_END_ID, found
        # Every payment any reference names: one for a single entry, several when a batch entry lists its items.
        hits: dict[str, BookPayment] = {}
        method = None
        by_key = self.by_key
        for ref in line.references:
            p = by_key.get(ref)
            if p is not None:
                hits[p.payment_id] = p
                if method is None:
                    method = MatchMethod.TRACE if ref == p.trace_number else MatchMethod.BANK_REFERENCE
        if hits and method is not None:
            return method, list(hits.values())
        if self._groups is not None:
            for ref in line.references:
                group = self._groups.get(ref)
                if group is not None:
                    return MatchMethod.BATCH_REFERENCE, group
        return None

    def _known_duplicate(self, line: StatementLine, closed: Mapping[str, BookPayment]) -> bool:
        hits = {p.payment_id for r in (*line.end_to_end_ids, *line.references) if (p := closed.get(r)) is not None}
        if not hits:
            return False
        ids = tuple(sorted(hits))
        self._except(ExceptionKind.DUPLICATE_LINE, line,
                     f"an earlier statement already settled {', '.join(ids)}", payment_ids=ids)
        return True

    def _ours(self, ref: str) -> bool:
        return ref.startswith(("pay_", "run_")) or (len(ref) == 15 and ref.isdigit() and ref[:8] in self.trace_prefixes)

    def _unknown_reference(self, line: StatementLine) -> bool:
        # A reference in our own format that names nothing we sent is an altered line: matching it by amount
        # would hide the alteration behind a plausible payment.
        unknown = [r for r in (*line.end_to_end_ids, *line.references) if self._ours(r)]
        if not unknown:
            return False
        self._except(ExceptionKind.REFERENCE_UNKNOWN, line, f"the line names {', '.join(unknown[:3])}, which is "
                     "none of our open or settled payments")
        return True

    def _by_amount_and_date(self, lines: Sequence[StatementLine]) -> None:
        # Only a payment of an amount some line carries can be a line's single: the amount, the cheapest test,
        # spares the look-ups of the others (at a million payments, one look-up each is most of this pass).
        # A batch one of whose payments was decided before the matcher is neither whole nor made of singles.
        amounts, taken = {line.amount_minor for line in lines}, self.taken_batches
        singles: dict[tuple[str, int], list[BookPayment]] = {}
        for p in self.payments:
            if p.amount_minor in amounts and p.payment_id not in self.used and (
                    p.batch_ref is None or len(self.batches[p.batch_ref]) == 1 and p.batch_ref not in taken):
                singles.setdefault((p.currency, p.amount_minor), []).append(p)
        totals: dict[tuple[str, int], list[str]] = {}
        for ref, group in self.batches.items():
            if len(group) > 1 and ref not in taken and not any(p.payment_id in self.used for p in group):
                totals.setdefault((group[0].currency, sum(p.amount_minor for p in group)), []).append(ref)
        for line in lines:
            key = (line.currency, line.amount_minor)
            single = [p for p in singles.get(key, ()) if p.payment_id not in self.used
                      and self._in_window(p.sent_on, line.booking_date)]
            whole = [ref for ref in totals.get(key, ()) if not any(p.payment_id in self.used for p in self.batches[ref])
                     and self._in_window(self.batches[ref][0].sent_on, line.booking_date)]
            if len(single) + len(whole) == 1:
                group = single or self.batches[whole[0]]
                ids = tuple(p.payment_id for p in group)
                self.used.update(ids)
                method = MatchMethod.AMOUNT_DATE if single else MatchMethod.BATCH_TOTAL
                note = "" if single else f"batch {whole[0]}"
                self.out.matches.append(Match(method, ids, line.amount_minor, line.currency, line_id=line.line_id,
                                              note=note, payments=tuple(group), booked_on=line.booking_date))
            elif single or whole:
                self._except(ExceptionKind.AMBIGUOUS_MATCH, line,
                             f"{len(single) + len(whole)} open payments or batches fit this amount and date",
                             candidates=tuple(p.payment_id for p in single) + tuple(whole))
            else:
                self._except(ExceptionKind.UNMATCHED_LINE, line, "no payment, batch or return matches this line")

    # -- credits: returns coming back -----------------------------------------------------------------------
    def _credit_by_reference(self, line: StatementLine) -> bool:
        for ref in (*line.end_to_end_ids, *line.references):
            r = self.returns_by_key.get(ref)
            if r is not None:
                return self._return_credit(line, r, "")
        return False

    def _credit_by_amount(self, line: StatementLine, closed: Mapping[str, BookPayment]) -> None:
        if line.is_return or line.kind in _RETURN_KINDS:
            fits = [r for r in self.open_returns if r.return_id not in self.used_returns
                    and r.currency == line.currency and r.amount_minor == line.amount_minor
                    and self._in_window(r.received_on, line.booking_date)]
            if len(fits) == 1:
                self._return_credit(line, fits[0], "by amount and date")
                return
            if len(fits) > 1:
                self._except(ExceptionKind.AMBIGUOUS_MATCH, line, f"{len(fits)} recorded returns fit this credit",
                             candidates=tuple(r.payment_id for r in fits))
                return
        named = {p.payment_id for r in (*line.end_to_end_ids, *line.references)
                 if (p := closed.get(r) or self.by_key.get(r)) is not None}
        detail = (f"a credit names payment(s) {', '.join(sorted(named))} but no return is recorded for them; "
                  "import the returns file") if named else "no recorded return or payment explains this credit"
        self._except(ExceptionKind.UNMATCHED_LINE, line, detail, payment_ids=tuple(sorted(named)))

    def _return_credit(self, line: StatementLine, r: RecordedReturn, note: str) -> bool:
        if r.return_id in self.used_returns:
            self._except(ExceptionKind.DUPLICATE_LINE, line, f"another credit already brought back return "
                         f"{r.return_id}", payment_ids=(r.payment_id,))
            return True
        if r.amount_minor != line.amount_minor or r.currency != line.currency:
            self._except(ExceptionKind.AMOUNT_MISMATCH, line, f"return {r.return_id} is {r.amount_minor} "
                         f"{r.currency}; the credit is {line.amount_minor} {line.currency}", payment_ids=(r.payment_id,))
            return True
        self.used_returns.add(r.return_id)
        self.out.matches.append(Match(MatchMethod.RETURN_CREDIT, (r.payment_id,), line.amount_minor, line.currency,
                                      line_id=line.line_id, return_id=r.return_id, note=note,
                                      booked_on=line.booking_date))
        return True

    # -- helpers ------------------------------------------------------------------------------------------
    def _too_early(self, sent_on: date, booked_on: date) -> bool:
        if booked_on >= sent_on:
            return False
        return -self.calendar.business_days_between(sent_on, booked_on) > self.window.before_business_days

    def _in_window(self, sent_on: date, booked_on: date) -> bool:
        days = (booked_on - sent_on).days
        # Calendar days bound business days from above: a far-off date is refused without walking the calendar.
        if days > 3 * self.window.after_business_days + 7 or -days > 3 * self.window.before_business_days + 7:
            return False
        between = self.calendar.business_days_between(sent_on, booked_on)
        return -self.window.before_business_days <= between <= self.window.after_business_days

    def _except(self, kind: ExceptionKind, line: StatementLine, detail: str, *, payment_ids: tuple[str, ...] = (),
                candidates: tuple[str, ...] = ()) -> None:
        self.out.exceptions.append(ReconException(kind, detail, line.signed_amount_minor, line.currency,
                                                  line_id=line.line_id, payment_ids=payment_ids,
                                                  candidates=candidates))
