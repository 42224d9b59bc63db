"""docs/operations.md and its example files (deploy/) say only what exists: the Compose file and the alert rules
parse, every DISBURSE_ setting they or the page name is a real setting, every metric is one /metrics exposes, and
the commands are real `disburse` commands. They cannot be run here (no container engine, no systemd as process 1);
this is what can be held to the code."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import yaml

from config.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "operations.md").read_text()
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
ALERTS = ROOT / "deploy" / "prometheus-alerts.yml"
UNITS = [ROOT / "deploy" / "disburse.service", ROOT / "deploy" / "disburse-migrate.service"]
SETTINGS = {PREFIX + f.name.upper() for f in fields(Settings)}


def exposed_metric_names() -> set[str]:
    """Every family /metrics can show, as the page names them: counters with their ``_total``, histograms by their
    base name (adapters/metrics.py), and the gauges the database collector yields (adapters/db/ops_queries.py)."""
    from prometheus_client.registry import REGISTRY

    from adapters import metrics  # noqa: F401 - registers the families
    from adapters.db import ops_queries

    names = {f.name + ("_total" if f.type == "counter" else "") for f in REGISTRY.collect()}
    gauges = set(re.findall(r'GaugeMetricFamily\("(disburse_[a-z_]+)"', Path(ops_queries.__file__).read_text()))
    return {n for n in names | gauges if n.startswith("disburse_")}


def test_the_compose_file_parses_and_runs_migrations_apart_from_the_workers():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "app"}
    assert services["migrate"]["command"] == ["disburse", "db", "upgrade"]
    assert services["app"]["command"][:3] == ["disburse", "serve", "--workers"]
    env = services["app"]["environment"]
    assert env is services["migrate"]["environment"]  # one set of settings, by YAML anchor
    assert set(env) <= SETTINGS, sorted(set(env) - SETTINGS)
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]  # behind the proxy, not on every interface


def test_the_systemd_units_name_real_commands_and_settings():
    for unit in UNITS:
        text = unit.read_text()
        assert re.search(r"^ExecStart=/opt/disburse/venv/bin/disburse (serve --workers \d+|db upgrade)$", text, re.M)
        for name in re.findall(r"\b(DISBURSE_[A-Z_]+)=", text):
            assert name in SETTINGS, name
        sections = re.findall(r"^\[(\w+)\]$", text, re.M)
        assert sections[:2] == ["Unit", "Service"]


def test_the_alert_rules_parse_and_watch_only_metrics_that_exist():
    rules = [r for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]]
    assert len(rules) >= 8 and all({"alert", "expr"} <= set(r) for r in rules)
    used = {re.sub(r"_(bucket|count|sum)$", "", m) for r in rules for m in re.findall(r"\bdisburse_[a-z_]+", r["expr"])}
    assert used and used <= exposed_metric_names(), sorted(used - exposed_metric_names())


def test_the_page_names_only_real_settings_and_commands_and_documents_every_metric(capsys):
    named = set(re.findall(r"\bDISBURSE_[A-Z_]+\b", DOC))
    assert named <= SETTINGS, sorted(named - SETTINGS)
    assert {"DISBURSE_DB_STATEMENT_TIMEOUT_MS", "DISBURSE_DB_LOCK_TIMEOUT_MS", "DISBURSE_METRICS_TOKEN",
            "DISBURSE_WORKERS"} <= named
    assert set(re.findall(r"^\| `(disburse_[a-z_]+)`", DOC, re.M)) == exposed_metric_names()
    import main
    from adapters.cli.app_commands import parser

    commands = {c.strip() for c in re.findall(r"(?:`|^ +)disburse ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", DOC, re.M)}
    assert {"db upgrade", "serve", "ledger verify", "audit verify", "jobs run", "config show"} <= commands
    for command in commands:
        try:
            parser(main).parse_args([*command.split(), "--help"])
        except SystemExit as done:
            assert done.code == 0, command
    capsys.readouterr()
