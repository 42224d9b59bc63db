"""BAI2 type codes -> direction, normalized kind and description (FORMATS.md §4.2).

Ranges (BAI / X9 Cash Management Balance Reporting v2): 001-099 account status, 100-399 credits, 400-699 debits,
700-799 loan codes, 900-919 bank-defined status, 920-959 bank-defined credits, 960-999 bank-defined debits.
Descriptions, and the direction of the loan codes BAI defines, come from the ``bai2`` package's table.
"""

from __future__ import annotations

from dataclasses import dataclass

from bai2.constants import TypeCodeLevel, TypeCodes, TypeCodeTransaction

from payments.reconciliation.statements import CreditDebit, TransactionKind

OPENING_LEDGER = "010"
CLOSING_LEDGER = "015"
TOTAL_CREDITS = "100"
TOTAL_DEBITS = "400"


def _codes(*specs: str) -> frozenset[str]:
    """'140-145' and '475' -> every code in the spans."""
    codes: set[str] = set()
    for spec in specs:
        low, _, high = spec.partition("-")
        codes.update(f"{n:03d}" for n in range(int(low), int(high or low) + 1))
    return frozenset(codes)


KINDS: dict[TransactionKind, frozenset[str]] = {
    TransactionKind.ACH: _codes("140-145", "164-165", "169", "445", "450-452", "455", "462", "464", "469"),
    # Offsets of whole ACH files or batches, including the disbursement-funding debit of an outgoing credit file.
    TransactionKind.ACH_SETTLEMENT: _codes("160", "162-163", "166-167", "446-447", "465-467"),
    TransactionKind.ACH_RETURN: _codes("168", "256-257", "468", "556-557"),
    TransactionKind.ACH_REVERSAL: _codes("258", "558"),
    TransactionKind.CHECK_PAID: _codes("470-472", "474-475"),
    TransactionKind.CHECK_DEPOSIT: _codes("170-176"),
    TransactionKind.RETURNED_ITEM: _codes("250", "255", "260-261", "266", "268", "550", "555", "560-561", "566",
                                          "568"),
    TransactionKind.WIRE: _codes("190-191", "195-196", "207-208", "490-491", "493", "495-496", "507-508"),
    TransactionKind.INSTANT: _codes("158-159", "458-459"),
    TransactionKind.BOOK_TRANSFER: _codes("200-201", "205-206", "275", "277", "500-501", "505-506", "575", "577"),
    TransactionKind.FEE: _codes("564", "567"),
}
_KIND_OF = {code: kind for kind, codes in KINDS.items() for code in codes}
RETURN_KINDS = frozenset({TransactionKind.ACH_RETURN, TransactionKind.RETURNED_ITEM})
REVERSAL_CODES = _codes("251-252", "258", "551-552", "558")


@dataclass(frozen=True, slots=True)
class TypeCode:
    """What a three-digit BAI2 type code means for a statement line."""

    code: str
    direction: CreditDebit | None
    kind: TransactionKind
    description: str | None
    is_status: bool

    @property
    def is_return(self) -> bool:
        return self.kind in RETURN_KINDS

    @property
    def is_reversal(self) -> bool:
        return self.code in REVERSAL_CODES


def classify(code: str) -> TypeCode:
    number = int(code)
    known = TypeCodes.get(code)
    return TypeCode(
        code=code,
        direction=_direction(number, known.transaction if known else None),
        kind=_KIND_OF.get(code, TransactionKind.OTHER),
        description=known.description if known else None,
        is_status=number < 100 or 900 <= number <= 919 or bool(known and known.level is TypeCodeLevel.status),
    )


def _direction(number: int, known: TypeCodeTransaction | None) -> CreditDebit | None:
    if known is TypeCodeTransaction.credit:
        return CreditDebit.CREDIT
    if known is TypeCodeTransaction.debit:
        return CreditDebit.DEBIT
    if 100 <= number <= 399 or 920 <= number <= 959:
        return CreditDebit.CREDIT
    if 400 <= number <= 699 or 960 <= number <= 999:
        return CreditDebit.DEBIT
    # 700-899 outside BAI's own loan table: banks give these codes either sign; a person must decide.
    return None
