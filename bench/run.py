"""The benchmark run: for each backend and data size, build the database, start the
server, drive every case with wrk at each connection count, and collect the figures."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import cases as c
from . import data as d
from . import servers, wrk

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "cfaccounts_bench"
# Each case is driven this long, unmeasured, before its rounds.
WARM_UP_SECONDS = 1.0


@dataclass
class Options:
    sizes: list[int]
    connections: list[int]
    seconds: float
    backends: list[str]
    cases: list[str]
    workers: list[int]
    sample: int
    out: Path
    rounds: int = 1
    keep_data: bool = False
    progress: bool = True
    quick: bool = False


@dataclass
class Run:
    backend: str
    size: int
    workers: int = 1
    load: dict[str, Any] = field(default_factory=dict)
    startup_seconds: float = 0.0
    startup_cpu_seconds: float = 0.0
    rss_peak_bytes: int = 0
    cases: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "size": self.size,
            "workers": self.workers,
            "load": self.load,
            "startup_seconds": round(self.startup_seconds, 3),
            "startup_cpu_seconds": round(self.startup_cpu_seconds, 3),
            "rss_peak_bytes": self.rss_peak_bytes,
            "rss_peak_mb": round(self.rss_peak_bytes / 2**20, 1),
            "cases": self.cases,
            "notes": self.notes,
        }


def say(text: str) -> None:
    print(text, flush=True)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def postgresql_reachable() -> str | None:
    """None if the bench can use PostgreSQL, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2
        ):
            return None
    except Exception as exc:
        return f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc.__class__.__name__})"


