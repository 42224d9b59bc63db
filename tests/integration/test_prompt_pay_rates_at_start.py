"""A prompt-payment act whose rate is published from time to time needs today's rate in the policy before Disburse
starts (issue 18): a Texas county without the Comptroller's FY2027 rate is told so at start, in words that say what
to add and where, not by ``no_interest_rate`` in the middle of a payment run. SQLite and PostgreSQL.

Today is Monday 2 November 2026 (the ``clock`` fixture), in Texas's fiscal year 2027 (1 Sept. 2026 - 31 Aug. 2027);
the Texas rule set ships the primes of FY2016-FY2026 only.
"""

import pytest

from config.policy import PolicyError
from tests.conftest import make_settings

FY2027 = 'rule_set_rates = { texas = [["2026-09-01", "6.75", "2027-08-31"]] }\n'


def _build(db_url, tmp_path, clock, policy: str):  # noqa: ANN001, ANN202
    import main

    (tmp_path / "policy.toml").write_text(policy)
    return main.build(make_settings(db_url, tmp_path, policy_file=str(tmp_path / "policy.toml")), clock=clock,
                      migrate=True)


def test_a_texas_agency_without_this_fiscal_years_rate_is_refused_at_start_saying_what_to_add(db_url, tmp_path, clock):
    with pytest.raises(PolicyError) as refused:
        _build(db_url, tmp_path, clock, '[prompt_pay]\nrule_set = "texas"\n')
    said = str(refused.value)
    assert said.startswith("prompt_pay.rule_set_rates.texas: no interest rate is in force on 2026-11-02.")
    assert "Texas Comptroller of Public Accounts" in said and "the prime rate" in said
    assert '[prompt_pay.rule_set_rates] texas = [["<from YYYY-MM-DD>", "<prime rate %>", "<until YYYY-MM-DD>"]]' in said

    c = _build(db_url, tmp_path, clock, f'[prompt_pay]\nrule_set = "texas"\n{FY2027}')  # the Comptroller's row added
    c.engine.dispose()


def test_an_act_the_agency_switches_to_later_or_names_for_a_category_is_checked_too(db_url, tmp_path, clock):
    with pytest.raises(PolicyError) as refused:
        _build(db_url, tmp_path, clock, '[prompt_pay]\nrule_set = "washington"\n'
                                         'rule_set_changes = [["2027-07-01", "texas"]]\n')
    assert str(refused.value).startswith("prompt_pay.rule_set_rates.texas:")
    with pytest.raises(PolicyError) as refused:
        _build(db_url, tmp_path, clock, '[prompt_pay]\n[prompt_pay.rule_sets_by_category]\n'
                                         'office = "new_york_state"\n')
    assert "prompt_pay.rule_set_rates.new_york_state" in str(refused.value)
    # Fixed-rate acts (Washington, Florida) and the federal rule (Treasury's rates run on) need nothing more.
    for name in ("washington", "florida_local", "federal"):
        _build(db_url, tmp_path, clock, f'[prompt_pay]\nrule_set = "{name}"\n').engine.dispose()


def test_disburse_refuses_to_serve_and_says_why(tmp_path, monkeypatch, capsys):
    """Through the command line, on today's real date: New York's shipped quarters end in 2019."""
    import uvicorn

    import main

    monkeypatch.setattr(uvicorn.Server, "run", lambda server, sockets=None: pytest.fail("served without the rate"))
    (tmp_path / "policy.toml").write_text('[prompt_pay]\nrule_set = "new_york_state"\n')
    for name, value in {"DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}", "KEY_DIR": str(tmp_path / "keys"),
                        "OUTBOX_DIR": str(tmp_path / "out"), "INBOX_DIR": str(tmp_path / "in"),
                        "POLICY_FILE": str(tmp_path / "policy.toml"), "SCHEDULER": "false"}.items():
        monkeypatch.setenv(f"DISBURSE_{name}", value)
    assert main.cli(["serve", "--port", "8124"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]  # after the migrations' log lines
    assert err.startswith("error: invalid_policy: prompt_pay.rule_set_rates.new_york_state: no interest rate")
    assert "New York State Department of Taxation and Finance" in err
