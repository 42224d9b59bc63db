"""Access to the external conformance corpus in ../shared/testdata (never copied into the project)."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT_ROOT.parent / "shared" / "testdata"


def corpus_dir(*parts: str) -> Path:
    """The corpus folder, or skip the calling test saying why it is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"external corpus {path} is not present (../shared/testdata); these checks need it")
    return path
