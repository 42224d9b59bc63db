"""Whatever bytes arrive, an importer returns a reading or a FormatError: never another exception, never a hang."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.formats.iso20022.pain002 import read_pain002
from adapters.statements import read_statement
from payments.reconciliation.statements import FormatError

DATA = Path(__file__).resolve().parents[2] / "data"
GOLDEN = [(DATA / "statements" / name).read_bytes() for name in (
    "bai2-city-operating-account.bai2", "bai2-records-on-one-line.bai2",
    "bai2-summary-continued-blank-balances.bai2", "camt053-v08-city-ach-batch.xml",
    "camt054-v02-ach-return-notification.xml")]
PAIN002 = (DATA / "iso20022" / "pain002-v03-ac04-rejected.xml").read_bytes()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, sources: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(sources)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        if action == "flip":
            data[at] = draw(st.sampled_from(b",/0123456789AZ\n<>&-. "))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(max_size=8))
        else:
            del data[at:at + draw(st.integers(1, 40))]
    return bytes(data)


def read_or_refuse(reader, data: bytes) -> None:  # noqa: ANN001
    try:
        reader(data)
    except FormatError:
        pass


@FUZZ
@given(mutated(GOLDEN))
def test_mutated_statements_are_read_or_refused(data: bytes) -> None:
    read_or_refuse(read_statement, data)


@FUZZ
@given(mutated([PAIN002]))
def test_mutated_status_reports_are_read_or_refused(data: bytes) -> None:
    read_or_refuse(read_pain002, data)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_are_refused_cleanly(data: bytes) -> None:
    read_or_refuse(read_statement, b"01," + data)
    read_or_refuse(read_statement, data)
