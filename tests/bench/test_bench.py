"""The benchmark harness cannot rot: its generated data authenticates through the real
credential checks, and ``python -m bench --quick`` runs end to end (when wrk is
installed) and writes its JSON results."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bench.cases import CASES, sample

from bench import data as d
from cfaccounts import Settings
from cfaccounts.accounts.routes import ACCOUNT_DETAILS_GROUPS
from cfaccounts.catalog import groups
from cfaccounts.server import build_app

ROOT = Path(__file__).resolve().parents[2]
DETAILS_GROUPS = groups(*ACCOUNT_DETAILS_GROUPS)


def test_generated_credentials_pass_the_real_checks(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    dataset = d.Dataset(1000)
    db = d.prepare(url)
    result = d.load(db, dataset, progress=False)
    db.dispose()
    assert result.accounts == 1000
    assert result.rows > 1000 * 8  # users, accounts, groups, 3 members, 2 tokens
    # The loader places b-tree pages itself: SQLite's own check must find the file
    # sound, every index agreeing with its table.
    import sqlite3

    with sqlite3.connect(tmp_path / "bench.sqlite3") as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    app = build_app(Settings.from_env(env={}, database_url=url, log_level="warning"))
    try:
        services = app.services
        for i in sample(dataset, 5):
            principal = services.authenticator.authenticate(
                {"authorization": f"Bearer {dataset.user_token(i)}"}, "127.0.0.1"
            )
            decision = services.authorizer.on_account(
                principal, dataset.account_id(i), DETAILS_GROUPS
            )
            assert decision.allowed, decision.describe()
            key = services.authenticator.authenticate(
                {"x-auth-email": dataset.email(i), "x-auth-key": dataset.api_key(i)},
                "127.0.0.1",
            )
            assert key.user_id == dataset.user_id(i)
    finally:
        services.authenticator.usage.close()
        services.db.dispose()


def test_every_case_builds_requests() -> None:
    dataset = d.Dataset(1000)
    picked = sample(dataset, 10)
    for case in CASES:
        reqs = case.build(dataset, picked)
        assert reqs and all(r.path.startswith("/client/v4/") for r in reqs)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_quick_run_writes_results(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--seconds",
            "1",
            "--cases",
            "details_token,token_verify",
            "--no-plot",
            "--no-progress",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "latest.json").read_text())
    (run,) = results["runs"]
    measured = {c["case"] for c in run["cases"] if "rps" in c}
    assert measured == {"details_token", "token_verify"}
    assert all(c["errors"] == 0 for c in run["cases"] if "rps" in c)
    assert results["baseline"]["by_connections"]["32"]["rps"] > 0
    # Each case is compared with a baseline measured just before it.
    for case in run["cases"]:
        paired = case["baseline"]
        assert paired["rps"] > 0
        assert case["ratio"] == round(case["rps"] / paired["rps"], 3)
    assert any(t["target"].startswith("Account Details") for t in results["targets"])


def test_rounds_combine_into_medians_of_each_rounds_ratio() -> None:
    from bench.run import combine

    def m(rps: float, p99: float, cpu: float) -> dict[str, float]:
        return {
            "connections": 32,
            "seconds": 3.0,
            "requests": int(rps * 3),
            "rps": rps,
            "p50_ms": 1.0,
            "p99_ms": p99,
            "mean_ms": 1.0,
            "max_ms": p99 * 2,
            "errors": 0,
            "cpu_us_per_request": cpu,
        }

    # The machine slowed down in the second round, for both sides alike.
    rounds = [
        (m(5000, 10, 100), m(10000, 4, 50)),
        (m(2000, 30, 110), m(4000, 12, 55)),
        (m(6000, 8, 90), m(10000, 4, 50)),
    ]
    out = combine(rounds)  # type: ignore[arg-type]
    assert out["rps"] == 5000
    assert out["ratio"] == 0.5  # the median of 0.5, 0.5 and 0.6
    assert out["p99_ratio"] == 2.5  # of 2.5, 2.5 and 2.0
    assert out["cpu_ratio"] == 0.5
    assert out["baseline"]["rps"] == 10000
    assert out["requests"] == 39000
    assert [r["baseline_rps"] for r in out["rounds"]] == [10000, 4000, 10000]


def test_the_load_target_is_sqlites_and_postgresqls_speed_is_reported() -> None:
    from bench.report import targets

    def run(backend: str, per_second: int) -> dict[str, object]:
        return {
            "backend": backend,
            "size": 1000,
            "workers": 1,
            "cases": [],
            "load": {"accounts_per_second": per_second, "seconds": 1.0},
        }

    results = {
        "options": {"connections": [32]},
        "runs": [run("sqlite", 40_000), run("postgresql", 20_000)],
    }
    loads = {t["target"]: t for t in targets(results) if t["target"].startswith("Bulk")}
    assert loads["Bulk seed load, SQLite"]["met"] is False
    assert loads["Bulk seed load, PostgreSQL"]["goal"] == "report"
    assert loads["Bulk seed load, PostgreSQL"]["met"] is None
    assert loads["Bulk seed load, PostgreSQL"]["value"] == "20,000/s (1,000)"


def test_the_plot_gives_each_case_its_own_colour_and_each_backend_its_own_line(
    tmp_path: Path,
) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from bench import report

    names = [c.name for c in CASES]
    runs = [
        {
            "backend": backend,
            "size": size,
            "workers": 1,
            "cases": [
                {"case": name, "connections": 32, "rps": 1000.0 + i, "p99_ms": 2.0}
                for i, name in enumerate(names)
            ],
        }
        for backend in ("sqlite", "postgresql")
        for size in (1000, 100_000)
    ]
    results = {
        "options": {"connections": [32]},
        "runs": runs,
        "baseline": {"by_connections": {"32": {"rps": 3000.0, "p99_ms": 1.0}}},
    }
    drawn: list[tuple[str, str, str]] = []
    real_plot = plt.Axes.plot

    def spy(ax: object, *args: object, **kw: object) -> object:
        drawn.append((str(kw["label"]), str(kw["color"]), str(kw["linestyle"])))
        return real_plot(ax, *args, **kw)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plt.Axes, "plot", spy)
        out = report.plot(results, tmp_path / "plot.png")
    assert out is not None and out.read_bytes().startswith(b"\x89PNG")
    lines = dict(((label, (colour, style)) for label, colour, style in drawn))
    assert len(lines) == 2 * len(names)
    for name in names:
        sqlite, pg = lines[f"{name} (sqlite)"], lines[f"{name} (postgresql)"]
        assert sqlite[0] == pg[0] and sqlite[1] != pg[1]
    assert len({colour for colour, _ in lines.values()}) == len(names)
