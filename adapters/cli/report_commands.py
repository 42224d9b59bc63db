"""`disburse publish checkbook|ocds`: open data written to the publication folder (the job's body, run now)."""

from __future__ import annotations

import argparse
import json
from functools import partial
from typing import Any


def cmd_publish(args: argparse.Namespace, wiring: Any) -> int:
    container = wiring.build()
    publish = wiring.publish_checkbook if args.dataset == "checkbook" else wiring.publish_ocds
    result = publish(container, args.out)
    folder = wiring.publication_dir(container, args.out) / args.dataset
    unit = "rows" if args.dataset == "checkbook" else "releases"
    if args.json:
        print(json.dumps({"dataset": args.dataset, unit: result.rows, "changed": result.changed,
                          "folder": str(folder), "files": list(result.files)}))
    else:
        state = "written" if result.changed else "unchanged (already published)"
        print(f"{args.dataset}: {result.rows} {unit}, {state}, in {folder}")
    return 0


def register(sub: Any, wiring: Any) -> None:
    p = sub.add_parser("publish", help="publish open data (the open checkbook, OCDS releases) to the publication folder")
    p.add_argument("dataset", choices=["checkbook", "ocds"])
    p.add_argument("--out", help="the publication folder (default: DISBURSE_PUBLISH_DIR, ./var/public)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=partial(cmd_publish, wiring=wiring))
