"""DESIGN.md's dependency rules, enforced by import-linter contracts in pyproject.toml."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_dependency_rules_of_design_md_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    command = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    result = subprocess.run(command + ["--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _kernel_contract() -> list[str]:
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (kernel,) = [c for c in contracts if c["name"].startswith("the kernel of payments/")]
    return kernel["source_modules"]


def test_every_module_at_the_top_of_payments_is_held_to_the_kernel_contract():
    # A module added to payments/'s top level is kernel by where it stands; the contract must know it, or the
    # kernel could start importing features unseen.
    on_disk = sorted(f"payments.{p.stem}" for p in (ROOT / "payments").glob("*.py") if p.stem != "__init__")
    assert sorted(_kernel_contract()) == on_disk


def test_no_source_file_is_over_400_lines():
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.py"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    too_long = {name: n for name in tracked if (ROOT / name).exists()
                and (n := len((ROOT / name).read_text(encoding="utf-8").splitlines())) > 400}
    assert too_long == {}, f"split these by flow (DESIGN.md §1: a file holds one idea, under 400 lines): {too_long}"
