"""Acknowledged writes survive a SIGKILL, are committed before their response, and concurrent writers queue.

The real server in a child process, on SQLite and PostgreSQL (bench/chaos.py has the longer runs whose
figures are in docs/benchmarks.md).
"""

from __future__ import annotations

from pathlib import Path

from bench.chaos import freeze_probe, kill_test, load_test


def test_a_create_is_committed_before_its_response_leaves(database_url: str, tmp_path: Path) -> None:
    invisible, tried = freeze_probe(database_url, tmp_path, probes=30)
    assert tried == 30
    assert invisible == 0


def test_no_acknowledged_create_is_lost_when_the_server_is_killed(database_url: str, tmp_path: Path) -> None:
    outcome = kill_test(database_url, tmp_path, cycles=2, clients=6)
    assert outcome.acknowledged > 0
    assert (outcome.lost, outcome.duplicated, outcome.server_errors) == (0, 0, 0)


def test_concurrent_writers_queue_instead_of_failing(database_url: str, tmp_path: Path) -> None:
    outcome = load_test(database_url, tmp_path, clients=16, per_client=6)
    assert outcome.server_errors == 0
    assert outcome.acknowledged == 16 * 6
    assert (outcome.lost, outcome.duplicated) == (0, 0)
