"""Batch input and output at the edge: finding input files, reading them in partitions, writing results."""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from newsbrief.batch.work import RawRecord
from newsbrief.errors import InputTooLarge, InvalidInput, SourceNotFound

INPUT_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".parquet")
MANIFEST = "_manifest.json"
# The default largest record (a JSON line), as NEWSBRIEF_MAX_INPUT_BYTES.
MAX_RECORD_BYTES = 10_000_000
# A line over the limit is read past in pieces of this many characters (or bytes when counting): a 1 GB
# line inflated from a 1 MB .gz is never held whole.
_PIECE = 1 << 20


@dataclass(frozen=True, slots=True)
class Partition:
    """A slice of the input with a deterministic name (input file number, chunk number)."""

    name: str
    records: list[RawRecord]


def discover_inputs(spec: str) -> list[Path]:
    """The input files of a file path, a folder (its JSONL and Parquet files) or a glob, sorted."""
    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(INPUT_SUFFIXES))
    elif path.is_file():
        files = [path]
    elif glob.has_magic(spec):
        files = sorted(Path(p) for p in glob.glob(spec) if Path(p).is_file())
    else:
        raise SourceNotFound(f"{spec}: no such file, folder or pattern")
    if not files:
        raise SourceNotFound(f"{spec}: no input files (.jsonl, .jsonl.gz or .parquet)")
    for file in files:
        if not file.name.endswith(INPUT_SUFFIXES):
            raise InvalidInput(f"{file}: unsupported input (use .jsonl, .jsonl.gz or .parquet)")
    return files


def count_records(files: list[Path]) -> int | None:
    """Rows in the input, cheaply (newline count, Parquet metadata); None when only a full read would tell."""
    total = 0
    for file in files:
        if file.name.endswith(".parquet"):
            import pyarrow.parquet as pq

            total += pq.ParquetFile(file).metadata.num_rows
        elif file.name.endswith(".gz"):
            return None
        else:
            with file.open("rb") as handle:
                total += _count_lines(handle)
    return total


def _count_lines(handle: BinaryIO) -> int:
    """Non-blank lines, counted a piece at a time (a huge line is never held whole)."""
    count, blank = 0, True
    while piece := handle.read(_PIECE):
        *ended, rest = piece.split(b"\n")
        for line in ended:
            count += not (blank and not line.strip())
            blank = True
        blank = blank and not rest.strip()
    return count + (not blank)


def read_partitions(
    files: list[Path], size: int, *, max_record_bytes: int = MAX_RECORD_BYTES
) -> Iterator[Partition]:
    """Partitions of at most ``size`` records, streamed: never more than one partition in memory here.
    A JSON line over ``max_record_bytes`` becomes an error record; reading goes on after it."""
    for file_number, file in enumerate(files):
        reader = (
            _parquet_records(file)
            if file.name.endswith(".parquet")
            else _jsonl_records(file, max_record_bytes)
        )
        chunk: list[RawRecord] = []
        chunk_number = 0
        for record in reader:
            chunk.append(record)
            if len(chunk) == size:
                yield Partition(f"part-{file_number:04d}-{chunk_number:06d}", chunk)
                chunk, chunk_number = [], chunk_number + 1
        if chunk:
            yield Partition(f"part-{file_number:04d}-{chunk_number:06d}", chunk)


def _jsonl_records(file: Path, max_record_bytes: int) -> Iterator[RawRecord]:
    opener = gzip.open if file.name.endswith(".gz") else open
    too_large = (
        f"the record is larger than the {max_record_bytes / 1_000_000:g} MB limit (NEWSBRIEF_MAX_INPUT_BYTES)"
    )
    try:
        with opener(file, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
            for number, line in enumerate(_bounded_lines(text, max_record_bytes), start=1):
                if line is None:
                    yield RawRecord(f"{file.name}:{number}", error=too_large, error_code=InputTooLarge.code)
                elif line.strip():
                    yield RawRecord(f"{file.name}:{number}", line=line)
    except (OSError, EOFError) as error:
        raise InvalidInput(f"{file}: cannot be read ({error})") from None


def _bounded_lines(text: TextIO, max_bytes: int) -> Iterator[str | None]:
    """The lines of ``text`` as iterating it gives them, but None for a line of more than ``max_bytes``
    (UTF-8) bytes, which is read past in pieces instead of being held whole."""
    while line := text.readline(max_bytes + 1):  # a line within the limit has at most max_bytes + 1 chars
        ended = line.endswith("\n")
        if not ended and len(line) == max_bytes + 1:  # cut by the size: the rest of the line is left
            while (piece := text.readline(_PIECE)) and not piece.endswith("\n"):
                pass
            yield None
        elif len((line[:-1] if ended else line).encode("utf-8")) > max_bytes:
            yield None
        else:
            yield line


def _parquet_records(file: Path) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(file).iter_batches(batch_size=1000):
        for data in batch.to_pylist():
            number += 1
            yield RawRecord(f"{file.name}:{number}", data=data)


def ids_digest(ids: list[str]) -> str:
    """SHA-256 of a partition's ids in order: the manifest's proof that output and input match."""
    digest = hashlib.sha256()
    for record_id in ids:
        digest.update(record_id.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_partition(folder: Path, name: str, rows: list[dict[str, Any]], output_format: str) -> str:
    """Write one partition's rows under a temporary name, then rename; returns the file name."""
    file_name = f"{name}.{output_format}"
    if output_format == "jsonl":
        payload = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    else:
        payload = _parquet_bytes(rows)
    _atomic_write(folder / file_name, payload)
    return file_name


def _parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sentence = pa.struct(
        [
            ("text", pa.string()),
            ("index", pa.int32()),
            ("paragraph", pa.int32()),
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("spans", pa.list_(pa.list_(pa.int32()))),
        ]
    )
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("status", pa.string()),
            ("error", pa.string()),
            ("title", pa.string()),
            ("summary", pa.string()),
            ("sentences", pa.list_(sentence)),
            ("engine", pa.string()),
            ("engine_version", pa.string()),
            ("options", pa.string()),
            ("elapsed_ms", pa.float64()),
        ]
    )
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), sink)
    return sink.getvalue()


def read_output_ids(folder: Path, file_name: str) -> list[str]:
    """The ids of a written partition, in order (to verify it before trusting the manifest)."""
    path = folder / file_name
    if file_name.endswith(".parquet"):
        import pyarrow.parquet as pq

        return [str(value) for value in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
    with path.open(encoding="utf-8") as handle:
        return [str(json.loads(line)["id"]) for line in handle if line.strip()]


def load_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise InvalidInput(f"{path} is damaged; remove the output folder to start again") from None
    return data if isinstance(data, dict) else None


def save_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    _atomic_write(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
