"""Where a command's document goes: to the file ``--out`` names (saying so), or to standard output as it is."""

from __future__ import annotations

from pathlib import Path


def write_or_print(text: str, out: str | None, written: str) -> None:
    """``written`` is the sentence printed after the file is written, e.g. "public keys written to FILE"."""
    if out:
        Path(out).write_text(text)
        print(written)
    else:
        print(text, end="")


def print_sign_ins(sign_ins: list[tuple[str, str, str]], url: str) -> None:
    """The example people's web passwords, printed this once (only their hashes are stored)."""
    if not sign_ins:
        return
    width = max(len(username) for username, _name, _password in sign_ins)
    print(f"web sign-in at {url} - the example people's passwords, shown only now "
          "(set another with `disburse users password USERNAME`):")
    for username, name, password in sign_ins:
        print(f"  {username:<{width}}  {password}  {name}")
