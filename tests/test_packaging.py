"""Every data file the package reads at run time ships in the wheel: the tests run
against an installed copy, so a file missing from package-data fails in CI, but this
says which file and why before anything else does."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "cfaccounts"


def test_every_data_file_is_declared_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["cfaccounts"]
    data_files = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and p.suffix not in (".py", ".pyc")
        and "__pycache__" not in p.parts
    ]
    assert data_files
    missing = [
        f for f in data_files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)
    ]
    assert missing == [], f"add these to [tool.setuptools.package-data]: {missing}"
