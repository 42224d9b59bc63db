"""Bank statement importers: BAI2 and camt.052/053/054 in, normalized ``payments.reconciliation.statements`` records out.

``read_statement`` sniffs the format (or takes it from the caller), reads the whole file and returns one
``ImportedFile``, or raises a ``payments.reconciliation.statements.FormatError`` and returns nothing at all.
"""

from __future__ import annotations

import hashlib
import re

from adapters.formats.iso20022.pain002 import read_pain002
from payments.reconciliation.statements import ImportedFile, StatementFormat, StatusReport, UnsupportedFormat

from .bai2_reader import read_bai2
from .camt import read_camt

__all__ = ["read_statement", "read_bank_file", "sniff_format"]

_XML_MESSAGE = re.compile(rb"<(?:[\w.-]+:)?(BkToCstmrStmt|BkToCstmrAcctRpt|BkToCstmrDbtCdtNtfctn|CstmrPmtStsRpt)[\s>/]")
_CAMT = {"BkToCstmrStmt": "camt.053", "BkToCstmrAcctRpt": "camt.052", "BkToCstmrDbtCdtNtfctn": "camt.054"}
NAMES = ("bai2", "camt", "camt.052", "camt.053", "camt.054")


def read_statement(data: bytes, format: str | None = None) -> ImportedFile:  # noqa: A002 - the caller's word
    """Read a BAI2 or camt file whole. ``format`` ("bai2", "camt", "camt.053" ...) skips sniffing.

    Raises ``MalformedFile`` (``malformed_bai2``/``malformed_camt``, with line or element path and field),
    ``XmlEntitiesForbidden`` or ``UnsupportedFormat``; never returns part of a file.
    """
    named = _sniff(data) if format is None else format.strip().lower()
    if named == "pain.002":
        raise UnsupportedFormat("this is a pain.002 payment status report, not a statement; read it with "
                                "read_bank_file or adapters.formats.iso20022.pain002.read_pain002")
    if named not in NAMES:
        raise UnsupportedFormat(f"unknown statement format {format!r}; expected one of {', '.join(NAMES)}")
    digest = hashlib.sha256(data).hexdigest()
    if named == "bai2":
        return read_bai2(data, digest)
    imported = read_camt(data, digest)
    if named != "camt" and imported.format != StatementFormat(named):
        raise UnsupportedFormat(f"the file is a {imported.format} message, not the {named} the caller named")
    return imported


def read_bank_file(data: bytes) -> ImportedFile | StatusReport:
    """A statement, or a pain.002 status report, whichever the bytes are (for ``disburse statements import``)."""
    if _sniff(data) == "pain.002":
        return read_pain002(data)
    return read_statement(data)


def sniff_format(data: bytes) -> str:
    """'bai2', 'camt.052', 'camt.053', 'camt.054' or 'pain.002' from the first bytes; ``UnsupportedFormat`` else."""
    named = _sniff(data)
    if named == "camt":
        match = _XML_MESSAGE.search(data[:8192])
        return _CAMT[match.group(1).decode()] if match else "camt"
    return named


def _sniff(data: bytes) -> str:
    head = data[:8192].removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise UnsupportedFormat("the file is empty")
    if head.startswith(b"<"):
        # Only a look at the bytes: the XML itself is parsed later, by the hardened parser.
        match = _XML_MESSAGE.search(head)
        return "pain.002" if match and match.group(1) == b"CstmrPmtStsRpt" else "camt"
    if head.startswith(b"01,"):
        return "bai2"
    first_line = head.splitlines()[0]
    if first_line.startswith(b"101") and len(first_line) == 94:
        raise UnsupportedFormat("this is a NACHA file; returns and notifications of change are read by the NACHA "
                                "reader, not as a statement")
    raise UnsupportedFormat(f"neither BAI2 (starts '01,') nor ISO 20022 XML: starts {head[:20]!r}")
