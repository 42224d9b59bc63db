"""`disburse demo` end to end: the whole story on a fresh SQLite database ties out and the journal verifies."""

from __future__ import annotations

import main


def test_the_demo_tells_the_whole_story_ties_out_and_verifies(tmp_path, capsys):
    assert main.cli(["demo", "--dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    for step in ("held: price", "needed two approvers", "cooling off", "zero-dollar prenotes", "accounts active",
                 "Payment run", "NACHA file", "returns Acme Furniture Co.'s payment (R03", "notification of change (C01",
                 "1 return posted", "hold payment_returned", "change proposed from the NOC", "blocked after return R03",
                 "nothing done twice", "1 return credit matched", "TIES OUT", "ledger verify: OK"):
        assert step in out, step
    # The service can be pointed at the same data afterwards.
    assert (tmp_path / "demo" / "demo.db").exists() and "disburse serve" in out


def test_the_demo_refuses_a_directory_that_already_holds_a_database(tmp_path):
    (tmp_path / "demo.db").write_bytes(b"")
    try:
        main.cli(["demo", "--dir", str(tmp_path)])
    except SystemExit as exc:
        assert "fresh database" in str(exc)
    else:
        raise AssertionError("the demo ran over an existing database")
