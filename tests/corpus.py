"""Access to the external conformance corpus in ../shared/testdata (never copied into the project)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT_ROOT.parent / "shared" / "testdata"


def corpus_dir(*parts: str) -> Path:
    """The corpus folder, or skip the calling test saying why it is absent (fail instead in CI, where it is
    mandatory exactly as PostgreSQL is: a corpus that went missing must not turn its checks green)."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        why = f"external corpus {path} is not present (../shared/testdata); these checks need it"
        if os.environ.get("CI") == "true":
            pytest.fail(why + " — mandatory in CI", pytrace=False)
        pytest.skip(why)
    return path
