"""OCDS 1.1 records: each contracting process's releases linked, and compiled into its current state. Pure.

The compiled release follows the standard's merge routine (https://standard.open-contracting.org/1.1/en/schema/
merging/): releases are taken oldest first; an object's fields are merged recursively; an array of objects that
carry ``id`` is merged object by object on ``id`` (so every payment's transactions and milestones accumulate on the
one contract); any other value, arrays of strings included, is replaced by the newer one; a null removes the field.
The compiled release has the tag ``compiled``, the newest release's date and ``id`` ``<ocid>-<that date>``, as
ocdskit names it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from typing import Any


def _by_id(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "id" in i for i in items)


def _merge(target: dict[str, Any], release: Mapping[str, Any]) -> None:
    for key, value in release.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            _merge(current, value)
        elif isinstance(value, list) and _by_id(value) and _by_id(target.get(key) or [value[0]]):
            existing: list[dict[str, Any]] = target.setdefault(key, [])
            index = {str(item["id"]): item for item in existing}
            for item in value:
                found = index.get(str(item["id"]))
                if found is None:
                    found = {}
                    existing.append(found)
                    index[str(item["id"])] = found
                _merge(found, item)
        else:
            target[key] = copy.deepcopy(value)


def compile_releases(releases: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    ordered = sorted(releases, key=lambda r: r["date"])
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge(compiled, {k: v for k, v in release.items() if k not in ("id", "tag", "date")})
    last = ordered[-1]
    return {**compiled, "id": f"{last['ocid']}-{last['date']}", "date": last["date"], "tag": ["compiled"]}


def records(releases: Iterable[Mapping[str, Any]], package_uri: str) -> Iterator[dict[str, Any]]:
    """One record per ocid, from releases that come grouped by ocid (as ``ocds.all_releases`` yields them); each
    release is linked by its address in the release package."""
    group: list[Mapping[str, Any]] = []
    for release in releases:
        if group and release["ocid"] != group[0]["ocid"]:
            yield _record(group, package_uri)
            group = []
        group.append(release)
    if group:
        yield _record(group, package_uri)


def _record(group: list[Mapping[str, Any]], package_uri: str) -> dict[str, Any]:
    linked = [{"url": f"{package_uri}#{r['id']}", "date": r["date"], "tag": list(r["tag"])}
              for r in sorted(group, key=lambda r: r["date"])]
    return {"ocid": group[0]["ocid"], "releases": linked, "compiledRelease": compile_releases(group)}
