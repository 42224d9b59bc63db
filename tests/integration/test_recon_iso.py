"""ISO 20022 files through the same import: a camt.053 batch entry settles its payments by EndToEndId, a camt.054
return notification without a returns file goes to a person, a pain.002 rejection of a sent payment too."""

from __future__ import annotations

from pathlib import Path

from payments.reconciliation.recon_records import ExceptionKind

from .recon_support import recon_service, seed_payments

DATA = Path(__file__).resolve().parents[1] / "data"
W1, W2 = "pay_01J9Z8K2M3N4P5Q6R7S8T9V0W1", "pay_01J9Z8K2M3N4P5Q6R7S8T9V0W2"


def test_camt053_batch_by_end_to_end_id_then_camt054_and_pain002(container):
    seed_payments(container, "run_2026-09-23_ccd", [(W1, 745000, 1), (W2, 1999, 2)])
    service = recon_service(container)
    statement = service.import_file((DATA / "statements" / "camt053-v08-city-ach-batch.xml").read_bytes(),
                                    format="camt053")
    assert statement.methods == {"end_to_end_id": 1} and statement.payments_settled == 2
    assert statement.lines_not_booked == 1  # the pending wire moves no balance yet
    notification = service.import_file(
        (DATA / "statements" / "camt054-v02-ach-return-notification.xml").read_bytes(), format="camt054")
    assert notification.exceptions_opened == 1
    status = service.import_file((DATA / "iso20022" / "pain002-v03-ac04-rejected.xml").read_bytes())
    assert status.format == "pain.002" and status.exceptions_opened == 1
    with container.uow(read_only=True) as uow:
        kinds = sorted(e.kind.value for e in uow.recon.list_exceptions())
        details = [e.detail for e in uow.recon.list_exceptions() if e.kind is ExceptionKind.UNMATCHED_LINE]
    # camt.053: the R02 credit (no returns file yet) and the check paid; camt.054: the second return credit;
    # pain.002: the bank's rejection of a payment we count as sent.
    assert kinds == sorted(["unmatched_line", "unmatched_line", "unmatched_line", "payment_rejected"])
    assert sum("import the returns file" in d for d in details) == 2  # both return credits name our payment
