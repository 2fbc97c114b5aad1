"""Ingest benchmark: marketplace events over HTTP into SQLite and PostgreSQL.

The events come from the demo generator with 10% duplicates and 5% out of order. They are sent in
batches of ``--batch`` events to ``POST /api/v1/events`` of a uvicorn server on loopback
(``--workers`` processes), one request after another from each of ``--clients`` concurrent
senders; when the last reply arrives every seller's metrics are current (intake updates the
counters in the request's transaction), which the script checks against the reference.

Baseline, measured in the same run on a fresh database of the same store: a plain bulk INSERT of
the same events' stored rows (no validation, dedupe, order state or counters, no HTTP).

The detectors' hooks (listing and review screening, linked accounts) are not part of intake: it
enqueues them as one job after commit, and the job worker runs them. The server here has an
in-memory job store and no worker, so the jobs are enqueued but not run while intake is measured.

    .venv/bin/python bench/bench_ingest.py --events 200000 --store sqlite --store postgresql
    .venv/bin/python bench/bench_ingest.py --events 50000 --workers 2 --clients 2
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import islice
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import insert

from goodstanding.demo.generator import GeneratorOptions, generate_events
from goodstanding.events.schemas import fingerprint, parse_event, to_stored
from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.db import Base, Database
from goodstanding.metrics import reference
from goodstanding.metrics.definitions import DEFAULT_CONFIG
from goodstanding.metrics.online import metric_rows
from goodstanding.models import load_all_models
from goodstanding.models.stored_event import StoredEventRow

AS_OF = date(2024, 6, 30)
POSTGRES_SERVER = os.environ.get("GOODSTANDING_TEST_POSTGRES", "postgresql://127.0.0.1:5432")


def make_events(count: int) -> list[dict[str, object]]:
    # ~5 events per order; 60 days of 300 sellers, volume scaled to give ``count`` events.
    options = GeneratorOptions(
        seed=11,
        as_of=AS_OF,
        days=60,
        sellers=300,
        buyers=20_000,
        orders_per_seller_per_day=max(count / (300 * 60 * 4.6), 0.2),
        duplicate_share=0.10,
        out_of_order_share=0.05,
    )
    return list(islice(generate_events(options), count))


def fresh_database(store: str, name: str, workdir: Path) -> str:
    if store == "sqlite":
        url = f"sqlite:///{workdir / name}.db"
    else:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", user="postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@{POSTGRES_SERVER.split('://', 1)[1]}/{name}"
    database = Database(url)
    Base.metadata.create_all(database.engine)
    database.dispose()
    return url


def baseline(url: str, events: list[dict[str, object]], batch: int) -> float:
    """Seconds to bulk INSERT the events' stored rows, batch by batch, one transaction each."""
    rows = []
    seen = set()
    for raw in events:
        event = parse_event(raw)
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        stored = to_stored(event)
        rows.append(
            {
                "event_id": stored.event_id,
                "type": stored.type,
                "occurred_at": stored.occurred_at,
                "fingerprint": fingerprint(event),
                "data": stored.data,
            }
        )
    database = Database(url)
    start = time.perf_counter()
    for offset in range(0, len(rows), batch):
        with database.transaction() as db:
            db.execute(insert(StoredEventRow), rows[offset : offset + batch])
    elapsed = time.perf_counter() - start
    database.dispose()
    return elapsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pids: list[int]) -> list[float]:
    """User plus system CPU time each process has used so far."""
    used = []
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        used.append(ticks / os.sysconf("SC_CLK_TCK"))
    return used


