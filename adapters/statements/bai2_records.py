"""BAI2 records: physical lines -> logical records (88 continuations joined) -> typed header, detail and trailer.

Every value keeps the physical line it came from, so an error names the line and the field. 88 continuations
are joined at the field level, as BAI2 defines them (a continuation starts a new field): an 03 summary split
across an 88 and a 16 whose references or text run on into 88s both read correctly. The text of a 16 that runs
on keeps one physical record per text line ("\\n"), so tagged 88 lines ("EREF: ...") stay parseable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal, NoReturn, overload

from moneyed import get_currency
from moneyed.classes import CurrencyDoesNotExist

from payments.reconciliation.statements import MalformedFile

FMT = "bai2"
RECORD_NAMES = {"01": "file header", "02": "group header", "03": "account identifier", "16": "transaction detail",
                "49": "account trailer", "88": "continuation", "98": "group trailer", "99": "file trailer"}
# Where a record may follow another on the same physical line, and what its start must look like. Splitting
# only there keeps a '/' inside 16 text ("PAID 11/01, 11/02") from being taken for a record boundary.
_NEXT = {"01": "02|88", "02": "03|88", "03": "16|49|88", "16": "16|49|88", "88": "16|49|88|03|98|02|99|01",
         "49": "03|98", "98": "02|99", "99": "01"}
_START = {"01": r"01,[^,/]*,[^,/]*,\d{6},", "02": r"02,[^,/]*,[^,/]*,\d?,\d{6},", "03": r"03,[^,/]*,[A-Z]{0,3}[,/]",
          "16": r"16,\d{3},\+?\d*,", "49": r"49,[-+]?\d+,\d+/", "88": r"88,", "98": r"98,[-+]?\d+,\d+,\d+/",
          "99": r"99,[-+]?\d+,\d+,\d+/"}
_NEXT_RE = {code: re.compile(r"/\s*(?=" + "|".join(f"(?:{_START[c]})" for c in nxt.split("|")) + ")")
            for code, nxt in _NEXT.items()}
_AVAILABILITY = {"S": 3, "V": 2}  # distributed (0/1/2+ day amounts); value-dated (date, time). D is counted.
FUNDS_TYPES = {"", "Z", "0", "1", "2", "S", "V", "D"}


@dataclass
class Piece:
    """One physical record's fields after its two-digit code, without the closing '/'."""

    line: int
    fields: list[str]


@dataclass
class Record:
    code: str
    line: int
    ref: str
    pieces: list[Piece]

    @property
    def count(self) -> int:
        """Physical records it occupies: itself and its 88 continuations (what BAI2 trailers count)."""
        return len(self.pieces)

    def fail(self, reason: str, field_name: str | None = None) -> NoReturn:
        raise MalformedFile(FMT, reason, location=f"{self.ref} ({RECORD_NAMES[self.code]} {self.code})",
                            field=field_name)


@dataclass
class Summary:
    code: str
    amount: int | None
    count: int | None


@dataclass
class Detail:
    record: Record
    type_code: str
    amount: int
    funds_type: str
    value_date: date | None
    bank_reference: str | None
    customer_reference: str | None
    text: str | None


@dataclass
class Account:
    record: Record
    number: str
    currency: str | None
    summaries: list[Summary]
    details: list[Detail] = field(default_factory=list)
    control_total: int | None = None  # as its 49 states it, once read


@dataclass
class Group:
    record: Record
    status: str
    as_of_date: date
    modifier: str
    currency: str
    accounts: list[Account] = field(default_factory=list)
    control_total: int | None = None  # as its 98 states it, once read


@dataclass
class File:
    record: Record
    sender: str
    file_id: str
    created_at: datetime
    version: str
    groups: list[Group] = field(default_factory=list)


