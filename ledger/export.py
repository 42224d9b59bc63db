"""The journal as one self-describing file: JSON Lines, written and read as a stream (docs/ledger-format.md).

Line 1 is the header; then the key registry, the stored checkpoints, every entry in sequence order, and an
``end`` line that says how many entries there are and which is the head. Each line is one JSON object in
the canonical encoding, with a ``type``. An entry line carries its fields (what a verifier re-derives the
canonical bytes from), its hashes and signatures, and the canonical bytes themselves as text, so that a
reader can compare the two. A verifier needs nothing else but a trust anchor.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Literal, Sequence, overload

from ledger.canonical import encode_json
from ledger.checkpoint import CHECKPOINT_FORMAT, Checkpoint
from ledger.errors import CheckpointWrongJournal, LedgerError
from ledger.keys import KeyRecord
from ledger.schedule import TrustAnchor, as_map
from ledger.ports import JournalStore
from ledger.verify import StoredState, VerifyReport, entry_row, row_runs, verify_runs
from ledger.verify_chunk import canonical_from_parsed

EXPORT_FORMAT = "disburse-ledger-export/1"
_ENTRY_FIELDS = ("canonical", "code", "cosignature", "data", "effective_date", "hash", "id", "key_id", "memo",
                 "postings", "prev_hash", "recorded_at", "references", "reverses", "sequence", "signature", "type")
_POSTING_FIELDS = ("account", "amount_minor", "currency", "direction")
_TEXT_FIELDS = ("id", "effective_date", "recorded_at", "code", "memo", "reverses", "key_id")
_KEY_FIELDS = ("key_id", "public_key", "type", "valid_from", "valid_from_sequence", "valid_to", "valid_to_sequence")


class ExportError(LedgerError):
    """A file that is not a well-formed export: names the line and why; nothing is verified."""

    code = "invalid_export"


def _line(obj: dict[str, Any]) -> str:
    return encode_json(obj).decode("utf-8") + "\n"


def _object(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _hex(value: Any) -> str | None:
    return None if value is None else bytes(value).hex()


def entry_line(row: Sequence[Any]) -> str:
    """One entry row (``ledger.verify_chunk``'s layout) as its export line."""
    (seq, eid, eff, recorded_at, code, memo, refs, data, reverses, key_id, prev, digest, sig, cosig, legs) = row[:15]
    refs, data = _object(refs), _object(data)  # as stored, floats and all: the verifier is the judge
    return _line({
        "type": "entry", "sequence": seq, "id": eid,
        "effective_date": eff.isoformat() if isinstance(eff, dt.date) else eff, "recorded_at": recorded_at,
        "code": code, "memo": memo, "references": refs, "data": data, "reverses": reverses,
        "key_id": key_id, "postings": [{"account": a, "direction": d, "amount_minor": m, "currency": c}
                                       for a, d, m, c in legs],
        "prev_hash": _hex(prev), "hash": _hex(digest), "signature": _hex(sig), "cosignature": _hex(cosig),
        "canonical": canonical_from_parsed(row, refs, data).decode("utf-8")})


def export_lines(journal: str, exported_at: str, keys: Iterable[KeyRecord], checkpoints: Iterable[Checkpoint],
                 rows: Iterable[Sequence[Any]], head: tuple[int, bytes]) -> Iterator[str]:
    """The export, line by line: ``rows`` are streamed in sequence order; ``head`` is the stored head."""
    yield _line({"type": "header", "format": EXPORT_FORMAT, "journal": journal, "canonical_version": 1,
                 "exported_at": exported_at})
    for k in sorted(keys, key=lambda k: k.valid_from_sequence):
        yield _line({"type": "key", **k.as_json()})
    for cp in sorted(checkpoints, key=lambda cp: cp.sequence):
        yield _line({"type": "checkpoint", **json.loads(cp.to_json())})
    count = 0
    for row in rows:
        count += 1
        yield entry_line(row)
    yield _line({"type": "end", "entries": count, "head_sequence": head[0], "head_hash": bytes(head[1]).hex()})


def export_journal(store: JournalStore, checkpoints: Iterable[Checkpoint], *, journal: str,
                   exported_at: str) -> Iterator[str]:
    """A stored journal's export, streamed: the journal as of its head row (entries appended meanwhile are
    left for the next export). A head row that names no entry exports every entry, and the end line says what
    the head row says, for the verifier to judge."""
    last = store.last_sequence()
    head = store.stored_state(last).head or (0, bytes(32))
    upto = head[0] if head[0] >= 1 else last
    rows = (entry_row(e) for e in itertools.takewhile(lambda e: e.sequence <= upto, store.iter_entries()))
    return export_lines(journal, exported_at, store.keys(), checkpoints, rows, head)


def _reject(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


_loads = json.JSONDecoder(parse_constant=_reject).decode


@dataclass
class ExportFile:
    """What an export says beside its entries (read by ``read_export``); ``end`` is set once the entries are read."""

    journal: str
    exported_at: str
    keys: list[KeyRecord]
    checkpoints: list[Checkpoint]
    end: dict[str, Any] | None = None
    entries_read: int = 0


def read_export(open_lines: Callable[[], Iterable[str]]) -> tuple[ExportFile, Callable[[], Iterator[tuple[Any, ...]]]]:
    """The export's header, keys and checkpoints, and a function that streams its entry rows (each call reads
    the file again, filling in ``end``). Raises ``invalid_export`` naming the line of a malformed file."""
    meta: ExportFile | None = None
    keys: list[KeyRecord] = []
    checkpoints: list[Checkpoint] = []
    for number, obj in _objects(open_lines()):
        kind = obj.get("type")
        if number == 1:
            version = obj.get("canonical_version")
            if kind != "header" or obj.get("format") != EXPORT_FORMAT or type(version) is not int or version != 1:
                raise ExportError(f"line 1: not a {EXPORT_FORMAT} header (format, canonical_version 1)", line=1)
            meta = ExportFile(str(obj.get("journal")), str(obj.get("exported_at")), keys, checkpoints)
        elif kind == "key":
            keys.append(_key(obj, number))
        elif kind == "checkpoint":
            checkpoints.append(_checkpoint(obj, number))
        elif kind in ("entry", "end"):
            break
        else:
            raise ExportError(f"line {number}: a {kind!r} line here; expected key, checkpoint or entry lines",
                              line=number)
    if meta is None:
        raise ExportError("the file is empty: no header line", line=1)

    def rows() -> Iterator[tuple[Any, ...]]:
        meta.end, meta.entries_read, last = None, 0, 0
        for number, obj in _objects(open_lines()):
            kind = obj.get("type")
            if meta.end is not None:
                raise ExportError(f"line {number}: a line after the end line", line=number)
            if kind == "entry":
                row = row_of_entry_line(obj, number)
                if row[0] <= last:
                    raise ExportError(f"line {number}: sequence {row[0]} does not follow {last}", line=number)
                last = row[0]
                meta.entries_read += 1
                yield row
            elif kind == "end":
                meta.end = _end(obj, number)
            elif meta.entries_read and kind != "entry":
                raise ExportError(f"line {number}: a {kind!r} line among the entries", line=number)
    return meta, rows


def _decoded(lines: Iterable[str]) -> Iterator[str]:
    it = iter(lines)
    number = 0
    while True:
        try:
            text = next(it)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise ExportError(f"line {number + 1}: not UTF-8 text", line=number + 1) from None
        number += 1
        yield text


def _objects(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in enumerate(_decoded(lines), start=1):
        if not text.strip():
            raise ExportError(f"line {number}: an empty line", line=number)
        try:
            obj = _loads(text)
        except ValueError as exc:
            raise ExportError(f"line {number}: not JSON: {exc}", line=number) from None
        if not isinstance(obj, dict):
            raise ExportError(f"line {number}: not a JSON object", line=number)
        yield number, obj


def _fields(obj: dict[str, Any], names: Sequence[str], number: int, what: str) -> None:
    if sorted(obj) != sorted(names):
        missing, extra = sorted(set(names) - set(obj)), sorted(set(obj) - set(names))
        raise ExportError(f"line {number}: {what} fields wrong (missing {missing}, unknown {extra})", line=number)


@overload
def _bytes(obj: dict[str, Any], name: str, number: int, size: int, *, optional: Literal[False] = False) -> bytes: ...
@overload
def _bytes(obj: dict[str, Any], name: str, number: int, size: int, *, optional: bool) -> bytes | None: ...
def _bytes(obj: dict[str, Any], name: str, number: int, size: int, *, optional: bool = False) -> bytes | None:
    value = obj.get(name)
    if value is None and optional:
        return None
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) and value == value.lower() else None
    except ValueError:
        raw = None
    if raw is None or len(raw) != size:
        raise ExportError(f"line {number}: {name} must be {size * 2} lower-case hex digits", line=number)
    return raw


@overload
def _int(obj: dict[str, Any], name: str, number: int, *, optional: Literal[False] = False) -> int: ...
@overload
def _int(obj: dict[str, Any], name: str, number: int, *, optional: bool) -> int | None: ...
def _int(obj: dict[str, Any], name: str, number: int, *, optional: bool = False) -> int | None:
    value = obj.get(name)
    if value is None and optional:
        return None
    if type(value) is not int:
        raise ExportError(f"line {number}: {name} must be an integer", line=number)
    return value


def _key(obj: dict[str, Any], number: int) -> KeyRecord:
    _fields(obj, _KEY_FIELDS, number, "key")
    for name in ("key_id", "valid_from", "valid_to"):
        if type(obj[name]) is not str and not (name == "valid_to" and obj[name] is None):
            raise ExportError(f"line {number}: {name} must be a string", line=number)
    return KeyRecord(obj["key_id"], _bytes(obj, "public_key", number, 32), _int(obj, "valid_from_sequence", number),
                     obj["valid_from"], _int(obj, "valid_to_sequence", number, optional=True), obj["valid_to"])


def _checkpoint(obj: dict[str, Any], number: int) -> Checkpoint:
    doc = {k: v for k, v in obj.items() if k != "type"}
    if doc.get("format") != CHECKPOINT_FORMAT:
        raise ExportError(f"line {number}: a checkpoint line must carry format {CHECKPOINT_FORMAT!r}", line=number)
    try:
        return Checkpoint.from_json(json.dumps(doc))
    except LedgerError as exc:
        raise ExportError(f"line {number}: {exc.message}", line=number) from None


def row_of_entry_line(obj: dict[str, Any], number: int) -> tuple[Any, ...]:
    """An entry line (parsed) as a row of ``ledger.verify_chunk``'s layout, with its carried canonical bytes;
    ``invalid_export`` naming line ``number`` when it is malformed."""
    _fields(obj, _ENTRY_FIELDS, number, "entry")
    for name in _TEXT_FIELDS:
        if type(obj[name]) is not str and not (name == "reverses" and obj[name] is None):
            raise ExportError(f"line {number}: {name} must be a string", line=number)
    for name in ("references", "data"):
        if not isinstance(obj[name], dict):
            raise ExportError(f"line {number}: {name} must be an object", line=number)
    legs = []
    if not isinstance(obj["postings"], list):
        raise ExportError(f"line {number}: postings must be a list", line=number)
    for posting in obj["postings"]:
        if not isinstance(posting, dict):
            raise ExportError(f"line {number}: a posting must be an object", line=number)
        _fields(posting, _POSTING_FIELDS, number, "posting")
        if not all(type(posting[name]) is str for name in ("account", "direction", "currency")):
            raise ExportError(f"line {number}: a posting's account, direction and currency must be strings",
                              line=number)
        legs.append((posting["account"], posting["direction"], posting["amount_minor"], posting["currency"]))
    canonical = obj["canonical"]
    if not isinstance(canonical, str):
        raise ExportError(f"line {number}: canonical must be text", line=number)
    try:
        carried = canonical.encode("utf-8")
    except UnicodeEncodeError:
        carried = b""  # a lone surrogate: the entry has no UTF-8 form, which the verifier reports
    return (_int(obj, "sequence", number), obj["id"], obj["effective_date"], obj["recorded_at"], obj["code"],
            obj["memo"], obj["references"], obj["data"], obj["reverses"], obj["key_id"],
            _bytes(obj, "prev_hash", number, 32), _bytes(obj, "hash", number, 32),
            _bytes(obj, "signature", number, 64), _bytes(obj, "cosignature", number, 64, optional=True),
            tuple(legs), carried)


def _end(obj: dict[str, Any], number: int) -> dict[str, Any]:
    _fields(obj, ("entries", "head_hash", "head_sequence", "type"), number, "end")
    return {"entries": _int(obj, "entries", number), "head_sequence": _int(obj, "head_sequence", number),
            "head_hash": _bytes(obj, "head_hash", number, 32)}


def verify_export(open_lines: Callable[[], Iterable[str]], *, anchor: TrustAnchor | None,
                  checkpoints: Sequence[Checkpoint] = (), workers: int | None = None,
                  progress: Callable[[int], None] | None = None) -> tuple[ExportFile, VerifyReport]:
    """Verify an export with nothing but the file, a trust anchor and any checkpoints an outsider kept.

    The file's key lines are its registry (checked against the journal's own schedule, never trusted) and
    its checkpoint lines are checked like the outsider's. ``open_lines`` is called once per pass.
    """
    meta, rows = read_export(open_lines)
    for cp in checkpoints:
        if cp.journal != meta.journal:
            raise CheckpointWrongJournal(f"that checkpoint is of the {cp.journal} journal, not {meta.journal}")

    def stored() -> StoredState:
        end = meta.end
        if end is None:
            return StoredState(cut_off=True)
        return StoredState(head=(end["head_sequence"], end["head_hash"]), count=end["entries"])
    report = verify_runs(lambda: row_runs(rows()), as_map(meta.keys), anchor=anchor,
                         checkpoints=[*meta.checkpoints, *checkpoints], stored=stored, workers=workers,
                         progress=progress)
    return meta, report
