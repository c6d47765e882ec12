"""Write the README's error table from the error catalogue (cfaccounts.errors).

Run from the repository root: ``python scripts/gen_error_table.py``. A test fails when
the README's table is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cfaccounts.errors import catalogue

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- error-table:start -->"
END = "<!-- error-table:end -->"


def table() -> str:
    rows = [
        "| status | code | message | name in `errors.py` | origin |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, spec in sorted(catalogue(), key=lambda e: (e[1].status, e[1].code, e[0])):
        origin = "real API" if spec.cloudflare else "cfaccounts"
        message = spec.message.replace("|", "\\|")
        cells = (str(spec.status), str(spec.code), message, f"`{name}`", origin)
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    text = README.read_text()
    new = render(text)
    if "--check" in sys.argv:
        return 0 if new == text else 1
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
