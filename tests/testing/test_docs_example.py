"""The complete example of docs/testing.md runs and passes as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def example_files() -> dict[str, str]:
    """The files of the example: each Python block that follows its file name."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## A complete example")
    end = text.index("\n## ", start + 1)
    found = re.findall(
        r"`([\w/]+\.py)`[^`]*?```python\n(.*?)```", text[start:end], re.S
    )
    return dict(found)


def test_the_complete_example_passes(pytester: pytest.Pytester) -> None:
    files = example_files()
    assert set(files) == {
        "myapp/cloudflare_admin.py",
        "tests/conftest.py",
        "tests/test_cloudflare_admin.py",
    }
    for name, code in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
    (pytester.path / "myapp" / "__init__.py").write_text("")
    pytester.makeini(
        """
        [pytest]
        asyncio_default_fixture_loop_scope = function
        asyncio_default_test_loop_scope = function
        filterwarnings = error
        """
    )
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
