"""From bytes to 94-character records: line breaks, trimmed lines, non-ASCII bytes.

Leniency (also in ``docs/nacha.md``):

* ``\\r\\n`` (and old CR-only) line endings are accepted silently, and so is a missing line break after
  the last record (many valid files end that way).
* A record shorter than 94 characters is read blank-padded and reported as ``record_trimmed``
  (banks' return and NOC files are often right-trimmed): a warning in lenient mode, an error in strict mode.
* A line holding several whole 94-character records (a file without line breaks) is split and reported once
  as ``missing_line_breaks``: warning in lenient mode, error in strict mode.
* A longer line that is not a multiple of 94 is an error (``record_length``); it is still split into
  94-character pieces (the last blank-padded) so the rest of the file can be checked.
* Empty lines are skipped and reported as ``blank_line`` (lenient class).
* Bytes outside printable ASCII are always errors (``non_ascii``), reported once per field.

Line numbers count records as if each sat on its own line, blank lines included: in a well-formed file
that is the line number an editor shows.
"""

from __future__ import annotations

from collections.abc import Callable

from . import addenda05, addenda98, addenda99, batch_control, batch_header, entry_detail, file_control, file_header

# bytes.translate with a delete table runs at memory speed; a regex search over 19 MB is ten times slower.
_PRINTABLE_AND_NEWLINE = bytes(range(0x20, 0x7F)) + b"\n"
RECORD_LENGTH = 94

AddProblem = Callable[[int, str, "str | None", str, str], None]

RECORD_NAMES = {
    "1": "file_header",
    "5": "batch_header",
    "6": "entry_detail",
    "7": "addenda",
    "8": "batch_control",
    "9": "file_control",
}


def split_records(data: bytes, add: AddProblem) -> tuple[list[str], list[int] | None]:
    """The records and, when they differ from 1..n, their line numbers (None means line = index + 1)."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n") if b"\n" in data else data.replace(b"\r", b"\n")
    dirty = bool(data.translate(None, _PRINTABLE_AND_NEWLINE))
    # latin-1 maps each byte to one character, so columns stay byte columns even for garbage input.
    lines = data.decode("latin-1").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not dirty and set(map(len, lines)) <= {RECORD_LENGTH}:
        return lines, None  # the fast path: a well-formed file

    records: list[str] = []
    numbers: list[int] = []
    n = 0
    for raw in lines:
        size = len(raw)
        if size == RECORD_LENGTH:
            n += 1
            records.append(raw)
            numbers.append(n)
        elif size == 0:
            n += 1
            add(n, "file", None, "blank_line", "empty line between records; skipped")
        elif size < RECORD_LENGTH:
            n += 1
            add(n, _record_name(raw), None, "record_trimmed",
                f"record is {size} characters, not 94; read as right-trimmed (blank-padded)")
            records.append(raw.ljust(RECORD_LENGTH))
            numbers.append(n)
        else:
            pieces = [raw[i:i + RECORD_LENGTH] for i in range(0, size, RECORD_LENGTH)]
            if size % RECORD_LENGTH == 0:
                add(n + 1, _record_name(raw), None, "missing_line_breaks",
                    f"line holds {len(pieces)} records of 94 characters without line breaks; split and read")
            else:
                add(n + 1, _record_name(raw), None, "record_length",
                    f"line is {size} characters, not 94 (nor a multiple of 94); split into 94-character pieces")
            for piece in pieces:
                n += 1
                records.append(piece.ljust(RECORD_LENGTH))
                numbers.append(n)
    if dirty:
        for rec, line in zip(records, numbers):
            if not (rec.isascii() and rec.isprintable()):
                _report_bad_bytes(rec, line, add)
    return records, numbers


def _record_name(rec: str) -> str:
    name = RECORD_NAMES.get(rec[:1], "unknown")
    if name == "addenda" and rec[1:3].isdigit():
        return f"addenda_{rec[1:3]}"
    return name


def _layout(rec: str) -> tuple[tuple[str, int, int], ...]:
    t = rec[:1]
    if t == "1":
        return file_header.LAYOUT
    if t == "5":
        return batch_header.LAYOUT
    if t == "6":
        return entry_detail.LAYOUTS["std"]
    if t == "8":
        return batch_control.LAYOUT
    if t == "9":
        return file_control.LAYOUT
    if t == "7":
        code = rec[1:3]
        if code == "05":
            return addenda05.LAYOUT
        if code == "98":
            return addenda98.LAYOUT
        if code == "99":
            return addenda99.LAYOUT
        if code == "02":
            return addenda05.OTHER_LAYOUTS["02"]
        return addenda05.OTHER_LAYOUTS["iat"]
    return (("record", 1, 94),)


def _report_bad_bytes(rec: str, line: int, add: AddProblem) -> None:
    layout = _layout(rec)
    seen: set[str] = set()
    for col, ch in enumerate(rec, 1):
        if " " <= ch <= "~":
            continue
        field = next((name for name, start, end in layout if start <= col <= end), "record")
        if field in seen:
            continue
        seen.add(field)
        kind = "control character" if ord(ch) < 0x20 or ord(ch) == 0x7F else "non-ASCII byte"
        add(line, _record_name(rec), field, "non_ascii",
            f"{kind} 0x{ord(ch):02X} at position {col}; only printable ASCII (0x20-0x7E) is allowed")


__all__ = ["RECORD_LENGTH", "RECORD_NAMES", "split_records"]
