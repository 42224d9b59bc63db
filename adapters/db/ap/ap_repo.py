"""Vendor and budget repositories, plus the small helpers every AP repository shares."""

from __future__ import annotations

import builtins
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, overload

from sqlalchemy import BigInteger, Date, String, any_, bindparam, func, insert, literal_column, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_tables import budgets, vendors
from adapters.db.ap.ap_unique import unique_or
from payments.ap.ap_errors import CreatedConcurrently, DuplicateNumber, StaleState
from payments.ap.ap_postings import BudgetEffect, BudgetKey
from payments.ap.ap_records import BudgetRecord, Stamp, VendorRecord, new_id
from payments.ap.documents import DiversityCertification, Vendor, VendorStatus

def one_of(conn: Connection, column: Any, values: Iterable[Any], *, integers: bool = False) -> Any:
    """``column IN (values)`` with ONE bound parameter, however many values: an array on PostgreSQL
    (``= ANY(:p)``), a JSON array unpacked by ``json_each`` on SQLite. A batch of 100,000 ids is one
    statement, compiled once and cached, instead of 200 statements of 500 parameters each."""
    values = list(values)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(BigInteger if integers else String)))
    unpacked: Any = select(literal_column("value")).select_from(func.json_each(bindparam(None, json.dumps(values))))
    return column.in_(unpacked.scalar_subquery())


