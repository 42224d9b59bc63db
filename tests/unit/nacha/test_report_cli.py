"""check_file and the ``disburse nacha check`` CLI wiring: verdict, summary, JSON, exit codes."""

from __future__ import annotations

import gzip
import json

from adapters.formats.nacha import check_file
from adapters.formats.nacha.cli import main

from .golden import DATA_DIR


def test_report_on_a_clean_file_summarises_totals_by_sec_code():
    report = check_file(DATA_DIR / "ccd_plus_rmr.ach")
    assert report.ok and report.problems == [] and report.warnings == []
    s = report.summary
    assert (s["batches"], s["entries"], s["addenda"], s["records"]) == (1, 3, 3, 10)
    assert s["credit_cents"] == 5_001_337_314 and s["debit_cents"] == 0
    assert s["by_sec_code"] == {"CCD": {"entries": 3, "debit_cents": 0, "credit_cents": 5_001_337_314}}
    text = report.format_text()
    assert "OK, 0 warning(s) (lenient mode)" in text
    assert "credits $50,013,373.14" in text


def test_report_json_lists_problems_returns_and_nocs():
    lines = (DATA_DIR / "return.ach").read_text().split("\n")
    lines[3] = lines[3][:3] + "R96" + lines[3][6:]
    report = check_file("\n".join(lines).encode())
    doc = json.loads(report.to_json())
    assert doc["ok"] is False and doc["source"] == "<bytes>"
    (problem,) = doc["problems"]
    assert problem == {
        "line": 4, "record_type": "addenda_99", "field": "return_reason_code", "rule": "invalid_return_code",
        "severity": "error", "message": "'R96' is not a Nacha return reason code",
    }
    assert [r["reason_code"] for r in doc["returns"]] == ["R96", "R02", "R15"]
    assert doc["summary"]["returns"] == 3


def test_gzip_paths_are_decompressed(tmp_path):
    path = tmp_path / "ppd.ach.gz"
    path.write_bytes(gzip.compress((DATA_DIR / "ppd_credit.ach").read_bytes()))
    assert check_file(path).ok


def test_unreadable_input_is_a_problem_not_an_exception(tmp_path):
    report = check_file(tmp_path / "missing.ach")
    assert not report.ok and report.problems[0].rule == "unreadable_input"
    bad_gz = tmp_path / "bad.ach.gz"
    bad_gz.write_bytes(b"not gzip")
    assert check_file(bad_gz).problems[0].rule == "unreadable_input"


def test_cli_exit_codes_and_output(capsys, tmp_path):
    assert main(["check", str(DATA_DIR / "noc.ach")]) == 0
    assert "2 notification(s) of change" in capsys.readouterr().out
    trimmed = tmp_path / "trimmed.ach"
    trimmed.write_text("\n".join(line.rstrip() for line in (DATA_DIR / "ppd_credit.ach").read_text().split("\n")))
    assert main([str(trimmed)]) == 0  # lenient: warnings only
    assert "record_trimmed" in capsys.readouterr().out
    assert main([str(trimmed), "--strict", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["strict"] is True and {p["rule"] for p in doc["problems"]} == {"record_trimmed"}
    assert main([str(tmp_path / "nope.ach")]) == 2
    assert main([]) == 2
