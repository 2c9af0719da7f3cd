"""Rules the test suite keeps: our own code is imported, never import-skipped; every marker is used."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def _our_packages() -> set[str]:
    """The repository's own top-level packages (whatever the layout), and the tests' shared helpers."""
    return {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} | {"tests"}


def _importorskips(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "importorskip":
            first = node.args[0] if node.args else None
            name = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else "<computed>"
            found.append((node.lineno, name))
    return found


def test_no_test_import_skips_our_own_code() -> None:
    # An ImportError in our code is a bug to fail on, not a reason to skip.
    ours = _our_packages()
    offenders = [
        f"{path.relative_to(ROOT)}:{line} importorskip({name!r})"
        for path in sorted(TESTS.rglob("*.py"))
        for line, name in _importorskips(path.read_text(encoding="utf-8"))
        if name == "<computed>" or name.split(".")[0] in ours
    ]
    assert not offenders


def test_every_registered_marker_is_used() -> None:
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    names = [m.split(":")[0].strip() for m in markers]
    source = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py"))
    unused = [name for name in names if not re.search(rf"\bmark\.{name}\b", source)]
    assert not unused
