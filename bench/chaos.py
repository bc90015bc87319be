"""Crash and concurrency test of the service's writes: is every acknowledged create still there?

Runs the real server (`newsbrief serve`, one process) on SQLite and on PostgreSQL and, on each:

- **kill test**: client threads post new articles (`POST /api/v1/articles {"text"}`) without pause while the
  server is SIGKILLed and restarted ``--cycles`` times; afterwards every create that got a 201/200 must be in
  the database (lost 0), no story twice (duplicated 0), and no request may have got a 500;
- **freeze probe**: the moment a 201 arrives the server is frozen (SIGSTOP) and another connection looks for
  the row: a create must be committed before its response leaves (invisible 0);
- **load**: ``--clients`` concurrent clients posting at once (SQLite's "database is locked" showed here).

    python -m bench.chaos [--cycles 18] [--probes 200] [--clients 16] [--pg postgresql+psycopg://...]

PostgreSQL runs when ``--pg`` or NEWSBRIEF_TEST_PG_URL names a server (a database is made and dropped).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text

from newsbrief.storage.database import open_database

WRITE_KEY = "chaos-test-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`newsbrief serve` in a child process that can be killed, frozen and restarted on the same port."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        env = {
            **os.environ,
            "NEWSBRIEF_DATABASE_URL": self.database_url,
            "NEWSBRIEF_API_KEYS": WRITE_KEY,
            "NEWSBRIEF_FEED_SCHEDULER": "false",
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsbrief", "serve", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_server(database_url: str, folder: Path) -> Iterator[Server]:
    server = Server(database_url, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def new_story() -> tuple[str, dict[str, str]]:
    """A create request for a story nobody posted before, and the marker word that finds it."""
    marker = "m" + uuid.uuid4().hex
    body = (
        f"The harbour board approved a new ferry timetable on Monday, reference {marker}. "
        "Boats will leave every twenty minutes at peak hours, the board said. "
        "Passengers asked for later evening services last year, and the operator agreed to add two."
    )
    return marker, {"text": body, "title": f"Ferry timetable {marker}"}


@dataclass
class Tally:
    """What the clients saw."""

    acknowledged: dict[str, int] = field(default_factory=dict)  # marker -> id
    server_errors: int = 0  # HTTP 5xx
    other_statuses: dict[int, int] = field(default_factory=dict)
    connection_failures: int = 0  # the server was down: not acknowledged, nothing promised
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, marker: str, response: httpx.Response) -> None:
        with self.lock:
            if response.status_code in (200, 201):
                self.acknowledged[marker] = int(response.json()["id"])
            elif response.status_code >= 500:
                self.server_errors += 1
            else:
                self.other_statuses[response.status_code] = (
                    self.other_statuses.get(response.status_code, 0) + 1
                )


def post_story(client: httpx.Client, base: str, tally: Tally) -> httpx.Response | None:
    marker, payload = new_story()
    try:
        response = client.post(
            base + "/api/v1/articles", json=payload, headers={"Authorization": f"Bearer {WRITE_KEY}"}
        )
    except httpx.HTTPError:
        with tally.lock:
            tally.connection_failures += 1
        return None
    tally.record(marker, response)
    return response


def _client_loop(base: str, tally: Tally, stop: threading.Event) -> None:
    with httpx.Client(timeout=60) as client:
        while not stop.is_set():
            if post_story(client, base, tally) is None:
                time.sleep(0.05)


@dataclass(frozen=True)
class Outcome:
    acknowledged: int
    lost: int
    duplicated: int
    server_errors: int
    connection_failures: int


def verify(database_url: str, tally: Tally) -> Outcome:
    """Every acknowledged create in the database once, by its marker."""
    database = open_database(database_url)
    try:
        with database.connect() as connection:
            rows = connection.execute(text("SELECT id, title FROM articles")).all()
    finally:
        database.dispose()
    by_marker: dict[str, list[int]] = {}
    for article_id, title in rows:
        marker = str(title).rsplit(" ", 1)[-1]
        by_marker.setdefault(marker, []).append(int(article_id))
    lost = sum(
        1 for marker, article_id in tally.acknowledged.items() if article_id not in by_marker.get(marker, [])
    )
    duplicated = sum(len(ids) - 1 for ids in by_marker.values() if len(ids) > 1)
    return Outcome(
        acknowledged=len(tally.acknowledged),
        lost=lost,
        duplicated=duplicated,
        server_errors=tally.server_errors,
        connection_failures=tally.connection_failures,
    )


def kill_test(database_url: str, folder: Path, *, cycles: int, clients: int = 8, seed: int = 7) -> Outcome:
    """Concurrent creates while the server is SIGKILLed and restarted ``cycles`` times."""
    rng = random.Random(seed)
    tally = Tally()
    server = Server(database_url, folder)
    server.start()
    stop = threading.Event()
    threads = [threading.Thread(target=_client_loop, args=(server.base, tally, stop)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(cycles):
            time.sleep(rng.uniform(0.3, 1.2))
            server.kill()
            server.start()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
    return verify(database_url, tally)


def freeze_probe(database_url: str, folder: Path, *, probes: int) -> tuple[int, int]:
    """(invisible, tried): creates whose row another connection could not see while the server was frozen
    right after sending the 201."""
    database = open_database(database_url)
    invisible = 0
    tally = Tally()
    try:
        with running_server(database_url, folder) as server, httpx.Client(timeout=30) as client:
            for _ in range(probes):
                response = post_story(client, server.base, tally)
                if response is None or response.status_code != 201:
                    continue
                server.freeze()
                try:
                    with database.connect() as connection:
                        found = connection.execute(
                            text("SELECT count(*) FROM articles WHERE id = :id"),
                            {"id": response.json()["id"]},
                        ).scalar_one()
                finally:
                    server.thaw()
                invisible += 0 if found else 1
    finally:
        database.dispose()
    return invisible, len(tally.acknowledged)


def load_test(database_url: str, folder: Path, *, clients: int, per_client: int) -> Outcome:
    """``clients`` clients posting ``per_client`` new stories each, all at once."""
    tally = Tally()
    with running_server(database_url, folder) as server:
        barrier = threading.Barrier(clients)

        def client_run() -> None:
            with httpx.Client(timeout=120) as client:
                barrier.wait()
                for _ in range(per_client):
                    post_story(client, server.base, tally)

        threads = [threading.Thread(target=client_run) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return verify(database_url, tally)


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``base_url``, dropped afterwards (also the tests'
    ``database_url`` fixture)."""
    name = f"newsbrief_test_{uuid.uuid4().hex[:12]}"
    admin = open_database(base_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _report(name: str, outcome: Outcome) -> None:
    print(
        f"{name}: acknowledged {outcome.acknowledged}, lost {outcome.lost}, duplicated {outcome.duplicated}, "
        f"500s {outcome.server_errors} (refused while down: {outcome.connection_failures})",
        flush=True,
    )


def _run_on(kind: str, database_url: str, folder: Path, args: argparse.Namespace) -> None:
    _report(f"{kind} kill test ({args.cycles} SIGKILLs)", kill_test(database_url, folder, cycles=args.cycles))
    invisible, tried = freeze_probe(database_url, folder, probes=args.probes)
    print(f"{kind} freeze probe: {invisible} of {tried} acknowledged creates not yet committed", flush=True)
    _report(
        f"{kind} load ({args.clients} clients x {args.per_client})",
        load_test(database_url, folder, clients=args.clients, per_client=args.per_client),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=18)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--pg", default=os.environ.get("NEWSBRIEF_TEST_PG_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        _run_on("sqlite", f"sqlite:///{folder / 'chaos.db'}", folder, args)
        if args.pg:
            with postgres_database(args.pg) as database_url:
                _run_on("postgresql", database_url, folder, args)
        else:
            print("postgresql: skipped (give --pg or NEWSBRIEF_TEST_PG_URL)")


if __name__ == "__main__":
    main()
