"""The batch job: partition the input, map the summarizer over partitions, write each partition once.

Output is a folder of ``part-FFFF-CCCCCC.parquet`` (or ``.jsonl``) files and ``_manifest.json``. Each file is
written under a temporary name and renamed, then recorded in the manifest, so a crash or Ctrl-C leaves only
whole partitions; a re-run skips the ones the manifest lists and the job ends by checking that every input
row is in the output exactly once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsbrief.batch.files import (
    Partition,
    count_records,
    discover_inputs,
    ids_digest,
    load_manifest,
    read_output_ids,
    read_partitions,
    save_manifest,
    write_partition,
)
from newsbrief.batch.progress import Progress
from newsbrief.batch.runners import run_dask, run_local
from newsbrief.batch.work import STATUS_OK, BatchOptions
from newsbrief.config import Settings, current_settings
from newsbrief.errors import BatchIncomplete, InvalidInput

MANIFEST_VERSION = 1
OUTPUT_FORMATS = ("parquet", "jsonl")


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What a batch job did: rows in, rows ok, rows with errors, partitions written and skipped."""

    rows: int
    ok: int
    errors: int
    partitions_written: int
    partitions_skipped: int
    seconds: float
    output: Path

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def summarize_many(
    source: str | Path,
    output: str | Path,
    options: BatchOptions,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    partition_size: int = 500,
    output_format: str = "parquet",
    progress: bool = True,
    announce: Callable[[str], None] | None = None,
    max_record_bytes: int | None = None,
) -> BatchReport:
    """Summarize every record of ``source`` (JSONL, JSONL.gz or Parquet files) into the ``output`` folder.

    Args:
        source: a file, a folder, or a glob of input files.
        output: the output folder (created; a re-run resumes it).
        options: engine, length and style.
        workers: local worker processes (default: the number of cores); ignored with ``scheduler``.
        scheduler: a Dask scheduler address (``tcp://host:8786``) to run on a cluster instead.
        partition_size: records per partition (the unit of work, of output files and of resuming).
        output_format: ``parquet`` or ``jsonl``.
        progress: show progress on stderr.
        announce: where one-line notices go (default: stderr).
        max_record_bytes: the largest JSON line taken as a record (default NEWSBRIEF_MAX_INPUT_BYTES); a
            longer one is written as an ``input_too_large`` error row.

    Returns:
        The report; rows == ok + errors, checked against the output files.
    """
    if output_format not in OUTPUT_FORMATS:
        raise InvalidInput(f"output format must be one of {', '.join(OUTPUT_FORMATS)}")
    if partition_size < 1:
        raise InvalidInput("partition size must be at least 1")
    say = announce or _stderr
    settings = current_settings()
    record_limit = max_record_bytes or settings.max_input_bytes
    options = _with_parse_budget(options, settings)
    started = time.perf_counter()
    files = discover_inputs(str(source))
    folder = _prepare_output(Path(output))
    fingerprint = _fingerprint(files, options, partition_size, output_format)
    manifest = _open_manifest(folder, fingerprint)
    done: dict[str, Any] = manifest["partitions"]
    tracker = Progress(count_records(files), enabled=progress)
    skipped = sum(entry["rows"] for entry in done.values())
    tracker.update(skipped)
    expected: dict[str, int] = {}

    def todo() -> Iterator[Partition]:
        for partition in read_partitions(files, partition_size, max_record_bytes=record_limit):
            expected[partition.name] = len(partition.records)
            if partition.name not in done:
                yield partition

    if scheduler:
        results = run_dask(todo(), options, scheduler=scheduler, announce=say)
    else:
        results = run_local(todo(), options, workers=workers or os.cpu_count() or 1)
    written = 0
    for partition, rows in results:
        _record_partition(folder, manifest, partition, rows, output_format)
        written += 1
        tracker.update(len(rows))
    tracker.close()
    report = _verify(folder, manifest, expected, written, started)
    return report


