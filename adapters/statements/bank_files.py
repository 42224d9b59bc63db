"""One entry point for every bank file reconciliation imports: statements, status reports, returns and NOCs.

``read_bank_file`` picks the reader from the caller's ``--format`` or, without one, from the bytes: a NACHA file
(returns and notifications of change) starts with its File Header; BAI2 with ``01,``; ISO 20022 XML with ``<``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from adapters.formats.iso20022.pain002 import read_pain002
from payments.reconciliation.bank_notices import NoticeFile
from payments.reconciliation.statements import ImportedFile, StatusReport, UnsupportedFormat

from . import read_bank_file as _read_statement_or_status
from . import read_statement
from .nacha_returns import looks_like_nacha, read_nacha_notices
from .strict import check_strict

FORMATS = ("nacha", "bai2", "camt052", "camt053", "camt054", "pain002")


def read_bank_file(data: bytes, format: str | None = None, *, strict: bool = False,  # noqa: A002
                   schema_dirs: Iterable[Path] = ()) -> ImportedFile | StatusReport | NoticeFile:
    """Read a whole bank file, or raise ``payments.reconciliation.statements.FormatError`` having read nothing into the books.

    ``strict``: an ISO 20022 message (XML) must also validate against its official schema, found in
    ``schema_dirs`` (strict.py); BAI2 and NACHA files have no schema and are read as always.
    """
    if strict and data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        check_strict(data, schema_dirs)
    named = (format or "").strip().lower().replace(".", "").replace("-", "")
    if not named:
        if looks_like_nacha(data):
            return read_nacha_notices(data)
        return _read_statement_or_status(data)
    if named in ("nacha", "ach"):
        return read_nacha_notices(data)
    if named == "pain002":
        return read_pain002(data)
    if named in ("bai2", "camt052", "camt053", "camt054", "camt"):
        return read_statement(data, "bai2" if named == "bai2" else "camt" if named == "camt"
                              else f"camt.{named[4:]}")
    raise UnsupportedFormat(f"unknown bank file format {format!r}; expected one of {', '.join(FORMATS)}")
