"""Every BAI2 and camt file of the external corpus, through reconciliation's own import path, gets its README
verdict: valid files import with no finding, lenient ones import and say what they bent (warnings), invalid ones
are refused whole (by the reader, or by reconciliation when the file contradicts its own control records) and
leave nothing behind. Importing a file twice changes nothing the second time."""

from __future__ import annotations

from datetime import date

import pytest

from payments.dates import DatePolicy
from payments.reconciliation.recon_service import ReconPolicy
from payments.reconciliation.statements import FormatError
from tests.corpus import corpus_dir

from .recon_support import recon_service

VERDICTS = {
    "bai2/eod-wire-no-as-of-time.bai2": "valid",
    "bai2/gs-eur-sepa-instant-net-control-total.bai2": "lenient",
    "bai2/gs-gbp-two-file-headers.bai2": "invalid",
    "bai2/gs-usd-gbp-concatenated-files.bai2": "invalid",
    "bai2/multi-group-currency-inheritance.bai2": "invalid",
    "bai2/spec-fragment-funds-types.bai2": "invalid",
    "camt/camt053-v02-2024-10-314-entries.xml": "valid",
    "camt/camt053-v02-2024-11-268-entries.xml": "valid",
    "camt/camt053-v02-2024-12-264-entries.xml": "valid",
    "camt/camt053-v02-three-entries-zero-balance.xml": "valid",
    "camt/camt053-v08-lenient-two-accounts.xml": "lenient",
    "camt/camt053-v08-lenient-one-account.xml": "lenient",
}


def test_every_corpus_statement_gets_its_readme_verdict_through_the_import(container):
    root = corpus_dir()
    # The corpus is real history (BAI2 files from 2010): imported as such, explicitly, under a policy that allows it.
    service = recon_service(container, policy=ReconPolicy(dates=DatePolicy(history_from=date(2005, 1, 1))))
    listed = {f"{d}/{p.name}" for d in ("bai2", "camt") for p in (root / d).iterdir()}
    assert listed == set(VERDICTS), "the corpus changed: give every new file its verdict here"
    got = {}
    for name, verdict in sorted(VERDICTS.items()):
        data = (root / name).read_bytes()
        try:
            result = service.import_file(data, name=name, history=True)
        except FormatError as exc:
            assert exc.location, f"{name}: a refusal must say where ({exc})"
            got[name] = "invalid"
            continue
        warnings = [f for f in result.findings if f["severity"] == "warning"]
        got[name] = "lenient" if warnings else "valid"
        assert result.lines_new + result.lines_not_booked == result.lines_read
        again = service.import_file(data, name=name, history=True)
        assert again.duplicate_file and again.file_id == result.file_id
    assert got == VERDICTS


@pytest.mark.parametrize("name", [n for n, v in VERDICTS.items() if v == "invalid"])
def test_an_invalid_corpus_file_leaves_nothing_behind(container, name):
    service = recon_service(container)
    with pytest.raises(FormatError):
        service.import_file((corpus_dir() / name).read_bytes())
    with container.uow(read_only=True) as uow:
        assert uow.recon.open_lines() == [] and uow.recon.list_exceptions(status=None) == []
