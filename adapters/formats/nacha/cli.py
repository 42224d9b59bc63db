"""CLI wiring for ``disburse nacha check FILE [--json] [--strict]``: ``main(argv) -> exit code``.

Exit 0 when the file has no errors, 1 when it has, 2 for usage errors. ``main.py`` owns the ``disburse``
command and delegates ``nacha ...`` here; ``python -m adapters.formats.nacha.cli check FILE`` works too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .report import check_file


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # Accept both "check FILE" (after "nacha") and just "FILE"; a file literally named "check" still works.
    if args[:1] == ["check"] and len(args) > 1 and not args[1].startswith("-"):
        args = args[1:]
    parser = argparse.ArgumentParser(prog="disburse nacha check", description="Validate a NACHA (ACH) file.")
    parser.add_argument("file", help="path to the file (.gz is decompressed)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--strict", action="store_true", help="treat lenient findings (trimmed records ...) as errors")
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    report = check_file(ns.file, strict=ns.strict)
    if any(p.rule == "unreadable_input" for p in report.problems):
        print(report.problems[0].message, file=sys.stderr)
        return 2
    print(report.to_json() if ns.json else report.format_text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
