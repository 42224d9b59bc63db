"""`disburse serve|init|db upgrade|config show|nacha check|demo`, and the parser every command registers with.

Commands build nothing themselves: ``wiring`` is the composition root (main.py), handed in, which also supplies
the settings and policy readers (``config/`` is read by main.py alone).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from adapters.cli.serve_command import cmd_serve, server_config  # noqa: F401 - server_config: tests start servers


def cmd_init(args: argparse.Namespace, wiring: Any) -> int:
    from adapters.cli.output import print_sign_ins

    container = wiring.build()
    created = wiring.initialize(container, example=args.example)
    print("initialized a new journal" + (" with the example agency" if args.example else "") if created
          else "the journal already exists; nothing changed")
    if created:
        from ledger.schedule import fingerprint

        anchor = fingerprint(min(container.ledger.keys(), key=lambda k: k.valid_from_sequence).public_key)
        print(f"genesis key fingerprint, the trust anchor of the journal (keep a copy outside the database):\n"
              f"  {anchor}\nverify with: disburse ledger verify --anchor {anchor}")
    print_sign_ins(container.example_sign_ins, f"http://{container.settings.host}:{container.settings.port}/")
    return 0


def cmd_db_upgrade(_args: argparse.Namespace, wiring: Any) -> int:
    wiring.build(migrate=True)
    print("schema is current")
    return 0


def cmd_config_show(args: argparse.Namespace, wiring: Any) -> int:
    settings = wiring.Settings.from_env()
    data = {"settings": settings.masked(),
            "policy": wiring.load_policy(settings.policy_file or None, profile=settings.profile or None)}
    if args.json:
        print(json.dumps(data, indent=2, default=str))
        return 0
    print("# settings (DISBURSE_<NAME>), secrets masked")
    print("\n".join(f"{k} = {v}" for k, v in data["settings"].items()))
    print(f"\n# policy {data['policy']['version']}: config/default_policy.toml"
          + (f", profile {settings.profile}" if settings.profile else "")
          + (f", {settings.policy_file}" if settings.policy_file else "") + " (docs/policy.md)")
    print("\n".join(_policy_lines(data["policy"])))
    return 0


def _policy_lines(table: dict[str, Any], prefix: str = "") -> list[str]:
    """Every policy value as ``[table] key = value`` lines, in TOML's own spelling of the value."""
    out, tables = [], []
    for key, value in table.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            out.append(f"{key} = {json.dumps(value, default=str)}")
    if prefix and out:
        out.insert(0, f"[{prefix}]")
    for key, value in tables:
        out += _policy_lines(value, f"{prefix}.{key}" if prefix else key)
    return out


def cmd_nacha_check(args: argparse.Namespace, _wiring: Any) -> int:
    from adapters.formats.nacha.cli import main as nacha_main

    return nacha_main([args.file] + (["--json"] if args.json else []) + (["--strict"] if args.strict else []))


def cmd_demo(args: argparse.Namespace, wiring: Any) -> int:
    import datetime as dt
    import tempfile

    from adapters.clock import FixedClock
    from payments.example.demo import run_demo

    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="disburse-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    if (work / "demo.db").exists():
        raise SystemExit(f"{work / 'demo.db'} exists; the demo needs a fresh database (pick another --dir)")
    settings = wiring.Settings(database_url=f"sqlite:///{work / 'demo.db'}", key_dir=str(work / "keys"),
                               outbox_dir=str(work / "outbox"), inbox_dir=str(work / "inbox"), scheduler=False)
    container = wiring.build(settings, clock=FixedClock(dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc)),
                             migrate=True)
    wiring.initialize(container, example=True)
    result = run_demo(wiring.demo_services(container))
    print(f"\nThe demo's data: {work}. See it in the service with\n  DISBURSE_DATABASE_URL=sqlite:///{work / 'demo.db'} "
          f"DISBURSE_KEY_DIR={work / 'keys'} DISBURSE_OUTBOX_DIR={work / 'outbox'} disburse serve\n"
          "and, with the same variables, an API token for the treasurer: disburse users token treasurer")
    return 0 if result.ties_out and result.ledger_verified else 1


def register(sub: Any, wiring: Any) -> None:
    def command(func: Any) -> Any:
        return lambda args: func(args, wiring)

    s = sub.add_parser("serve", help="serve the API (http://127.0.0.1:8000, OpenAPI at /docs)")
    s.add_argument("--example", action="store_true", help="load the example agency if the database is empty")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--profile", help="a policy profile (training: short waits, jobs every minute, sandbox only); "
                                     "also DISBURSE_PROFILE")
    s.add_argument("--workers", type=int, help="worker processes on the one port (default DISBURSE_WORKERS, 1); "
                                               "see docs/operations.md")
    s.set_defaults(func=command(cmd_serve))

    s = sub.add_parser("init", help="create the database, a signing key and the default chart")
    s.add_argument("--example", action="store_true", help="also load the example agency")
    s.set_defaults(func=command(cmd_init))

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=command(cmd_db_upgrade))

    cfg = sub.add_parser("config", help="settings").add_subparsers(dest="config_cmd", required=True)
    s = cfg.add_parser("show", help="print effective settings, secrets masked")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=command(cmd_config_show))

    nacha = sub.add_parser("nacha", help="NACHA (ACH) files").add_subparsers(dest="nacha_cmd", required=True)
    s = nacha.add_parser("check", help="validate a NACHA file: a summary, or every problem with line and field")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.add_argument("--strict", action="store_true", help="right-trimmed records and other leniencies are errors")
    s.set_defaults(func=command(cmd_nacha_check))

    s = sub.add_parser("demo", help="the whole story on a fresh SQLite database, with a readable summary")
    s.add_argument("--dir", help="where to keep the demo's database, keys and files (default: a new temp dir)")
    s.set_defaults(func=command(cmd_demo))


def parser(wiring: Any) -> argparse.ArgumentParser:
    from adapters.cli import (ap_commands, data_key_commands, job_commands, ledger_commands, payment_commands,
                              people_commands, recon_commands, report_commands, sandbox_commands)

    p = argparse.ArgumentParser(prog="disburse", description="Disburse: public-sector accounts payable.")
    sub = p.add_subparsers(dest="command", required=True)
    register(sub, wiring)
    for module in (ledger_commands, data_key_commands, ap_commands, people_commands, recon_commands, payment_commands,
                   sandbox_commands, job_commands, report_commands):
        module.register(sub, wiring)
    return p
