"""Small BAI2 statements for reconciliation tests, with correct control totals and record counts."""

from __future__ import annotations

from datetime import date


def bai2(lines: list[tuple[str, int, str, str, str]], *, account: str = "4412345678", on: date = date(2026, 9, 23),
         opening: int = 0, file_id: str = "STMT1") -> bytes:
    """``lines``: (type code, amount, bank reference, customer reference, text) of each 16 record."""
    credits = sum(a for t, a, *_ in lines if int(t) < 400)
    debits = sum(a for t, a, *_ in lines if int(t) >= 400)
    closing = opening + credits - debits
    yymmdd = on.strftime("%y%m%d")
    account_records = [f"03,{account},USD,010,{opening},,,015,{closing},,/"]
    account_records += [f"16,{t},{a},Z,{bank},{cust},{text}/" for t, a, bank, cust, text in lines]
    control = opening + closing + sum(a for _, a, *_ in lines)
    account_records.append(f"49,{control},{len(account_records) + 1}/")
    group = [f"02,CITY,021000021,1,{yymmdd},2400,USD,2/", *account_records,
             f"98,{control},1,{len(account_records) + 2}/"]
    records = [f"01,021000021,CITY,{yymmdd},0600,{file_id},80,1,2/", *group, f"99,{control},1,{len(group) + 2}/"]
    return ("\n".join(records) + "\n").encode()