def _with_parse_budget(options: BatchOptions, settings: Settings) -> BatchOptions:
    """The options with this process's parse budget wherever they give none (workers may have started
    under another environment: a fork server is started once)."""
    return dataclasses.replace(
        options,
        parse_in_worker=(
            settings.parse_in_worker if options.parse_in_worker is None else options.parse_in_worker
        ),
        parse_cpu_seconds=options.parse_cpu_seconds or settings.parse_cpu_seconds,
        parse_memory_mb=options.parse_memory_mb or settings.parse_memory_mb,
    )


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def _prepare_output(folder: Path) -> Path:
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fingerprint(files: list[Path], options: BatchOptions, partition_size: int, output_format: str) -> str:
    description = {
        "inputs": [str(file.resolve()) for file in files],
        "options": options.describe(),
        "partition_size": partition_size,
        "format": output_format,
    }
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()


def _open_manifest(folder: Path, fingerprint: str) -> dict[str, Any]:
    manifest = load_manifest(folder)
    if manifest is None:
        if any(folder.glob("part-*")):
            raise InvalidInput(f"{folder} holds partition files but no manifest; use an empty output folder")
        manifest = {"version": MANIFEST_VERSION, "fingerprint": fingerprint, "partitions": {}}
        save_manifest(folder, manifest)
        return manifest
    if manifest.get("fingerprint") != fingerprint:
        raise InvalidInput(
            f"{folder} holds a batch made from other inputs or options; use another output folder"
        )
    return manifest


def _record_partition(
    folder: Path,
    manifest: dict[str, Any],
    partition: Partition,
    rows: list[dict[str, Any]],
    output_format: str,
) -> None:
    output_ids = [str(row["id"]) for row in rows]
    # Workers map records one to one, in order: one row per input line or Parquet row, none lost or doubled.
    if len(rows) != len(partition.records):
        raise BatchIncomplete(
            f"partition {partition.name}: {len(partition.records)} records in, {len(rows)} rows out"
        )
    file_name = write_partition(folder, partition.name, rows, output_format)
    ok = sum(1 for row in rows if row["status"] == STATUS_OK)
    manifest["partitions"][partition.name] = {
        "file": file_name,
        "rows": len(rows),
        "ok": ok,
        "errors": len(rows) - ok,
        "ids_sha256": ids_digest(output_ids),
    }
    save_manifest(folder, manifest)


def _verify(
    folder: Path, manifest: dict[str, Any], expected: dict[str, int], written: int, started: float
) -> BatchReport:
    """Every input partition is in the manifest with as many rows as it has records, every output file holds
    the ids the manifest lists, and no id is in the output twice (unless the input repeats it)."""
    partitions: dict[str, Any] = manifest["partitions"]
    missing = sorted(set(expected) - set(partitions))
    extra = sorted(set(partitions) - set(expected))
    if missing or extra:
        raise BatchIncomplete(
            f"output does not match the input: missing {missing[:3]}, unexpected {extra[:3]}"
        )
    for name, entry in partitions.items():
        if entry["rows"] != expected[name]:
            raise BatchIncomplete(
                f"partition {name} has {entry['rows']} rows for {expected[name]} input records"
            )
        if ids_digest(read_output_ids(folder, entry["file"])) != entry["ids_sha256"]:
            raise BatchIncomplete(f"partition file {entry['file']} does not hold the rows the manifest lists")
        if entry["rows"] != entry["ok"] + entry["errors"]:
            raise BatchIncomplete(f"partition {name}: rows != ok + errors")
    rows = sum(entry["rows"] for entry in partitions.values())
    ok = sum(entry["ok"] for entry in partitions.values())
    return BatchReport(
        rows=rows,
        ok=ok,
        errors=rows - ok,
        partitions_written=written,
        partitions_skipped=len(partitions) - written,
        seconds=time.perf_counter() - started,
        output=folder,
    )