@contextlib.contextmanager
def database(backend: str, size: int, workdir: Path, keep: bool) -> Iterator[str]:
    """A fresh, empty database for one data size; removed afterwards."""
    if backend == "sqlite":
        path = workdir / f"bench-{size}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}"
        finally:
            if not keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    def admin(sql: str) -> None:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True
        ) as conn:
            conn.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
    admin(f"CREATE DATABASE {PG_BENCH_DB}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    finally:
        if not keep:
            admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


class Bench:
    def __init__(self, options: Options, wrk_path: str) -> None:
        self.o = options
        self.wrk = wrk_path
        self.workdir = options.out / "work"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.baseline: dict[str, dict[str, Any]] = {}
        self.base_server: servers.Server | None = None
        self.base_reqs: list[wrk.Req] = []
        self.runs: list[Run] = []
        self.skipped: list[str] = []

    # -- one measurement --------------------------------------------------------------
    def _measure(
        self,
        server: servers.Server,
        reqs: list[wrk.Req],
        conns: int,
        name: str,
        threads: int = 1,
    ) -> dict[str, Any]:
        url = server.url
        load_before = os.getloadavg()[0]
        cpu_before = server.cpu_seconds()
        result = wrk.run(
            self.wrk,
            url,
            reqs,
            connections=conns,
            seconds=self.o.seconds,
            workdir=self.workdir,
            name=name,
            threads=threads,
        )
        cpu = server.cpu_seconds() - cpu_before
        out = result.as_dict()
        out["loadavg_before"] = round(load_before, 2)
        # The server's CPU per request: what one idle core would give is about
        # 1 / this, whatever else the machine was doing during the run.
        out["cpu_us_per_request"] = (
            round(cpu / result.requests * 1e6, 1) if result.requests else None
        )
        return out

    # -- baseline ---------------------------------------------------------------------
    def measure_baseline(
        self, server: servers.Server, sample_reqs: list[wrk.Req]
    ) -> None:
        """Start the baseline (once per run) replaying the Account Details answer
        ``server`` gives, and measure it at every connection count. It keeps running
        for the rest of the run: every case is paired with a fresh baseline
        measurement (``paired``)."""
        if self.base_server is not None:
            return
        status, body, headers = c.probe(server.port, sample_reqs[0])
        if status != 200:
            raise RuntimeError(
                f"Account Details probe answered {status}: {body[:300]!r}"
            )
        ray = dict(headers).get("cf-ray", "0-SJC")
        capture = {
            "status": status,
            "body": body.decode(),
            "headers": [(k, v) for k, v in headers if k not in ("date",)],
            "colo": ray.rsplit("-", 1)[-1],
        }
        path = self.workdir / "baseline-response.json"
        path.write_bytes(orjson.dumps(capture))
        base = servers.baseline(path, log=self.workdir / "baseline.log").start()
        self.base_server, self.base_reqs = base, sample_reqs
        say(f"baseline: started in {base.startup_seconds:.3f}s")
        for conns in self.o.connections:
            m = self._measure(base, sample_reqs, conns, "baseline")
            self.baseline[str(conns)] = m
            say(
                f"  baseline        c={conns:<4} {m['rps']:>9.0f} req/s  "
                f"p50 {m['p50_ms']:.2f} ms  p99 {m['p99_ms']:.2f} ms"
            )
        self.baseline_rss = base.rss_peak()
        self.baseline_startup = base.startup_seconds

    def paired(self, conns: int, threads: int) -> dict[str, Any] | None:
        """The baseline measured again just before a case, at its connection count:
        the case's ratios are taken against this, so that a machine whose load
        drifts during a long run compares like with like."""
        if self.base_server is None:
            return None
        m = self._measure(self.base_server, self.base_reqs, conns, "baseline", threads)
        return {
            k: m[k] for k in ("rps", "p50_ms", "p99_ms", "cpu_us_per_request", "errors")
        }

    def close(self) -> None:
        if self.base_server is not None:
            self.base_server.stop()
            self.base_server = None

    # -- cfaccounts -------------------------------------------------------------------
    def run_size(self, backend: str, size: int) -> None:
        dataset = d.Dataset(size)
        sample = c.sample(dataset, min(self.o.sample, size))
        with database(backend, size, self.workdir, self.o.keep_data) as url:
            run = Run(backend, size)
            db = d.prepare(url)
            say(f"[{backend} {size:,} accounts] loading ...")
            result = d.load(
                db, dataset, progress=self.o.progress, label=f"{backend} {size:,}"
            )
            db.dispose()
            run.load = {
                "seconds": round(result.seconds, 2),
                "rows": result.rows,
                "accounts_per_second": round(result.accounts_per_second),
            }
            say(
                f"  loaded {result.rows:,} rows in {result.seconds:.1f}s "
                f"({result.accounts_per_second:,.0f} accounts/s)"
            )
            for workers in self.o.workers:
                if workers != 1:
                    run = Run(backend, size, workers, load=run.load)
                self._serve_and_drive(run, url, dataset, sample, workers)
                self.runs.append(run)

    def _serve_and_drive(
        self,
        run: Run,
        url: str,
        dataset: d.Dataset,
        sample: list[int],
        workers: int,
    ) -> None:
        log = self.workdir / f"server-{run.backend}-{run.size}-w{workers}.log"
        server = servers.cfaccounts(url, workers=workers, log=log).start()
        try:
            run.startup_seconds = server.startup_seconds
            run.startup_cpu_seconds = server.startup_cpu_seconds
            say(
                f"  cfaccounts ({workers} worker{'s' if workers > 1 else ''}) healthy "
                f"in {server.startup_seconds:.3f}s "
                f"({server.startup_cpu_seconds:.2f}s of CPU)"
            )
            wanted = [x for x in c.CASES if x.name in self.o.cases]
            if workers != 1:
                # The scaling check: the two hottest reads are enough.
                wanted = [
                    x for x in wanted if x.name in ("details_token", "token_verify")
                ]
            threads = 2 if workers > 1 else 1
            for case in wanted:
                reqs = case.build(dataset, sample)
                if case.name == "details_token":
                    self.measure_baseline(server, reqs)
                status, body, _ = c.probe(server.port, reqs[0])
                why = c.unavailable(status, body)
                if why is not None:
                    run.cases.append({"case": case.name, "skipped": why})
                    say(f"  {case.name:<15} skipped: {why}")
                    continue
                for conns in self.o.connections:
                    # Not measured: a pass that touches every sampled credential
                    # and account once, so the rounds see the server as it runs
                    # (the first use of each credential reads the database).
                    self._warm_up(server, reqs, conns, case.name, threads)
                    rounds = []
                    for _ in range(self.o.rounds):
                        base = self.paired(conns, threads)
                        m = self._measure(server, reqs, conns, case.name, threads)
                        rounds.append((m, base))
                    m = combine(rounds)
                    run.cases.append({"case": case.name, **m})
                    say(
                        f"  {case.name:<15} c={conns:<4} {m['rps']:>9.0f} req/s  "
                        f"p50 {m['p50_ms']:.2f} ms  p99 {m['p99_ms']:.2f} ms"
                        + (f"  {m['ratio']:.0%} of baseline" if "ratio" in m else "")
                        + (f", CPU {m['cpu_us_per_request']:.0f} us/req")
                        + (f"  ERRORS {m['errors']}" if m["errors"] else "")
                    )
            run.rss_peak_bytes = server.rss_peak()
            say(f"  peak RSS {run.rss_peak_bytes / 2**20:.1f} MB")
        finally:
            server.stop()

    def _warm_up(
        self,
        server: servers.Server,
        reqs: list[wrk.Req],
        conns: int,
        name: str,
        threads: int,
    ) -> None:
        wrk.run(
            self.wrk,
            server.url,
            reqs,
            connections=conns,
            seconds=WARM_UP_SECONDS,
            workdir=self.workdir,
            name=f"{name}-warm-up",
            threads=threads,
        )

    def results(self) -> dict[str, Any]:
        return {
            "machine": machine(),
            "options": {
                "sizes": self.o.sizes,
                "connections": self.o.connections,
                "seconds": self.o.seconds,
                "backends": self.o.backends,
                "workers": self.o.workers,
                "sample": self.o.sample,
                "rounds": self.o.rounds,
                "quick": self.o.quick,
            },
            "baseline": {
                "by_connections": self.baseline,
                "rss_peak_bytes": getattr(self, "baseline_rss", 0),
                "startup_seconds": round(getattr(self, "baseline_startup", 0.0), 3),
            },
            "runs": [r.as_dict() for r in self.runs],
            "skipped": self.skipped,
        }


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def combine(
    rounds: list[tuple[dict[str, Any], dict[str, Any] | None]],
) -> dict[str, Any]:
    """One case's figures from its rounds, each a measurement and the baseline
    measured just before it: the median of each figure, and of each round's ratio
    to its own baseline (so that a round the machine slowed down for both sides
    still counts as what it was)."""
    cases = [m for m, _ in rounds]
    out = dict(cases[-1])
    if len(rounds) > 1:
        for key in ("rps", "p50_ms", "p99_ms", "mean_ms", "cpu_us_per_request"):
            values = [m[key] for m in cases if m.get(key) is not None]
            if values:
                out[key] = round(_median(values), 3)
        out["max_ms"] = max(m["max_ms"] for m in cases)
        out["requests"] = sum(m["requests"] for m in cases)
        out["errors"] = sum(m["errors"] for m in cases)
        out["seconds"] = round(sum(m["seconds"] for m in cases), 3)
        out["rounds"] = [
            {
                "rps": m["rps"],
                "p99_ms": m["p99_ms"],
                "baseline_rps": b["rps"] if b else None,
            }
            for m, b in rounds
        ]
    paired = [(m, b) for m, b in rounds if b]
    if not paired:
        return out
    out["baseline"] = {
        key: round(_median([b[key] for _, b in paired if b.get(key) is not None]), 3)
        for key in ("rps", "p50_ms", "p99_ms", "cpu_us_per_request")
        if any(b.get(key) is not None for _, b in paired)
    }
    out["ratio"] = round(_median([m["rps"] / b["rps"] for m, b in paired]), 3)
    out["p99_ratio"] = round(_median([m["p99_ms"] / b["p99_ms"] for m, b in paired]), 2)
    cpu = [
        b["cpu_us_per_request"] / m["cpu_us_per_request"]
        for m, b in paired
        if b.get("cpu_us_per_request") and m.get("cpu_us_per_request")
    ]
    if cpu:
        out["cpu_ratio"] = round(_median(cpu), 3)
    return out


def execute(options: Options, wrk_path: str) -> dict[str, Any]:
    bench = Bench(options, wrk_path)
    started = time.time()
    try:
        for backend in options.backends:
            for size in options.sizes:
                bench.run_size(backend, size)
    finally:
        bench.close()
    out = bench.results()
    out["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started))
    out["wall_seconds"] = round(time.time() - started, 1)
    return out
