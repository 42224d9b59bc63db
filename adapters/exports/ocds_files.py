"""OCDS 1.1 packages on disk: ``<folder>/release-package.json``, streamed release by release, and
``<folder>/record-package.json``, each process's compiled record, streamed record by record.

The package's metadata (``uri``, ``publishedDate``, ``publisher``, ``version``) comes first, then the releases as
they are built. ``publishedDate`` is the date of the newest release, not the clock, so that publishing unchanged
data writes the same bytes and touches nothing (``StagedFile``). Amounts are written as the exact decimal text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.exports.checkbook_files import StagedFile
from payments.reporting.checkbook import Publication

PACKAGE_NAME = "release-package.json"
RECORDS_NAME = "record-package.json"
_DECIMAL = re.compile(r'"\\u0000dec:(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')


def _exact(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\0dec:{format(value, 'f')}\0"
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """JSON with every Decimal as a bare number, exactly as the Decimal reads."""
    return _DECIMAL.sub(r"\1", json.dumps(_exact(value), ensure_ascii=False))


class OcdsFiles:
    """Writes one release package; ``uri`` is where it will be published (a package's own address)."""

    def __init__(self, folder: Path, *, uri: str, publisher: str) -> None:
        self.folder, self.uri, self.publisher = folder, uri, publisher

    def publish(self, releases: Iterable[dict[str, Any]]) -> Publication:
        return self._write(PACKAGE_NAME, "releases", releases, {}, lambda r: r["date"])

    def publish_records(self, records: Iterable[dict[str, Any]]) -> Publication:
        """``record-package.json``: each process's record (its releases linked into the release package by
        address, and compiled), beside the release package it points to."""
        return self._write(RECORDS_NAME, "records", records, {"packages": [self.uri]},
                           lambda r: r["compiledRelease"]["date"])

    def _write(self, name: str, key: str, items: Iterable[dict[str, Any]], extra: dict[str, Any],
               date_of: Any) -> Publication:
        self.folder.mkdir(parents=True, exist_ok=True)
        body = StagedFile(self.folder / f".{name}.body")
        count, newest = 0, "1970-01-01T00:00:00Z"
        package: StagedFile | None = None
        try:
            for item in items:
                body.write(("" if count == 0 else ",\n") + dumps(item))
                newest = max(newest, date_of(item))
                count += 1
            body.stream.close()
            uri = self.uri if key == "releases" else self.uri.rsplit("/", 1)[0] + "/" + name
            head = {"uri": uri, "version": "1.1", "publishedDate": newest, "publisher": {"name": self.publisher},
                    **extra}
            package = StagedFile(self.folder / name)
            package.write(json.dumps(head, ensure_ascii=False)[:-1] + f', "{key}": [\n')
            with body.temp.open("r", encoding="utf-8") as f:
                for block in iter(lambda: f.read(1 << 20), ""):
                    package.write(block)
            package.write("\n]}\n")
        except BaseException:
            if package is not None:
                package.abandon()
            raise
        finally:
            body.abandon()
        changed = package.commit()
        return Publication(rows=count, changed=changed, files=(str(package.target),))
