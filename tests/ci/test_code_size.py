"""The size rule: files a newcomer can read in one sitting, functions that fit on a screen or two."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("agent", "tools", "generator", "bots", "prompts")
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 450
LONG = "# long:"  # on a def line or the line above it: why this function may be longer
LONG_MODULE = "# long module:"  # within a module's first ten lines: why it may be longer


def _modules() -> list[Path]:
    return sorted(p for room in ROOMS for p in (ROOT / room).rglob("*.py"))


def _excused(lines: list[str], lineno: int) -> bool:
    nearby = lines[max(lineno - 2, 0) : lineno]
    return any(LONG in line for line in nearby)


def long_functions(source: str) -> list[tuple[int, str, int]]:
    """(line, name, length) of every function over the limit without a `# long:` reason beside it."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - start + 1
            if length > MAX_FUNCTION_LINES and not _excused(lines, node.lineno):
                found.append((node.lineno, node.name, length))
    return found


def test_no_function_over_the_limit_without_a_reason() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name}() has {length} lines"
        for path in _modules()
        for line, name, length in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"over {MAX_FUNCTION_LINES} lines (split it, or say why with '{LONG}'):\n" + "\n".join(
        offenders
    )


def test_no_module_over_the_limit_without_a_reason() -> None:
    offenders = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_MODULE_LINES and not any(LONG_MODULE in line for line in lines[:10]):
            offenders.append(f"{path.relative_to(ROOT)} has {len(lines)} lines")
    assert not offenders, f"over {MAX_MODULE_LINES} lines (split it by meaning, or say why with '{LONG_MODULE}'):\n" + (
        "\n".join(offenders)
    )


def test_the_rule_sees_a_long_function_and_its_reason() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def f():\n{body}\n") == [(1, "f", MAX_FUNCTION_LINES + 1)]
    assert long_functions(f"# long: a table read top to bottom\ndef f():\n{body}\n") == []