def raw_rows(conn: Connection, stmt: Any) -> Sequence[tuple[Any, ...]]:
    """Plain tuples from the driver for a statement SQLAlchemy compiled: the hot reads of a batch match.

    Skips the Row objects and per-column result processing (which cost more than SQLite's own work when a
    batch reads 300,000 lines), inside the unit of work's transaction. Callers convert dates and quantities.
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if not conn.in_transaction():
        conn.exec_driver_sql("SELECT 1")  # begin the unit of work's transaction before the driver reads
    dbapi = conn.connection.dbapi_connection
    if dbapi is None:
        raise RuntimeError("the unit of work's connection is closed")
    cursor = dbapi.cursor()
    try:
        if compiled.positional:
            cursor.execute(compiled.string, tuple(params[n] for n in compiled.positiontup))
        else:
            cursor.execute(compiled.string, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def executemany(conn: Connection, stmt: Any, rows: Sequence[dict[str, Any]]) -> int:
    """Run one INSERT or UPDATE for many rows straight through the driver's ``executemany``; return rowcount.

    The statement is compiled once by SQLAlchemy (so it is the same SQL on every backend); only the per-row
    parameter processing is skipped, which is most of the cost of writing 100,000 match results. Values must
    be plain (text, int, None, dates); SQLite gets dates as ISO text, which is how its Date type stores them.
    """
    if not rows:
        return 0
    compiled = stmt.compile(dialect=conn.dialect)
    base = dict(compiled.params)
    dates = [n for n, b in compiled.binds.items() if isinstance(b.type, Date)] if conn.dialect.name == "sqlite" else []
    names = list(compiled.positiontup) if compiled.positional else list(base)
    pick = None
    if compiled.positional:
        pick = itemgetter(*names) if len(names) > 1 else (lambda merged: (merged[names[0]],))
    params: list[Any] = []
    for row in rows:
        merged = {**base, **row}
        for name in dates:
            if merged[name] is not None:
                merged[name] = merged[name].isoformat()
        params.append(pick(merged) if pick is not None else merged)
    return conn.exec_driver_sql(compiled.string, params).rowcount


def executemany_tuples(conn: Connection, stmt: Any, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> int:
    """``executemany`` with each row a tuple in ``names`` order: no dict per row, which is most of what is left
    of writing 100,000 rows. On a positional driver (SQLite) the tuples go as they are, reordered by one C-level
    ``itemgetter`` if the compiled statement wants another order; otherwise they become dicts. Values must be
    what the driver takes (on SQLite, dates already ISO text)."""
    if not rows:
        return 0
    compiled = stmt.compile(dialect=conn.dialect)
    if compiled.positional:
        order = [names.index(n) for n in compiled.positiontup]
        params: Sequence[Any] = rows if order == list(range(len(names))) else [itemgetter(*order)(r) for r in rows]
    else:
        params = [dict(zip(names, r)) for r in rows]
    return conn.exec_driver_sql(compiled.string, params).rowcount


def guarded(conn: Connection, stmt: Any, kind: str, object_id: str, expected: str) -> None:
    """Run an UPDATE that names the expected state; no row means someone moved the document first."""
    if conn.execute(stmt).rowcount != 1:
        raise StaleState(kind, object_id, expected)


def stamp_of(row: Any, prefix: str) -> Stamp:
    return Stamp(getattr(row, f"{prefix}_by"), getattr(row, f"{prefix}_at"))


def stamp_values(prefix: str, stamp: Stamp | None) -> dict[str, Any]:
    return {} if stamp is None else {f"{prefix}_by": stamp.by, f"{prefix}_at": stamp.at}


@overload
def as_date(value: None) -> None: ...
@overload
def as_date(value: dt.date | str) -> dt.date: ...
def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def page_after(stmt: Any, id_column: Any, after: str | None, limit: int) -> Any:
    if after:
        stmt = stmt.where(id_column > after)
    return stmt.order_by(id_column).limit(limit)


class SqlVendorRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: VendorRecord, *, tin_ciphertext: bytes | None, tin_fingerprint: str | None) -> None:
        with unique_or(self._conn, {"number": lambda: DuplicateNumber("vendor", record.number or ""),
                                    "id": lambda: CreatedConcurrently("vendor", record.vendor.id)}):
            self._conn.execute(insert(vendors).values(
                **self._values(record), id=record.vendor.id, status=record.vendor.status.value,
                create_digest=record.create_digest, tin_ciphertext=_text(tin_ciphertext),
                tin_fingerprint=tin_fingerprint, **stamp_values("created", record.created)))

    def _values(self, r: VendorRecord) -> dict[str, Any]:
        v = r.vendor
        return {
            "number": r.number, "legal_name": v.legal_name, "tin_last4": r.tin_last4, "terms": v.terms,
            "is_1099": v.is_1099, "is_individual": v.is_individual, "addresses_json": json.dumps([dict(a) for a in r.addresses]),
            "contacts_json": json.dumps([dict(c) for c in r.contacts]),
            "certifications_json": json.dumps([{"kind": c.kind, "certifier": c.certifier,
                                                "valid_from": c.valid_from.isoformat(),
                                                "valid_to": c.valid_to.isoformat()} for c in v.certifications]),
            "version": r.version, **stamp_values("updated", r.updated),
        }

    def get(self, vendor_id: str) -> VendorRecord | None:
        row = self._conn.execute(select(vendors).where(vendors.c.id == vendor_id)).first()
        return None if row is None else _vendor(row)

    def get_by_number(self, number: str) -> VendorRecord | None:
        row = self._conn.execute(select(vendors).where(vendors.c.number == number)).first()
        return None if row is None else _vendor(row)

    def list(self, *, after: str | None, limit: int, status: str | None = None) -> builtins.list[VendorRecord]:
        stmt = select(vendors)
        if status:
            stmt = stmt.where(vendors.c.status == status)
        return [_vendor(r) for r in self._conn.execute(page_after(stmt, vendors.c.id, after, limit))]

    def update(self, record: VendorRecord, *, expected_version: int, tin_ciphertext: bytes | None = None,
               tin_fingerprint: str | None = None) -> None:
        values = self._values(record)
        if tin_ciphertext is not None:
            values.update(tin_ciphertext=_text(tin_ciphertext), tin_fingerprint=tin_fingerprint)
        guarded(self._conn, update(vendors).where(vendors.c.id == record.vendor.id,
                                                  vendors.c.version == expected_version).values(**values),
                "vendor", record.vendor.id, f"version {expected_version}")

    def set_status(self, vendor_id: str, expected: VendorStatus, new: VendorStatus, stamp: Stamp) -> None:
        guarded(self._conn, update(vendors).where(vendors.c.id == vendor_id, vendors.c.status == expected.value)
                .values(status=new.value, version=vendors.c.version + 1, **stamp_values("updated", stamp)),
                "vendor", vendor_id, expected.value)

    def ids_with_tin(self, tin_fingerprint: str) -> builtins.list[str]:
        return list(self._conn.execute(select(vendors.c.id).where(vendors.c.tin_fingerprint == tin_fingerprint)
                                       .order_by(vendors.c.id)).scalars())

    def statuses(self, vendor_ids: Iterable[str]) -> dict[str, str]:
        return dict(self._conn.execute(select(vendors.c.id, vendors.c.status)
                                       .where(one_of(self._conn, vendors.c.id, set(vendor_ids)))).tuples().all())


def _text(blob: bytes | None) -> str | None:
    """The vendor service hands the ciphertext over base64-encoded; it is stored as that text."""
    return None if blob is None else bytes(blob).decode("ascii")


def _vendor(row: Any) -> VendorRecord:
    certs = tuple(DiversityCertification(c["kind"], c["certifier"], dt.date.fromisoformat(c["valid_from"]),
                                         dt.date.fromisoformat(c["valid_to"]))
                  for c in json.loads(row.certifications_json or "[]"))
    return VendorRecord(
        vendor=Vendor(row.id, row.legal_name, VendorStatus(row.status), row.terms, bool(row.is_1099), certs,
                      bool(row.is_individual)),
        number=row.number, tin_last4=row.tin_last4, addresses=tuple(json.loads(row.addresses_json or "[]")),
        contacts=tuple(json.loads(row.contacts_json or "[]")), version=row.version,
        created=stamp_of(row, "created"), updated=stamp_of(row, "updated"), create_digest=row.create_digest)


class SqlBudgetRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, fiscal_year: int, fund: str, department: str, object_code: str, currency: str) -> BudgetRecord | None:
        b = budgets.c
        row = self._conn.execute(select(budgets).where(
            b.fiscal_year == fiscal_year, b.fund == fund, b.department == department, b.object_code == object_code,
            b.currency == currency)).first()
        return None if row is None else _budget(row)

    def upsert(self, record: BudgetRecord, *, expected_version: int | None) -> None:
        values = {"amount_minor": record.amount_minor, "entry_id": record.entry_id, "version": record.version,
                  **stamp_values("set", record.set)}
        if expected_version is None:
            def stale() -> StaleState:  # a concurrent first "set" of the same line won
                return StaleState("budget", f"FY{record.fiscal_year} {record.fund}-{record.department}-"
                                  f"{record.object_code}", "not yet set")

            with unique_or(self._conn, {"coding": stale, "id": stale}):
                self._conn.execute(insert(budgets).values(
                    id=record.id, fiscal_year=record.fiscal_year, fund=record.fund, department=record.department,
                    object_code=record.object_code, currency=record.currency, **values))
            return
        guarded(self._conn, update(budgets).where(budgets.c.id == record.id, budgets.c.version == expected_version)
                .values(**values), "budget", record.id, f"version {expected_version}")

    def add_effects(self, effects: Mapping[BudgetKey, BudgetEffect]) -> None:
        b = budgets.c
        for (year, fund, department, object_code, currency), e in sorted(effects.items()):
            if not (e.encumbered_minor or e.expended_minor):
                continue
            where = (b.fiscal_year == year, b.fund == fund, b.department == department, b.object_code == object_code,
                     b.currency == currency)
            moved = self._conn.execute(update(budgets).where(*where).values(
                encumbered_minor=b.encumbered_minor + e.encumbered_minor,
                expended_minor=b.expended_minor + e.expended_minor)).rowcount
            if not moved:
                # Spent against a year that has no appropriation (only a zero-amount order could get here): the
                # line appears with nothing appropriated, overspent, rather than the spending vanishing.
                with unique_or(self._conn, {}):
                    self._conn.execute(insert(budgets).values(
                        id=new_id("budget"), fiscal_year=year, fund=fund, department=department,
                        object_code=object_code, currency=currency, amount_minor=0, version=1,
                        encumbered_minor=e.encumbered_minor, expended_minor=e.expended_minor))

    def reset_totals(self) -> None:
        self._conn.execute(update(budgets).values(encumbered_minor=0, expended_minor=0))

    def list(self, *, after: str | None, limit: int, fiscal_year: int | None = None,
             fund: str | None = None) -> builtins.list[BudgetRecord]:
        stmt = select(budgets)
        if fiscal_year is not None:
            stmt = stmt.where(budgets.c.fiscal_year == fiscal_year)
        if fund:
            stmt = stmt.where(budgets.c.fund == fund)
        return [_budget(r) for r in self._conn.execute(page_after(stmt, budgets.c.id, after, limit))]


def _budget(row: Any) -> BudgetRecord:
    return BudgetRecord(row.id, row.fiscal_year, row.fund, row.department, row.object_code, row.currency,
                        row.amount_minor, row.entry_id, row.version, stamp_of(row, "set"), row.encumbered_minor,
                        row.expended_minor)
