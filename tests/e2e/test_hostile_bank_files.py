"""Inbound bank messages missing what their schema makes mandatory for the data we read (issue 12, item 15), and
``--strict`` validation against the official XSDs (read from ../shared/testdata/xsd, never copied).

A camt.053 with no group header used to be imported. Now each such file is a 422 naming the element, and nothing
is stored; ``?strict=true`` (``--strict`` on the CLI) refuses any breach of the schema, and any version whose
schema we do not hold. Real bank files that break the schema elsewhere are still read without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import main
from tests.conftest import make_settings
from tests.corpus import corpus_dir
from tests.e2e.conftest import HeaderAuthenticator, as_role
from tests.e2e.hostile_files import Entry, camt053

TREASURER = as_role("treasurer")
DATA = Path(__file__).resolve().parents[1] / "data" / "iso20022"


@pytest.fixture
def bank(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    """The API, with the official schemas of the external corpus as the ``xsd_dir`` setting."""
    container = main.build(make_settings(db_url, tmp_path, xsd_dir=str(corpus_dir("xsd"))), clock=clock,
                           migrate=True)
    main.initialize(container, example=False)
    app = main.create_app(container)
    app.state.authenticator = HeaderAuthenticator()
    with TestClient(app) as client:
        yield client
    container.engine.dispose()


def refused(client, data: bytes, element: str, *, strict: bool = False, code: str = "malformed_camt") -> dict:  # noqa: ANN001
    r = client.post(f"/v1/statements{'?strict=true' if strict else ''}", content=data, headers=TREASURER)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == code and element in body["detail"], body
    return body


def nothing_imported(client) -> None:  # noqa: ANN001
    report = client.get("/v1/reconciliation/reports/2026-09-23", headers=TREASURER).json()
    assert report["unmatched_lines"] == [] and report["matched"] == []


def test_a_camt053_without_its_group_header_or_message_id_is_refused(bank):
    refused(bank, camt053([Entry("15.00")], group_header=False), "GrpHdr")
    without_id = camt053([Entry("15.00")]).replace(b"<MsgId>STMT-HOSTILE-1</MsgId>", b"")
    refused(bank, without_id, "MsgId")
    refused(bank, camt053([Entry("15.00")], msg_id="M" * 36), "MsgId")
    nothing_imported(bank)


def test_a_statement_without_its_account_and_entries_without_amount_or_indicator_are_refused(bank):
    refused(bank, camt053([Entry("15.00")], account=None), "Acct/Id")
    body = refused(bank, camt053([Entry("15.00"), Entry("2.00", with_amount=False)]), "Amt")
    assert "Ntry[2]" in body["detail"]
    refused(bank, camt053([Entry("15.00", indicator=False)]), "CdtDbtInd")
    refused(bank, camt053([Entry("15.00", status="DONE")]), "Sts")
    nothing_imported(bank)


def test_a_pain002_without_its_group_header_or_original_message_id_is_refused(bank):
    report = (DATA / "pain002-v03-ac04-rejected.xml").read_bytes()
    no_header = re.sub(rb"<GrpHdr>.*?</GrpHdr>", b"", report, flags=re.S)
    refused(bank, no_header, "GrpHdr", code="malformed_pain002")
    refused(bank, re.sub(rb"<OrgnlMsgId>.*?</OrgnlMsgId>", b"", report, flags=re.S), "OrgnlMsgId",
            code="malformed_pain002")


def test_strict_validates_against_the_official_schema(bank):
    good = camt053([Entry("15.00")])
    r = bank.post("/v1/statements?strict=true", content=good, headers=TREASURER)
    assert r.status_code == 201, r.text
    # A real bank's file that breaks the schema (no entry status, no balance indicator) is read leniently ...
    lenient = (corpus_dir("camt") / "camt053-v08-lenient-one-account.xml").read_bytes()
    body = refused(bank, lenient, "Sts", strict=True, code="schema_invalid")
    assert "camt.053.001.08.xsd" in body["detail"]
    # ... and, without --strict, imported as before.
    r = bank.post("/v1/statements?dry_run=true", content=lenient, headers=TREASURER)
    assert r.status_code == 200, r.text


def test_strict_refuses_a_version_whose_schema_is_not_held(bank):
    v04 = camt053([Entry("15.00")]).replace(b"camt.053.001.08", b"camt.053.001.04")
    assert bank.post("/v1/statements", content=v04, headers=TREASURER).status_code == 201  # lenient: read
    body = refused(bank, v04.replace(b"STMT-HOSTILE-1", b"STMT-HOSTILE-2"), "camt.053.001.04", strict=True,
                   code="schema_not_held")
    assert "camt.053.001.08" in body["detail"]  # it says which versions it holds


def test_the_cli_refuses_the_same_files_on_one_line_with_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("DISBURSE_XSD_DIR", str(corpus_dir("xsd")))
    assert main.cli(["init"]) == 0
    (tmp_path / "no-header.xml").write_bytes(camt053([Entry("15.00")], group_header=False))
    (tmp_path / "far.xml").write_bytes(camt053([Entry("15.00", booked="9999-12-31")]))
    lenient = corpus_dir("camt") / "camt053-v08-lenient-one-account.xml"
    for path, strict, expect in ((tmp_path / "no-header.xml", [], "malformed_camt"),
                                 (tmp_path / "no-header.xml", ["--strict"], "GrpHdr"),
                                 (tmp_path / "far.xml", ["--strict"], "date_out_of_range"),
                                 (lenient, ["--strict"], "schema_invalid")):
        capsys.readouterr()
        assert main.cli(["statements", "import", str(path), *strict]) == 2
        err = capsys.readouterr().err
        assert expect in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
