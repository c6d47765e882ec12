"""``python -m bench``: measure cfaccounts against a bare ASGI baseline.

See docs/benchmarks.md for what is measured and how to read the results.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import orjson

from .cases import CASE_NAMES
from .run import Options, execute, postgresql_reachable, say
from .wrk import INSTALL_HINT, find_wrk

FULL_SIZES = [1_000, 100_000, 1_000_000]
FULL_CONNECTIONS = [1, 32, 128]


def _ints(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        mult = 1
        if part.endswith("k"):
            mult, part = 1_000, part[:-1]
        elif part.endswith("m"):
            mult, part = 1_000_000, part[:-1]
        out.append(int(float(part) * mult))
    return out


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark cfaccounts (wrk against a real server) and compare it "
        "with a bare ASGI app on the same uvicorn.",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="1k accounts, 32 connections, 3 s per case, SQLite only (for CI)",
    )
    p.add_argument("--sizes", type=_ints, help="data sizes, e.g. 1k,100k,1m")
    p.add_argument("--connections", type=_ints, help="connection counts, e.g. 1,32,128")
    p.add_argument(
        "--seconds", type=float, help="seconds per case and connection count"
    )
    p.add_argument(
        "--backends",
        help="sqlite,postgresql [default: both, PostgreSQL when reachable]",
    )
    p.add_argument(
        "--cases", help=f"comma-separated subset of: {', '.join(CASE_NAMES)}"
    )
    p.add_argument(
        "--workers",
        type=_ints,
        help="server worker counts to run, e.g. 1,2 [default: 1, and 2 in a full run]",
    )
    p.add_argument(
        "--sample",
        type=int,
        default=1000,
        help="accounts (and credentials) each case spreads over [default: 1000]",
    )
    p.add_argument(
        "--rounds",
        type=int,
        help="times each case alternates with the baseline; ratios are the median "
        "of the rounds' [default: 1 with --quick, else 3]",
    )
    p.add_argument("--out", type=Path, default=Path("bench-results"))
    p.add_argument("--keep-data", action="store_true", help="keep the databases")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--no-plot", action="store_true")
    return p.parse_args(argv)


def options(ns: argparse.Namespace) -> Options:
    quick = ns.quick
    backends = (ns.backends or ("sqlite" if quick else "sqlite,postgresql")).split(",")
    backends = [b.strip() for b in backends if b.strip()]
    for b in backends:
        if b not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown backend {b!r}")
    cases = (ns.cases or ",".join(CASE_NAMES)).split(",")
    for name in cases:
        if name not in CASE_NAMES:
            raise SystemExit(f"unknown case {name!r}; known: {', '.join(CASE_NAMES)}")
    return Options(
        sizes=ns.sizes or ([1_000] if quick else FULL_SIZES),
        connections=ns.connections or ([32] if quick else FULL_CONNECTIONS),
        seconds=ns.seconds or (3.0 if quick else 5.0),
        backends=backends,
        cases=cases,
        workers=ns.workers or ([1] if quick else [1, 2]),
        sample=ns.sample,
        rounds=max(1, ns.rounds or (1 if quick else 3)),
        out=ns.out,
        keep_data=ns.keep_data,
        progress=not ns.no_progress and sys.stderr.isatty(),
        quick=quick,
    )


def main(argv: list[str] | None = None) -> int:
    ns = parse(argv)
    opts = options(ns)
    wrk_path = find_wrk()
    if wrk_path is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    for module in ("uvloop", "httptools"):
        if importlib.util.find_spec(module) is None:
            print(
                f"{module} is not installed; cfaccounts and the baseline must run on "
                "uvloop and httptools (pip install 'uvicorn[standard]')",
                file=sys.stderr,
            )
            return 2
    if "postgresql" in opts.backends:
        why = postgresql_reachable()
        if why is not None:
            say(f"PostgreSQL skipped: {why}")
            opts.backends.remove("postgresql")
    if not opts.backends:
        print("no backend to measure", file=sys.stderr)
        return 2
    from . import report

    opts.out.mkdir(parents=True, exist_ok=True)
    results = execute(opts, wrk_path)
    verdict = report.targets(results)
    results["targets"] = verdict
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kind = "quick" if opts.quick else "run"
    path = opts.out / f"{kind}-{stamp}.json"
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    (opts.out / "latest.json").write_bytes(
        orjson.dumps(results, option=orjson.OPT_INDENT_2)
    )
    say("")
    say(report.table(results))
    say("")
    say(report.verdicts(verdict))
    say(f"\nresults: {path}")
    if not ns.no_plot:
        png = report.plot(results, opts.out / f"{kind}-{stamp}.png")
        if png is not None:
            say(f"plot:    {png}")
        else:
            say("plot:    skipped (install the bench extra for matplotlib)")
    failed = [c for r in results["runs"] for c in r["cases"] if c.get("errors")]
    if failed:
        say(f"{len(failed)} measurement(s) saw errors or non-2xx answers")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
