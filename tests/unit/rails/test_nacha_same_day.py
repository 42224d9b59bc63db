"""Same-day ACH in the file: batch headers as the ACH Operator reads them (FORMATS.md 1.7).

The City sends one file on Monday 2 November 2026: Birch's $300,000.00 settles the same day, Granite's
$1,200,000.00 is over the same-day limit and settles Tuesday the 3rd.
"""

import datetime as dt

import pytest

from adapters.rails.nacha.rail import NachaOriginator, build_file, same_day_descriptive
from adapters.formats.nacha.reader import read
from adapters.formats.nacha.writer import write
from config.policy import load_policy
from payments.disbursements.rails import RailAccountType, RailBatch, RailPayment, RailSec

MONDAY, TUESDAY = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
SAME_DAY = NachaOriginator({**load_policy()["nacha"], "same_day": True, "same_day_cutoff": "13:00"})


def pay(n: int, amount: int, *, effective: dt.date, same_day: bool) -> RailPayment:
    pid = f"pay_01JD8Z3K4M5N6P7Q8R9S0T{n:04d}"
    return RailPayment(pid, pid, amount, "USD", f"VENDOR {n}", f"ven_{n}", "091000019", f"00{n}98765",
                       RailAccountType.CHECKING, RailSec.CCD, trace_number=f"2313801000000{n:02d}",
                       effective_date=effective, same_day=same_day)


def headers(data: bytes) -> list[str]:
    return [line for line in data.decode().splitlines() if line.startswith("5")]


def test_same_day_and_next_day_payments_go_in_separate_batches_with_their_own_dates():
    batch = RailBatch("sub_01JD8Z3K4M5N6P7Q8R9S0TAAAA", "run_01JD8Z3K4M5N6P7Q8R9S0TBBBB",
                      dt.datetime(2026, 11, 2, 15, 5, tzinfo=dt.timezone.utc), MONDAY,
                      (pay(1, 30_000_000, effective=MONDAY, same_day=True),
                       pay(2, 120_000_000, effective=TUESDAY, same_day=False)))
    data = write(build_file(batch, SAME_DAY)[0])
    same, next_day = headers(data)
    # 64-69 company descriptive date, 70-75 effective entry date, 76-78 settlement date (left to the Operator)
    assert (same[63:69], same[69:75], same[75:78]) == ("SD1700", "261102", "   ")
    assert (next_day[63:69], next_day[69:75], next_day[75:78]) == ("NOV 03", "261103", "   ")
    result = read(data, strict=True)
    assert result.ok and [b.effective_date for b in result.batches] == [MONDAY, TUESDAY]


def test_the_descriptive_date_names_the_fedach_window_the_cut_off_can_make():
    assert same_day_descriptive(dt.time(10, 0)) == "SD1300"
    assert same_day_descriptive(dt.time(13, 0)) == "SD1700"
    assert same_day_descriptive(dt.time(16, 45)) == "SD1800"
    with pytest.raises(ValueError):
        same_day_descriptive(dt.time(17, 0))


def test_the_rail_declares_same_day_only_when_the_policy_offers_it(tmp_path):
    from adapters.rails.nacha.rail import NachaRail

    offered = NachaRail(SAME_DAY, tmp_path).capabilities()
    assert (offered.same_day, offered.same_day_cutoff, offered.same_day_max_payment_minor) == \
        (True, dt.time(13, 0), 100_000_000)
    assert offered.settlement_lag_business_days == 1
    plain = NachaRail(NachaOriginator(load_policy()["nacha"]), tmp_path).capabilities()
    assert (plain.same_day, plain.same_day_cutoff) == (False, None)
    lower = NachaOriginator({**load_policy()["nacha"], "same_day": True, "same_day_limit": "250,000.00"})
    assert lower.same_day_limit_minor == 25_000_000
