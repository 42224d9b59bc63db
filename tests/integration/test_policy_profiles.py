"""Issue 11, defect 13 (and the policy items of 14): every policy default lives in the TOML and is documented, and
the training profile lets a new user try the story in minutes, on the sandbox bank only.

The defaults are read from ``config/default_policy.toml`` alone: what the scheduler runs is what the merged policy
says, key for key. ``docs/policy.md`` names every key the TOML holds. ``disburse serve --example --profile
training`` serves with short waits and jobs every minute; with a real rail configured, or a run on a real rail not
yet finished, it refuses to start.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def _leaves(table: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in table.items():
        out += _leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]
    return out


def test_defect_13_every_policy_default_and_schedule_key_is_documented():
    defaults = tomllib.loads((ROOT / "config" / "default_policy.toml").read_text())
    doc = (ROOT / "docs" / "policy.md").read_text()
    sections = re.split(r"\*\*`\[([a-z_0-9.]+)\]`\*\*", doc)  # the key table's rows, grouped by their [table]
    documented = {"": sections[0]} | dict(zip(sections[1::2], sections[2::2]))
    missing = [leaf for leaf in _leaves(defaults)
               if f"`{leaf.rsplit('.', 1)[-1]}`" not in documented.get(leaf.rpartition(".")[0], "")]
    assert missing == [], "document these in docs/policy.md under their [table]"
    assert set(defaults["schedule"]) >= {"ledger_checkpoint", "reconcile", "statements_pick_up_every_s",
                                         "bank_accounts_activate", "sessions_purge"}
    for profile in (ROOT / "config" / "profiles").glob("*.toml"):
        assert f"--profile {profile.stem}" in doc


def _build(tmp_path, clock, *, profile: str = "", policy: str = ""):  # noqa: ANN001, ANN202
    import main

    extra = {"profile": profile}
    if policy:
        (tmp_path / "policy.toml").write_text(policy)
        extra["policy_file"] = str(tmp_path / "policy.toml")
    return main.build(make_settings(f"sqlite:///{tmp_path / 'disburse.db'}", tmp_path, **extra), clock=clock,
                      migrate=True)


def test_defect_13_the_scheduler_runs_exactly_what_the_policy_says(tmp_path, clock):
    import main

    c = _build(tmp_path, clock, policy='[schedule]\nsessions_purge = "5 4 * * *"\n[payments]\npoll_every_s = 123\n')
    timing = {job.name: job.cron or job.every_s for job in main.jobs(c)}
    assert timing == {"ledger_checkpoint": "0 2 * * *", "statements_pick_up": 300, "reconcile": "30 6 * * 1-5",
                      "payments_create_run": "0 7 * * 1-5", "payments_submit": 300, "payments_poll_status": 123,
                      "payments_prenote_relay": 300, "bank_accounts_activate": "15 * * * *",
                      "sessions_purge": "5 4 * * *", "publish_checkbook": "30 4 * * *",
                      "publish_ocds": "45 4 * * *"}
    c.engine.dispose()


def test_defect_13_the_training_profile_runs_every_minute_with_short_waits(tmp_path, clock):
    import main

    c = _build(tmp_path, clock, profile="training")
    assert c.policy["version"] == "training-2026.1" and c.policy["payments"]["rail"] == "sandbox"
    timing = {job.name: job.cron or job.every_s for job in main.jobs(c)}
    assert {name: timing[name] for name in ("payments_create_run", "payments_submit", "payments_poll_status",
                                            "bank_accounts_activate", "reconcile", "statements_pick_up")} == {
        "payments_create_run": "* * * * *", "payments_submit": 60, "payments_poll_status": 60,
        "bank_accounts_activate": "* * * * *", "reconcile": "* * * * *", "statements_pick_up": 60}
    assert (c.bank_accounts.policy.cooling_off_days, c.bank_accounts.policy.prenote_wait_days) == (0, 0)
    assert main.wire_payments(c).policy.prenote_wait_business_days == 0
    # Each firing of the run job is its own run: the keys differ minute by minute.
    create = next(job for job in main.jobs(c) if job.name == "payments_create_run")
    assert create.body() == "nothing payable"
    c.engine.dispose()


def test_defect_13_training_is_refused_with_a_real_rail_configured(tmp_path, clock, capsys):
    with pytest.raises(SystemExit) as refused:
        _build(tmp_path, clock, profile="training", policy='[payments]\nrail = "nacha"\n')
    assert refused.value.code == 2
    assert "sandbox_only_profile" in capsys.readouterr().err


def test_defect_13_training_is_refused_while_a_run_on_a_real_rail_is_unfinished(tmp_path, clock, capsys):
    import main
    from payments.disbursements.payment_runs import PayableInvoice
    from tests.payment_fakes import FakeAccounts, FakePayables

    c = _build(tmp_path, clock)
    main.initialize(c, example=False)
    from payments.example.example_agency import example_accounts
    c.ledger.add_accounts(example_accounts())
    main.wire_payments(c, invoices=FakePayables([PayableInvoice("inv_1", "ven_1", "INV-1", "USD", 100_000,
                                                                dt.date(2026, 11, 4))]), accounts=FakeAccounts())
    assert c.payments.create_run(rail="nacha").run.status.value == "draft"
    c.engine.dispose()
    with pytest.raises(SystemExit):
        _build(tmp_path, clock, profile="training")
    assert "rail(s) in use here: nacha" in capsys.readouterr().err


def test_defect_13_serve_with_the_training_profile_and_the_example(tmp_path, monkeypatch, capsys):
    import uvicorn

    import main

    served = []
    # `serve --profile` puts the profile in the environment for its workers: taken back after this test
    monkeypatch.setenv("DISBURSE_PROFILE", "training")
    # `serve` runs uvicorn.Server(config).run(): recorded here instead of serving (a real server never returns)
    monkeypatch.setattr(uvicorn.Server, "run", lambda server, sockets=None: served.append(server.config))
    for name, value in (("DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}"), ("KEY_DIR", str(tmp_path / "keys")),
                        ("OUTBOX_DIR", str(tmp_path / "outbox")), ("INBOX_DIR", str(tmp_path / "inbox")),
                        ("SCHEDULER", "false")):
        monkeypatch.setenv(f"DISBURSE_{name}", value)
    assert main.cli(["serve", "--example", "--profile", "training", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    assert "policy profile training (training-2026.1)" in out and "loaded the example agency" in out
    [config] = served
    assert config.port == 8123 and config.app.state.payments.policy.prenote_wait_business_days == 0
    assert main.cli(["serve", "--profile", "no-such-profile"]) == 2
    assert "no policy profile 'no-such-profile'" in capsys.readouterr().err


def test_defect_14_a_policy_override_changes_the_version_label(tmp_path, clock):
    c = _build(tmp_path, clock, policy='[tolerances]\nprice_pct = "2"\n')
    assert c.policy["version"].startswith("default-2026.1+file.") and len(c.policy["version"]) == 28
    c.engine.dispose()
    named = _build(tmp_path, clock, policy='version = "riverton-2027.1"\n[tolerances]\nprice_pct = "2"\n')
    assert named.policy["version"] == "riverton-2027.1"
    named.engine.dispose()
    assert _build(tmp_path, clock, profile="training", policy="[tolerances]\nprice_pct = \"1\"\n").policy[
        "version"].startswith("training-2026.1+file.")
