"""Injection: a clean statement for 200 payments is damaged on purpose (lines removed, duplicated, altered),
and every damaged line and every payment left unsettled by it must be flagged: 100 %, with no false alarm."""

from __future__ import annotations

import datetime as dt
import random

from payments.reconciliation.recon_records import ExceptionStatus
from tests.unit.reconciliation.statement_files import bai2

from .recon_support import pid, recon_service, seed_payments, trace

SINGLES, BATCHES, PER_BATCH = 150, 10, 5


def _payments(container) -> tuple[list, list]:  # noqa: ANN001
    rng = random.Random(7)
    singles = []
    for k in range(SINGLES):
        amount = rng.randrange(1_000, 5_000_000)
        seed_payments(container, f"run_s{k}", [(f"s{k}", amount, k + 1)], post=False)
        singles.append((f"s{k}", amount, k + 1))
    batches = []
    for b in range(BATCHES):
        members = [(f"b{b}_{i}", rng.randrange(1_000, 5_000_000), 1000 + b * PER_BATCH + i) for i in range(PER_BATCH)]
        seed_payments(container, f"run_b{b}", members, post=False)
        batches.append((f"run_b{b}", members))
    return singles, batches


def test_missing_duplicated_and_altered_lines_are_all_flagged(container):
    singles, batches = _payments(container)
    lines = [("466", amount, f"BR{k}", trace(k), "ACH SETTLEMENT") for _, amount, k in singles]
    lines += [("466", sum(a for _, a, _ in members), f"BB{run}", run, "ACH BATCH") for run, members in batches]
    expected_payments = {f"BR{k}": [pid(name)] for name, _, k in singles}
    expected_payments.update({f"BB{run}": [pid(n) for n, _, _ in members] for run, members in batches})
    rng = random.Random(11)
    order = list(range(len(lines)))
    rng.shuffle(order)
    take = iter(order)
    missing = [lines[next(take)] for _ in range(12)]
    amount_altered = [next(take) for _ in range(6)]
    reference_altered = [next(take) for _ in range(6)]
    direction_altered = [next(take) for _ in range(4)]
    duplicated = [next(take) for _ in range(8)]
    damaged: dict[str, str] = {}  # bank reference of a damaged line -> what was done
    out = [x for x in lines if x not in missing]
    for i in amount_altered:
        t, a, ref, cust, text = lines[i]
        out[out.index(lines[i])] = (t, a + rng.choice((-100, 1, 99_00)), ref, cust, text)
        damaged[ref] = "amount"
    for i in reference_altered:
        t, a, ref, cust, text = lines[i]
        new_cust = (cust[:-1] + str((int(cust[-1]) + 1) % 10)) if cust.isdigit() else cust + "X"
        out[out.index(lines[i])] = (t, a, ref, new_cust, text)
        damaged[ref] = "reference"
    for i in direction_altered:
        t, a, ref, cust, text = lines[i]
        out[out.index(lines[i])] = ("165", a, ref, cust, text)  # the same entry now reads as a credit
        damaged[ref] = "direction"
    for n, i in enumerate(duplicated):
        t, a, ref, cust, text = lines[i]
        copy_ref = ref if n % 2 else f"{ref}-COPY"  # half with the same bank reference, half with another
        out.insert(rng.randrange(len(out) + 1), (t, a, copy_ref, cust, text))
        damaged.setdefault(copy_ref, "duplicate")
    service = recon_service(container)
    service.import_file(bai2(out, opening=10**10))
    service.reconcile(dt.date(2026, 10, 2))

    with container.uow(read_only=True) as uow:
        stored = uow.recon.lines_between(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
        open_exc = uow.recon.list_exceptions(status=ExceptionStatus.OPEN, limit=10_000)
        settled = {p.id for p in uow.payments.list_payments(limit=10_000) if p.status.value == "settled"}
    flagged_lines = {e.line_id for e in open_exc if e.line_id}
    flagged_payments = {pid for e in open_exc if e.kind.value == "unsettled_payment" for pid in e.payment_ids}

    by_ref: dict[str, list] = {}
    for line in stored:
        by_ref.setdefault(line.bank_reference, []).append(line)
    caught = 0
    for ref, what in damaged.items():
        if what != "duplicate":
            assert [x.line_id for x in by_ref[ref]][0] in flagged_lines, f"{ref} ({what}) was not flagged"
            caught += 1
    for i in duplicated:  # of the two copies of a bank entry, one settles and the other is flagged
        ref = lines[i][2]
        pair = by_ref[ref] + by_ref.get(f"{ref}-COPY", [])
        assert len(pair) == 2 and sum(x.line_id in flagged_lines for x in pair) == 1, ref
        caught += 1
    # Every payment a missing or altered line should have settled is still unsettled, and flagged.
    left_unsettled = {p for ref in [m[2] for m in missing] + [r for r, w in damaged.items() if w != "duplicate"]
                      for p in expected_payments[ref]}
    assert left_unsettled <= flagged_payments and not left_unsettled & settled
    # No false alarm: every untouched line matched, every other payment settled.
    untouched = {lines[i][2] for i in order[12 + 6 + 6 + 4 + 8:]}
    assert all(x.line_id not in flagged_lines and x.state == "matched" for ref in untouched for x in by_ref[ref])
    every = {p for ps in expected_payments.values() for p in ps}
    assert settled == every - left_unsettled
    injected = len(missing) + len(amount_altered) + len(reference_altered) + len(direction_altered) + len(duplicated)
    flagged_injections = caught + len(missing)  # a missing line shows as its payments' unsettled exceptions
    assert flagged_injections / injected == 1.0
