"""DESIGN.md's dependency rules, enforced by import-linter contracts in pyproject.toml; the typed seams, by mypy."""

import re
import shutil
import subprocess
import sys
import tempfile
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


# mypy --strict, as per-module flags (mypy takes --strict only for a whole run).
STRICT_FLAGS = ("disallow_any_generics", "disallow_subclassing_any", "disallow_untyped_calls", "disallow_untyped_defs",
                "disallow_incomplete_defs", "check_untyped_defs", "disallow_untyped_decorators", "warn_unused_ignores",
                "warn_return_any", "strict_equality", "extra_checks")


def test_ledger_and_payments_are_checked_strictly_and_the_rest_at_mypy_defaults():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert sorted(config["files"]) == ["adapters", "ledger", "main.py", "payments"]
    assert "ignore-without-code" in config["enable_error_code"]
    (strict,) = [o for o in config["overrides"] if sorted(o["module"]) == ["ledger.*", "payments.*"]]
    assert {flag: strict.get(flag) for flag in STRICT_FLAGS} == dict.fromkeys(STRICT_FLAGS, True)
    assert strict["implicit_reexport"] is False
    loosened = [o["module"] for o in config["overrides"] if o is not strict and any(
        m.split(".")[0] in ("ledger", "payments", "adapters", "main") for m in o["module"])]
    assert loosened == [], "an override may only name third-party libraries without type information"


def test_the_seams_type_check():
    # DESIGN.md §1: the unit of work, repositories and the container are typed with the domain's Protocols;
    # ledger/ and payments/ pass strictly, adapters/ and main.py at mypy's defaults. The config is pyproject's.
    cache = Path(tempfile.gettempdir()) / "disburse-mypy-cache"
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-2000:]


def test_every_type_ignore_in_ledger_and_payments_names_its_code_and_why():
    ignores = [(f"{path.relative_to(ROOT)}:{n}", line) for package in ("ledger", "payments")
               for path in sorted((ROOT / package).rglob("*.py"))
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "type: ignore" in line]
    unexplained = [where for where, line in ignores
                   if not re.search(r"# type: ignore\[[a-z-]+(, *[a-z-]+)*\]\s+#\s*\S", line)]
    assert unexplained == [], "say which error and why: # type: ignore[code]  # because ..."
    assert len(ignores) < 20, [where for where, _ in ignores]
