"""Turning results into a terminal table, a verdict on each target, and a plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The reference point for the ratio targets: 32 connections, or the nearest measured.
REFERENCE_CONNECTIONS = 32


def _ref_conns(results: dict[str, Any]) -> int:
    conns = results["options"]["connections"]
    return min(conns, key=lambda c: abs(c - REFERENCE_CONNECTIONS))


def _case(run: dict[str, Any], name: str, conns: int) -> dict[str, Any] | None:
    for c in run["cases"]:
        if c["case"] == name and c.get("connections") == conns:
            return c
    return None


def _skip_note(run: dict[str, Any], name: str) -> str | None:
    for c in run["cases"]:
        if c["case"] == name and "skipped" in c:
            return str(c["skipped"])
    return None


def _relative(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Throughput of measurement ``b`` relative to ``a``. When both were paired with
    a baseline measured just before them, their ratios are compared, so that the
    machine drifting between the two measurements cancels out."""
    if a.get("baseline") and b.get("baseline") and a.get("ratio") and b.get("ratio"):
        return float(b["ratio"]) / float(a["ratio"])
    return float(b["rps"]) / float(a["rps"])


def _paired_rps(case: dict[str, Any]) -> str:
    """The baseline measured just before this case (what its ratios compare with)."""
    paired = case.get("baseline")
    return f"{paired['rps']:.0f}" if paired else "-"