def server_processes(pid: int) -> list[int]:
    """The server and, with several uvicorn workers, its worker processes."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


def over_http(
    url: str, bodies: list[bytes], workdir: Path, workers: int, clients: int
) -> tuple[float, list[float], float, int, int]:
    """(seconds, CPU seconds of each server process, server peak RSS MiB summed over its
    processes, accepted, duplicate) for sending every body, from ``clients`` concurrent senders
    that take the next body in turn. The CPU of each process shows whether the clients' batches
    were spread over the workers."""
    database = Database(url)
    with database.transaction() as db:
        key = api_keys.issue(db, name="bench", scopes=[Scope.events_write]).plaintext
    database.dispose()
    port = free_port()
    env = {
        **os.environ,
        "GOODSTANDING_DATABASE_URL": url,
        "GOODSTANDING_JOB_STORE": "memory",
        "GOODSTANDING_LOG_LEVEL": "warning",
        "GOODSTANDING_JOB_SQLITE_PATH": str(workdir / "jobs.db"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "goodstanding.app:create_app", "--factory",
         "--port", str(port), "--log-level", "warning", "--no-access-log",
         "--loop", "uvloop", "--http", "httptools", "--workers", str(workers)],
        env=env,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    pending = iter(bodies)
    lock = threading.Lock()

    def send_in_turn() -> tuple[int, int]:
        accepted = duplicate = 0
        with httpx.Client(base_url=base_url, timeout=300) as client:
            while True:
                with lock:
                    body = next(pending, None)
                if body is None:
                    return accepted, duplicate
                reply = client.post("/api/v1/events", content=body, headers=headers)
                reply.raise_for_status()
                accepted += reply.json()["accepted"]
                duplicate += reply.json()["duplicate"]

    try:
        with httpx.Client(base_url=base_url, timeout=300) as client:
            for _ in range(150):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
        if workers > 1:
            time.sleep(5)  # /healthz answered from one worker; let the others finish starting
        cpu_before = cpu_seconds(server_processes(server.pid))
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as senders:
            counts = list(senders.map(lambda _: send_in_turn(), range(clients)))
        elapsed = time.perf_counter() - start
        cpu_after = cpu_seconds(server_processes(server.pid))
        server_cpu = [after - before for after, before in zip(cpu_after, cpu_before, strict=True)]
        accepted = sum(count[0] for count in counts)
        duplicate = sum(count[1] for count in counts)
        peak = sum(peak_rss_mib(pid) for pid in server_processes(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return elapsed, server_cpu, peak, accepted, duplicate


def check_current(url: str, events: list[dict[str, object]]) -> bool:
    """Right after the last reply, the online metrics equal the reference over every event."""
    database = Database(url)
    with database.transaction() as db:
        online = metric_rows(db, AS_OF, DEFAULT_CONFIG)
    database.dispose()
    expected = reference.compute_metrics(
        (parse_event(raw) for raw in events), AS_OF, DEFAULT_CONFIG
    )
    return online == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=1, help="concurrent senders")
    parser.add_argument("--store", action="append", choices=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    load_all_models()
    events = make_events(arguments.events)
    bodies = [
        json.dumps(events[offset : offset + arguments.batch]).encode()
        for offset in range(0, len(events), arguments.batch)
    ]
    print(
        f"{len(events)} events in {len(bodies)} requests of up to {arguments.batch}; "
        f"{arguments.workers} server worker(s), {arguments.clients} concurrent client(s)"
    )
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        for store in arguments.store or ["sqlite"]:
            base_seconds = baseline(
                fresh_database(store, "gs_bench_baseline", workdir), events, arguments.batch
            )
            url = fresh_database(store, "gs_bench_ingest", workdir)
            client_cpu = time.process_time()
            seconds, server_cpu, peak, accepted, duplicate = over_http(
                url, bodies, workdir, arguments.workers, arguments.clients
            )
            client_cpu = time.process_time() - client_cpu
            current = check_current(url, events)
            rate = len(events) / seconds
            base_rate = len(events) / base_seconds
            print(
                f"{store}: {rate:,.0f} events/s over HTTP ({seconds:.1f} s; accepted {accepted}, "
                f"duplicate {duplicate}); baseline bulk INSERT {base_rate:,.0f} events/s "
                f"({base_seconds:.1f} s); ratio {rate / base_rate:.2f}; CPU per event: server "
                f"{sum(server_cpu) / len(events) * 1e6:.0f} us, client "
                f"{client_cpu / len(events) * 1e6:.0f} us; CPU seconds per server process "
                f"{', '.join(f'{used:.1f}' for used in server_cpu)}; server peak RSS "
                f"{peak:.0f} MiB; metrics current after last reply: {current}"
            )


if __name__ == "__main__":
    main()
