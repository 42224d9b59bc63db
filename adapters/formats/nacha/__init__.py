"""NACHA (ACH) format layer: a strict builder/writer and a validating reader.

Laid out by record, as moov-io/ach is: one module per record type (``file_header``, ``batch_header``,
``entry_detail``, ``addenda05``/``98``/``99``, ``batch_control``, ``file_control``), code tables
(``transaction_codes``, ``sec_codes``, ``return_codes``, ``change_codes``), the builder (``writer``), the
remittance helpers (``remittance``), the reader (``physical`` -> ``reader`` + ``read_checks``), the report
and the CLI. The DisbursementRail that uses this layer lives next to it, elsewhere.

Writing::

    data = write(NachaFile(immediate_destination=..., immediate_origin=..., creation_date=...,
                           batches=[Batch(service_class=220, sec_code="CCD", ..., entries=[Entry(...)])]))

Reading (never raises for bad content; returns every problem)::

    result = read(data)                 # or check_file(path) for a report with to_json()/format_text()
    result.ok, result.problems, result.warnings, result.returns, result.changes

Leniency (details in ``docs/nacha.md``): lenient mode (default) accepts right-trimmed records, files
without line breaks and a few letter-of-the-format deviations real banks send (a return with a forward
transaction code, a non-zero NOC, a batch control company id padded differently) and reports them as
warnings; ``strict=True`` makes those errors. CRLF line endings and a missing final newline are always fine.
"""

from __future__ import annotations

from .addenda05 import Addenda05, ReadAddenda
from .addenda98 import Addenda98, ChangeNotice, noc_entry
from .addenda99 import Addenda99, ReturnNotice, return_entry
from .batch_header import Batch
from .change_codes import CHANGE_REASONS, CorrectedData, change_reason, format_corrected_data, parse_corrected_data
from .entry_detail import Entry, ReadEntry
from .errors import NachaBuildError, NachaError
from .fields import is_valid_routing, routing_check_digit
from .file_header import NachaFile
from .problems import RULES, Problem
from .read_result import NachaReadResult, ReadBatch
from .reader import read
from .remittance import (
    InvoiceRemittance,
    Remittance820,
    ctx_addenda,
    ctx_total_cents,
    join_addenda_text,
    parse_rmr,
    rmr_addenda,
)
from .report import CheckReport, check_file
from .return_codes import RETURN_REASONS, return_reason
from .returns import noc_batch, return_batch
from .sec_codes import SecCode
from .transaction_codes import RETURN_CODE_FOR, ServiceClass, TransactionCode
from .writer import render_lines, write

__all__ = [
    "CHANGE_REASONS",
    "RETURN_CODE_FOR",
    "RETURN_REASONS",
    "RULES",
    "Addenda05",
    "Addenda98",
    "Addenda99",
    "Batch",
    "ChangeNotice",
    "CheckReport",
    "CorrectedData",
    "Entry",
    "InvoiceRemittance",
    "NachaBuildError",
    "NachaError",
    "NachaFile",
    "NachaReadResult",
    "Problem",
    "ReadAddenda",
    "ReadBatch",
    "ReadEntry",
    "Remittance820",
    "ReturnNotice",
    "SecCode",
    "ServiceClass",
    "TransactionCode",
    "change_reason",
    "check_file",
    "ctx_addenda",
    "ctx_total_cents",
    "format_corrected_data",
    "is_valid_routing",
    "join_addenda_text",
    "noc_batch",
    "noc_entry",
    "parse_corrected_data",
    "parse_rmr",
    "read",
    "render_lines",
    "return_batch",
    "return_entry",
    "return_reason",
    "rmr_addenda",
    "routing_check_digit",
    "write",
]