def table(results: dict[str, Any]) -> str:
    lines = []
    base = results["baseline"]["by_connections"]
    lines.append("baseline (bare ASGI app, same uvicorn):")
    for conns, m in base.items():
        lines.append(
            f"  c={conns:<4} {m['rps']:>9.0f} req/s  p50 {m['p50_ms']:>7.2f} ms  "
            f"p99 {m['p99_ms']:>7.2f} ms"
        )
    for run in results["runs"]:
        load = run["load"]
        lines.append("")
        lines.append(
            f"{run['backend']} {run['size']:,} accounts, {run['workers']} worker(s): "
            f"load {load.get('seconds', 0):.1f}s "
            f"({load.get('accounts_per_second', 0):,} accounts/s), "
            f"start-up {run['startup_seconds']:.3f}s, peak RSS {run['rss_peak_mb']} MB"
        )
        lines.append(
            f"  {'case':<16}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'base/s':>9}{'vs base':>9}{'p99 x':>7}{'cpu us':>8}{'cpu vs':>8}"
            f"{'errors':>8}"
        )
        for c in run["cases"]:
            if "skipped" in c:
                lines.append(f"  {c['case']:<16} skipped: {c['skipped']}")
                continue
            ratio = f"{c['ratio']:.0%}" if "ratio" in c else "-"
            p99x = f"{c['p99_ratio']:.1f}" if "p99_ratio" in c else "-"
            lines.append(
                f"  {c['case']:<16}{c['connections']:>6}{c['rps']:>10.0f}"
                f"{c['p50_ms']:>9.2f}{c['p99_ms']:>9.2f}{_paired_rps(c):>9}"
                f"{ratio:>9}{p99x:>7}"
                f"{c.get('cpu_us_per_request') or 0:>8.0f}"
                f"{(f'{cr:.0%}' if (cr := c.get('cpu_ratio')) else '-'):>8}"
                f"{c['errors']:>8}"
            )
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met (None: not
    measured in this run)."""
    conns = _ref_conns(results)
    runs = [r for r in results["runs"] if r["workers"] == 1]
    sqlite = [r for r in runs if r["backend"] == "sqlite"]
    pg = [r for r in runs if r["backend"] == "postgresql"]
    out: list[dict[str, Any]] = []

    def worst_ratio(rs: list[dict[str, Any]], case: str) -> tuple[float, int] | None:
        vals = [
            (m["ratio"], r["size"])
            for r in rs
            if (m := _case(r, case, conns)) is not None and "ratio" in m
        ]
        return min(vals) if vals else None

    def add(name: str, goal: str, value: Any, met: bool | None, note: str = "") -> None:
        out.append(
            {"target": name, "goal": goal, "value": value, "met": met, "note": note}
        )

    for case, goal, label, rs in (
        ("details_token", 0.50, "Account Details, token", sqlite),
        ("details_key", 0.45, "Account Details, global key", sqlite),
        ("accounts_list", 0.20, "List Accounts per_page 50", sqlite),
        ("token_verify", 0.50, "Verify Token", sqlite),
        ("details_token", 0.35, "PostgreSQL Account Details, token", pg),
    ):
        w = worst_ratio(rs, case)
        if w is None:
            note = next((n for r in rs if (n := _skip_note(r, case))), "not measured")
            add(label, f">= {goal:.0%} of baseline (c={conns})", None, None, note)
        else:
            cpu = [
                m["cpu_ratio"]
                for r in rs
                if (m := _case(r, case, conns)) is not None and m.get("cpu_ratio")
            ]
            add(
                label,
                f">= {goal:.0%} of baseline (c={conns})",
                f"{w[0]:.0%} (worst size: {w[1]:,})"
                + (f"; by CPU per request {min(cpu):.0%}" if cpu else ""),
                w[0] >= goal,
            )
    p99 = [
        (m["p99_ratio"], r["size"])
        for r in sqlite
        if (m := _case(r, "details_token", 32)) is not None and "p99_ratio" in m
    ]
    if p99:
        v, size = max(p99)
        add(
            "Account Details p99 at c=32",
            "<= 3x baseline p99",
            f"{v:.1f}x ({size:,})",
            v <= 3,
        )
    else:
        add(
            "Account Details p99 at c=32",
            "<= 3x baseline p99",
            None,
            None,
            "c=32 not run",
        )
    by_size = {r["size"]: r for r in sqlite}
    small, large = min(by_size, default=0), max(by_size, default=0)
    if small and large and large >= 1_000_000 and small <= 1000:
        a = _case(by_size[small], "details_token", conns)
        b = _case(by_size[large], "details_token", conns)
        if a and b:
            v = _relative(a, b)
            add(
                "Throughput 1M vs 1k (details, token)",
                ">= 90%",
                f"{v:.0%} (raw req/s {b['rps'] / a['rps']:.0%})",
                v >= 0.9,
            )
    else:
        add("Throughput 1M vs 1k (details, token)", ">= 90%", None, None, "1M not run")
    if large >= 1_000_000:
        r = by_size[large]
        add(
            "Server peak RSS at 1M",
            "<= 150 MB",
            f"{r['rss_peak_mb']} MB",
            r["rss_peak_mb"] <= 150,
        )
        add(
            "Start-up to healthy at 1M",
            "<= 1 s",
            f"{r['startup_seconds']:.3f} s",
            r["startup_seconds"] <= 1.0,
        )
    else:
        add("Server peak RSS at 1M", "<= 150 MB", None, None, "1M not run")
        add("Start-up to healthy at 1M", "<= 1 s", None, None, "1M not run")
    # The load target is SQLite's, like every target not said to be PostgreSQL's;
    # PostgreSQL's load speed is reported beside it.
    for backend, rs, floor in (("SQLite", sqlite, 50_000), ("PostgreSQL", pg, None)):
        if rs:
            r = max(rs, key=lambda r: r["size"])
            v = r["load"]["accounts_per_second"]
            add(
                f"Bulk seed load, {backend}",
                f">= {floor // 1000}k accounts/s" if floor else "report",
                f"{v:,}/s ({r['size']:,})",
                v >= floor if floor else None,
            )
    scaled = [r for r in results["runs"] if r["workers"] > 1]
    for r in scaled:
        one = next(
            (
                x
                for x in runs
                if x["backend"] == r["backend"] and x["size"] == r["size"]
            ),
            None,
        )
        for case in ("details_token", "token_verify"):
            a = _case(one, case, conns) if one else None
            b = _case(r, case, conns)
            if a and b:
                add(
                    f"Scaling {r['workers']} workers, {case} "
                    f"({r['backend']} {r['size']:,})",
                    "report",
                    f"{_relative(a, b):.2f}x (raw req/s {b['rps'] / a['rps']:.2f}x)",
                    None,
                )
    return out


def verdicts(items: list[dict[str, Any]]) -> str:
    lines = ["targets:"]
    for t in items:
        mark = {True: "met", False: "NOT MET", None: "-"}[t["met"]]
        value = t["value"] if t["value"] is not None else t["note"]
        lines.append(f"  {mark:<8}{t['target']:<48}{t['goal']:<28}{value}")
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> Path | None:
    """Throughput and p99 against data size, one line per case and backend, at the
    reference connection count. None when matplotlib is missing or there is only one
    size (nothing to draw a line through)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    conns = _ref_conns(results)
    series: dict[tuple[str, str], list[tuple[int, float, float]]] = {}
    for r in results["runs"]:
        if r["workers"] != 1:
            continue
        for c in r["cases"]:
            if c.get("connections") == conns:
                series.setdefault((r["backend"], c["case"]), []).append(
                    (r["size"], c["rps"], c["p99_ms"])
                )
    if not series:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.8))
    # A colour per case and a line style per backend: twelve lines would outrun the
    # ten colours of the default cycle and give two series the same look.
    cases = sorted({case for _, case in series})
    colour = {case: f"C{i % 10}" for i, case in enumerate(cases)}
    for (backend, case), pts in sorted(series.items()):
        pts.sort()
        xs = [p[0] for p in pts]
        look = {
            "color": colour[case],
            "linestyle": "-" if backend == "sqlite" else "--",
            "marker": "o" if backend == "sqlite" else "s",
            "label": f"{case} ({backend})",
        }
        ax1.plot(xs, [p[1] for p in pts], **look)
        ax2.plot(xs, [p[2] for p in pts], **look)
    base = results["baseline"]["by_connections"].get(str(conns))
    if base:
        ax1.axhline(base["rps"], color="grey", linestyle=":", label="baseline")
        ax2.axhline(base["p99_ms"], color="grey", linestyle=":", label="baseline")
    for ax, title, unit in (
        (ax1, "throughput", "requests/s"),
        (ax2, "p99 latency", "ms"),
    ):
        ax.set_xscale("log")
        if ax is ax2:
            ax.set_yscale("log")  # p99s span orders of magnitude
        ax.set_xlabel("accounts in the database")
        ax.set_ylabel(unit)
        ax.set_title(f"{title}, {conns} connections")
        ax.grid(True, alpha=0.3)
    handles, labels = ax1.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables (for docs/benchmarks.md)."""
    out = [
        "| case | size | backend | workers | conns | req/s | p50 ms | p99 ms "
        "| baseline req/s | vs baseline | p99 x | CPU us/req | CPU vs baseline |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for conns, m in results["baseline"]["by_connections"].items():
        out.append(
            f"| baseline | - | - | 1 | {conns} | {m['rps']:.0f} | {m['p50_ms']:.2f} "
            f"| {m['p99_ms']:.2f} | {m['rps']:.0f} | 100% | 1.0 "
            f"| {m.get('cpu_us_per_request') or '-'} | 100% |"
        )
    for r in results["runs"]:
        for c in r["cases"]:
            if "skipped" in c:
                out.append(
                    f"| {c['case']} | {r['size']:,} | {r['backend']} | {r['workers']} "
                    f"| - | skipped: {c['skipped']} | | | | | | | |"
                )
                continue
            ratio = f"{c['ratio']:.0%}" if "ratio" in c else "-"
            p99x = f"{c['p99_ratio']:.1f}" if "p99_ratio" in c else "-"
            out.append(
                f"| {c['case']} | {r['size']:,} | {r['backend']} | {r['workers']} "
                f"| {c['connections']} | {c['rps']:.0f} | {c['p50_ms']:.2f} "
                f"| {c['p99_ms']:.2f} | {_paired_rps(c)} | {ratio} | {p99x} "
                f"| {c.get('cpu_us_per_request') or '-'} "
                f"| {f'{cr:.0%}' if (cr := c.get('cpu_ratio')) else '-'} |"
            )
    out += [
        "",
        "| backend | size | workers | load s | accounts/s | start-up s | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        load = r["load"]
        out.append(
            f"| {r['backend']} | {r['size']:,} | {r['workers']} "
            f"| {load.get('seconds', 0):.1f} | {load.get('accounts_per_second', 0):,} "
            f"| {r['startup_seconds']:.3f} | {r['rss_peak_mb']} |"
        )
    return "\n".join(out)


if __name__ == "__main__":  # python -m bench.report RESULTS.json: Markdown tables
    import sys

    import orjson

    for name in sys.argv[1:]:
        print(markdown(orjson.loads(Path(name).read_bytes())))
        print()
