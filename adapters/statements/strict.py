"""``--strict``: an inbound ISO 20022 message checked against its official XSD, every violation listed.

Without ``--strict`` bank files are read leniently past what their processing does not need (DESIGN.md §6): real
camt files often break the letter of the schema (a missing balance indicator or entry status). With it, a message
is refused unless its schema validates it, and refused too when we hold no official schema for its version: strict
means checked, never "probably fine". Schemas are looked up by the message's namespace
(``urn:iso:std:iso:20022:tech:xsd:camt.053.001.08`` -> ``camt.053.001.08.xsd``) in the folders the composition root
names: the package's own schemas and the ``xsd_dir`` setting. The file was already parsed with DTDs and entities
refused; the schema check parses it again with xmlschema's ``defuse="always"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import xmlschema

from adapters.formats.iso20022.safexml import namespace_version, parse_xml
from payments.reconciliation.statements import FormatError

MAX_LISTED = 20


class SchemaInvalid(FormatError):
    """``--strict``: the message breaks its official schema (every problem listed with its element path)."""

    code = "schema_invalid"

    def __init__(self, version: str, problems: list[str]) -> None:
        listed = "; ".join(problems[:MAX_LISTED]) + (f"; … {len(problems) - MAX_LISTED} more"
                                                     if len(problems) > MAX_LISTED else "")
        super().__init__(f"{len(problems)} problem(s) against {version}.xsd: {listed}", schema=version,
                         problems=problems[:MAX_LISTED])


class SchemaNotHeld(FormatError):
    """``--strict``: no official schema for this message version is held, so it cannot be checked."""

    code = "schema_not_held"


def schema_versions(folders: Iterable[Path]) -> list[str]:
    """The message versions whose official schema is held (``camt.053.001.08`` ...), for messages and docs."""
    return sorted({p.name.removesuffix(".xsd") for folder in folders if folder.is_dir() for p in folder.glob("*.xsd")})


@lru_cache(maxsize=16)
def _schema(path: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(path)


def check_strict(data: bytes, folders: Iterable[Path], fmt: str = "camt") -> None:
    """Refuse ``data`` unless the official schema of its version validates it; nothing else is read."""
    folders = [Path(f) for f in folders if f]
    root = parse_xml(data, fmt)  # DTDs and entities refused before anything else touches the bytes
    version = namespace_version(root.tag)
    if version is None:
        raise SchemaNotHeld("--strict: the message names no ISO 20022 namespace, so no schema can check it",
                            location="/Document")
    path = next((folder / f"{version}.xsd" for folder in folders if (folder / f"{version}.xsd").is_file()), None)
    if path is None:
        held = ", ".join(schema_versions(folders)) or "none"
        raise SchemaNotHeld(f"--strict: no official schema is held for {version} (held: {held})",
                            location="/Document", schema=version)
    resource = xmlschema.XMLResource(data.removeprefix(b"\xef\xbb\xbf").lstrip(), defuse="always")
    problems = [f"{error.path or '/'}: {error.reason or error.message}"
                for error in _schema(str(path)).iter_errors(resource)]
    if problems:
        raise SchemaInvalid(version, problems)
