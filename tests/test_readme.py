"""The README stays true: its error table lists every error the server can send."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "gen_error_table", ROOT / "scripts" / "gen_error_table.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_error_table_is_current() -> None:
    text = (ROOT / "README.md").read_text()
    assert _generator().render(text) == text, (
        "README error table is out of date: run python scripts/gen_error_table.py"
    )


def test_quick_start_has_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [
        line for line in section.splitlines() if line.startswith("python3 -m venv")
    ]
    assert len(commands) == 2
    assert "cfaccounts serve --demo" in commands[0]
    assert "pytest" in commands[1]