def tokenize(text: str) -> tuple[list[Record], list[str]]:
    """Logical records in file order, and the refs of lines that held more than one record."""
    records: list[Record] = []
    shared: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()  # fixed-length senders pad records with blanks
        if not line.strip():
            continue
        chunks = _split(line)
        if len(chunks) > 1:
            shared.append(f"line {number}")
        for index, chunk in enumerate(chunks, 1):
            ref = f"line {number}" if len(chunks) == 1 else f"line {number}.{index}"
            code = chunk[:2]
            if code not in RECORD_NAMES or chunk[2:3] not in (",", "/", ""):
                raise MalformedFile(FMT, f"{chunk[:12]!r} does not start with a BAI2 record code "
                                    f"({', '.join(RECORD_NAMES)}) and a comma", location=ref, field="record code")
            body = chunk[3:]
            piece = Piece(number, (body[:-1] if body.endswith("/") else body).split(","))
            if code == "88":
                if not records:
                    raise MalformedFile(FMT, "a continuation (88) before any record it could continue",
                                        location=ref, field="record code")
                records[-1].pieces.append(piece)
            else:
                records.append(Record(code, number, ref, [piece]))
    if not records:
        raise MalformedFile(FMT, "the file holds no BAI2 records", location="line 1")
    return records, shared


def _split(line: str) -> list[str]:
    chunks = []
    while True:
        match = _NEXT_RE[line[:2]].search(line) if line[:2] in _NEXT_RE else None
        if match is None:
            chunks.append(line)
            return chunks
        chunks.append(line[:match.start() + 1])
        line = line[match.end():]


def fields_of(record: Record) -> list[str]:
    return [value for piece in record.pieces for value in piece.fields]


def file_header(record: Record) -> File:
    values = _padded(fields_of(record), 8)
    return File(record, sender=values[0], file_id=values[4],
                created_at=datetime.combine(_date(record, values[2], "creation date"),
                                            _time(record, values[3], "creation time") or time()),
                version=values[7])


def group_header(record: Record) -> Group:
    values = _padded(fields_of(record), 7)
    status, modifier = values[2] or "1", values[6]
    if status not in ("1", "2", "3", "4"):
        record.fail(f"group status must be 1-4, found {status!r}", "group status")
    if modifier not in ("", "1", "2", "3", "4"):
        record.fail(f"as-of-date modifier must be 1-4 or blank, found {modifier!r}", "as-of-date modifier")
    _time(record, values[4], "as-of time")
    # BAI2: a group without a currency reports in US dollars.
    currency = _currency(record, values[5], "currency code") or "USD"
    return Group(record, status, _date(record, values[3], "as-of date"), modifier, currency)


def account_identifier(record: Record) -> Account:
    head = record.pieces[0].fields
    number = head[0] if head else ""
    if not number:
        record.fail("the customer account number is blank", "customer account number")
    currency = _currency(record, head[1] if len(head) > 1 else "", "currency code")
    # Summary fields run on across 88s. A piece may end with one empty field where a bank closed the record
    # with ",/" after a complete summary; that extra field is not a summary slot.
    stream: list[tuple[str, bool]] = []
    for n, piece in enumerate(record.pieces):
        values = piece.fields[2:] if n == 0 else piece.fields
        stream.extend((v, 0 < i == len(values) - 1 and not v.strip()) for i, v in enumerate(values))
    summaries: list[Summary] = []
    position = 0
    while position < len(stream):
        if stream[position][1]:
            position += 1
            continue
        values = [v for v, _ in stream[position:position + 4]] + [""] * 4
        position += 4
        code, amount, count, funds = values[:4]
        position += _availability_length(record, funds, [v for v, _ in stream[position:]])
        if not code:
            if amount or count:
                record.fail("a summary amount without a type code", "type code")
            continue  # an empty slot, as some banks open the summary list
        if not re.fullmatch(r"\d{3}", code):
            record.fail(f"summary type code {code!r} is not three digits", "type code")
        summaries.append(Summary(code, _amount(record, amount, f"amount for {code}", signed=True),
                                 _count(record, count, f"item count for {code}")))
    return Account(record, number, currency, summaries)


