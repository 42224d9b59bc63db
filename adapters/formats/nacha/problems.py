"""What the reader reports: one :class:`Problem` per broken rule, with line, record, field and rule code.

Every rule has a stable snake_case code listed in :data:`RULES` with the class that decides its severity:

* ``error``   - the file breaks the format or its own controls; always an error.
* ``lenient`` - the letter of the format is broken but the meaning is unambiguous (a right-trimmed record,
  a file without line breaks, a return carrying a forward transaction code ...): a *warning* in lenient mode,
  an *error* in strict mode.
* ``notice``  - worth knowing, never an error (trace numbers repeating across batches, which valid
  files from real processors do; IAT or ADV content that this engine reads only structurally).

Problems are created only when something is wrong, so a clean file costs no objects here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

ERROR: Final = "error"
WARNING: Final = "warning"

# rule code -> (class, one-line description)
RULES: Final[dict[str, tuple[str, str]]] = {
    # physical layout
    "non_ascii": ("error", "a byte outside printable ASCII (0x20-0x7E) other than a line break"),
    "record_length": ("error", "a record is not 94 characters"),
    "record_trimmed": ("lenient", "a record is shorter than 94 characters (right-trimmed); read blank-padded"),
    "missing_line_breaks": ("lenient", "several 94-character records share one line"),
    "blank_line": ("lenient", "an empty line between records"),
    "empty_file": ("error", "the input holds no records"),
    "unreadable_input": ("error", "the file could not be read (I/O error or corrupt gzip)"),
    # order and structure
    "unknown_record_type": ("error", "position 1 is not 1, 5, 6, 7, 8 or 9"),
    "record_order": ("error", "a record appears where the format does not allow it"),
    "missing_file_header": ("error", "the file does not start with a File Header (1)"),
    "missing_file_control": ("error", "the file does not end with a File Control (9)"),
    "duplicate_file_header": ("error", "more than one File Header"),
    "duplicate_file_control": ("error", "more than one File Control"),
    "missing_batch_control": ("error", "a batch is not closed by a Batch Control (8)"),
    "batch_without_entries": ("error", "a batch holds no entry detail records"),
    "addenda_outside_entry": ("error", "an addenda record that follows no entry detail record"),
    "block_fill": ("error", "the record count is not a multiple of 10, or fill records are not all 9s"),
    # field formats
    "required": ("error", "a mandatory field is blank or all zeros"),
    "invalid_format": ("error", "a field does not hold what its type allows (digits, a date, a constant)"),
    "invalid_date": ("error", "a date field is not a real YYMMDD date"),
    "return_effective_date": ("lenient", "a return or COR batch's effective entry date is not a real YYMMDD date "
                                         "(000000 included): the ACH Operator may replace it on returns and does "
                                         "not edit it on NOCs, and return processing does not need it"),
    "routing_check_digit": ("error", "a routing number fails the ABA check digit"),
    "invalid_service_class": ("error", "service class code is not 200, 220, 225 or 280"),
    "invalid_sec_code": ("error", "SEC code is not a Nacha standard entry class code"),
    "invalid_originator_status": ("error", "originator status code is not 1 or 2 (0 only in ADV)"),
    "invalid_transaction_code": ("error", "transaction code is not a Nacha transaction code"),
    "invalid_addenda_type": ("error", "addenda type code is not one this SEC code allows"),
    "invalid_return_code": ("error", "return reason code is not in the Nacha table"),
    "invalid_change_code": ("error", "change code is not a current Nacha change code"),
    "invalid_corrected_data": ("error", "Addenda98 corrected data does not suit its change code"),
    # entries
    "transaction_code_service_class": ("error", "transaction code direction not allowed by the service class"),
    "addenda_indicator": ("error", "addenda record indicator disagrees with the addenda that follow"),
    "addenda_sequence": ("error", "addenda sequence numbers do not run 0001, 0002, ..."),
    "addenda_entry_sequence": ("error", "Addenda05/02 entry detail sequence is not the last 7 digits of the trace"),
    "addenda_trace_mismatch": ("notice", "an Addenda98/99 trace number differs from its entry's trace"),
    "addenda_count_mismatch": ("error", "CTX addenda count (55-58) differs from the addenda that follow"),
    "sec_addenda_limit": ("error", "more addenda than the SEC code allows"),
    "trace_prefix": ("error", "trace number does not start with the batch's ODFI identification"),
    "trace_not_ascending": ("error", "trace numbers do not ascend within the batch"),
    "trace_sequence_zero": ("lenient", "trace sequence number is 0000000"),
    "trace_repeated": ("notice", "a trace number also appears in an earlier batch"),
    "zero_amount": ("error", "a live (money-moving) entry has amount zero"),
    "prenote_nonzero_amount": ("error", "a prenotification carries a non-zero amount"),
    "noc_nonzero_amount": ("lenient", "a notification of change carries a non-zero amount"),
    "return_transaction_code": ("lenient", "a return or NOC entry uses a forward transaction code"),
    "return_without_addenda": ("error", "a return/NOC transaction code without an Addenda99/98"),
    "mixed_entry_categories": ("error", "forward, return and NOC entries are mixed in one batch"),
    "cor_without_addenda98": ("error", "a COR entry lacks its single Addenda98"),
    # batch
    "service_class_mismatch": ("error", "batch control service class differs from the header"),
    "company_id_mismatch": ("error", "batch control company identification differs from the header"),
    "company_id_padding": ("lenient", "batch control company identification blank or padded differently"),
    "odfi_mismatch": ("error", "batch control ODFI identification differs from the header"),
    "batch_number_mismatch": ("error", "batch control batch number differs from the header"),
    "batch_number_order": ("error", "batch numbers do not ascend through the file"),
    "entry_addenda_count_mismatch": ("error", "entry/addenda count differs from the records counted"),
    "entry_hash_mismatch": ("error", "entry hash differs from the low 10 digits of the RDFI sum"),
    "debit_total_mismatch": ("error", "total debit amount differs from the sum of debit entries"),
    "credit_total_mismatch": ("error", "total credit amount differs from the sum of credit entries"),
    # file
    "batch_count_mismatch": ("error", "file control batch count differs from the batches in the file"),
    "block_count_mismatch": ("error", "file control block count differs from ceil(records / 10)"),
    "sec_not_validated": ("notice", "IAT or ADV content is read structurally; its own fields are not validated"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule. ``line`` is 1-based (0 for the file as a whole); ``field`` is None for whole records."""

    line: int
    record_type: str
    field: str | None
    rule: str
    message: str
    severity: str = ERROR

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "record_type": self.record_type,
            "field": self.field,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        field = f" {self.field}" if self.field else ""
        return f"{where} {self.record_type}{field}: [{self.rule}] {self.message}"


def severity_for(rule: str, strict: bool) -> str:
    cls = RULES[rule][0]
    if cls == "error" or (cls == "lenient" and strict):
        return ERROR
    return WARNING


__all__ = ["ERROR", "RULES", "WARNING", "Problem", "severity_for"]
