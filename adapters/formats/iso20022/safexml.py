"""Hardened, namespace-agnostic XML reading for ISO 20022 messages that come from outside (pain.002, camt).

The camt importers in adapters/statements use it too, which the import contracts allow (pyproject.toml).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NoReturn

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from payments.reconciliation.statements import MalformedFile, XmlEntitiesForbidden


def parse_xml(data: bytes, fmt: str) -> ET.Element:
    """The root element, parsed with DTDs, entities and external references refused."""
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    try:
        # Bank messages never carry a DTD; refusing every DTD stops billion-laughs and XXE before expansion.
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise XmlEntitiesForbidden(f"the XML declares a DTD or entities, which are refused ({exc})") from exc
    except LookupError as exc:  # expat's answer to an encoding name it does not know
        raise MalformedFile(fmt, f"the XML declares an unknown encoding ({exc})", location="line 1") from exc
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(": line ", 1)[0]  # expat repeats the position we already report
        raise MalformedFile(fmt, f"not well-formed XML: {reason}", location=f"line {line}, column {column}") from exc


def local_name(tag: str) -> str:
    """'{urn:iso:...:camt.053.001.02}Ntry' -> 'Ntry': we match on local names, whatever the version."""
    return tag.rsplit("}", 1)[-1]


def namespace_version(tag: str) -> str | None:
    """'{urn:iso:std:iso:20022:tech:xsd:pain.002.001.03}Document' -> 'pain.002.001.03'."""
    if not tag.startswith("{"):
        return None
    return tag[1:].split("}", 1)[0].rsplit(":", 1)[-1] or None


class Node:
    """An element plus its XPath-ish location, so every error can say exactly where it is."""

    __slots__ = ("element", "path", "fmt")

    def __init__(self, element: ET.Element, path: str, fmt: str) -> None:
        self.element = element
        self.path = path
        self.fmt = fmt

    @property
    def name(self) -> str:
        return local_name(self.element.tag)

    def children(self, name: str) -> list[Node]:
        found = [e for e in self.element if local_name(e.tag) == name]
        return [Node(e, f"{self.path}/{name}[{i}]", self.fmt) for i, e in enumerate(found, 1)]

    def child(self, *names: str) -> Node | None:
        node: Node = self
        for name in names:
            element = next((e for e in node.element if local_name(e.tag) == name), None)
            if element is None:
                return None
            node = Node(element, f"{node.path}/{name}", self.fmt)
        return node

    def text(self, *names: str) -> str | None:
        node = self.child(*names)
        if node is None or node.element.text is None:
            return None
        return node.element.text.strip() or None

    def texts(self, name: str) -> list[str]:
        return [n.element.text.strip() for n in self.children(name) if n.element.text and n.element.text.strip()]

    def required(self, *names: str) -> str:
        value = self.text(*names)
        if value is None:
            self.fail("required element is missing or empty", "/".join(names))
        return value

    def fail(self, reason: str, field: str | None = None) -> NoReturn:
        raise MalformedFile(self.fmt, reason, location=self.path, field=field)