def transaction_detail(record: Record) -> Detail:
    stream = [(value, n) for n, piece in enumerate(record.pieces) for value in piece.fields]
    values = [v for v, _ in stream] + [""] * 3
    code, amount, funds = values[:3]
    if not re.fullmatch(r"\d{3}", code):
        record.fail(f"type code {code!r} is not three digits", "type code")
    if not amount:
        record.fail("the amount is blank", "amount")
    if funds not in FUNDS_TYPES:
        record.fail(f"funds type {funds!r} is not one of Z, 0, 1, 2, S, V, D", "funds type")
    rest = values[3:len(stream)]
    skip = _availability_length(record, funds, rest)
    value_date = _date(record, rest[0], "value date") if funds == "V" and rest and rest[0] else None
    tail = stream[3 + skip:]
    refs = [v for v, _ in tail[:2]] + ["", ""]
    # The text is the rest of the record: commas inside one physical record are text, each 88 a new line.
    lines: dict[int, list[str]] = {}
    for value, piece in tail[2:]:
        lines.setdefault(piece, []).append(value)
    text = "\n".join(line for line in (",".join(parts).strip() for parts in lines.values()) if line)
    return Detail(record, code, _amount(record, amount, "amount", signed=False, required=True), funds or "", value_date,
                  refs[0].strip() or None, refs[1].strip() or None, text or None)


def trailer(record: Record, names: tuple[str, ...]) -> list[int]:
    """The integer fields of a 49/98/99 record; the first (the control total) may be signed."""
    values = _padded(fields_of(record), len(names))
    return [_amount(record, values[0], names[0], signed=True, required=True)] + [
        _count(record, value, name, required=True) for value, name in zip(values[1:], names[1:])]


def _availability_length(record: Record, funds: str, rest: list[str]) -> int:
    if funds != "D":
        return _AVAILABILITY.get(funds, 0)
    distributions = rest[0] if rest else ""
    if not distributions.isdigit():
        record.fail(f"distributed availability needs a count of distributions, found {distributions!r}",
                    "availability")
    return 1 + 2 * int(distributions)


def _padded(values: list[str], size: int) -> list[str]:
    return [v.strip() for v in values] + [""] * (size - len(values))


@overload
def _amount(record: Record, value: str, name: str, *, signed: bool, required: Literal[True]) -> int: ...
@overload
def _amount(record: Record, value: str, name: str, *, signed: bool, required: bool = False) -> int | None: ...
def _amount(record: Record, value: str, name: str, *, signed: bool, required: bool = False) -> int | None:
    value = value.strip()
    if not value:
        if required:
            record.fail("required amount is blank", name)
        return None
    if not re.fullmatch(r"[-+]?\d+" if signed else r"\+?\d+", value):
        record.fail(f"{value!r} is not {'a signed' if signed else 'an unsigned'} whole number of minor units", name)
    return int(value)


@overload
def _count(record: Record, value: str, name: str, *, required: Literal[True]) -> int: ...
@overload
def _count(record: Record, value: str, name: str, *, required: bool = False) -> int | None: ...
def _count(record: Record, value: str, name: str, *, required: bool = False) -> int | None:
    value = value.strip()
    if not value:
        if required:
            record.fail("required count is blank", name)
        return None
    if not value.isdigit():
        record.fail(f"{value!r} is not a count", name)
    return int(value)


def _date(record: Record, value: str, name: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%y%m%d").date()
    except ValueError:
        record.fail(f"{value!r} is not a YYMMDD date", name)


def _time(record: Record, value: str, name: str) -> time | None:
    value = value.strip()
    if not value:
        return None
    if value in ("2400", "9999"):  # both mean end of day in BAI2
        return time.max
    for layout in ("%H%M", "%H:%M:%S"):  # military time, or the clock time some intraday senders use
        try:
            return datetime.strptime(value, layout).time()
        except ValueError:
            continue
    record.fail(f"{value!r} is not an HHMM time", name)


def _currency(record: Record, value: str, name: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        get_currency(value)
    except CurrencyDoesNotExist:
        record.fail(f"{value!r} is not an ISO 4217 currency code", name)
    return value
