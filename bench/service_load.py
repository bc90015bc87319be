"""Service latency and throughput on this machine, load generator included (so both share the 2 cores).

    .venv/bin/python -m bench.service_load [--workers 2] [--seconds 10]

Starts `newsbrief serve --samples` on a fresh SQLite file and a free loopback port, then measures:
- cached summary GET at a steady 200 requests/s (`hey -q`; without hey, a Python open-loop client that counts
  latency from the scheduled send time), and the most requests/s it sustains (wrk, 32 connections);
- uncached summary of an ~800-word article (each request asks for a length not seen before);
- the article page at a constant 100 requests/s.
Every request loop is bounded in count and time and talks only to 127.0.0.1. `apt-get install wrk hey`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from newsbrief.samples import sample_articles

KEY = "bench-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def constant_rate(base: str, path: str, rate: int, seconds: float) -> tuple[list[float], int]:
    """Latencies in ms at ``rate`` requests/s for ``seconds``; and how many answers were not 200/304."""
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(
        base_url=base, timeout=10, limits=httpx.Limits(max_connections=64)
    ) as client:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.1
        total = int(rate * seconds)

        async def one(scheduled: float) -> None:
            nonlocal failures
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            response = await client.get(path)
            latencies.append((loop.time() - scheduled) * 1000)
            if response.status_code not in (200, 304):
                failures += 1
                print(f"  {path}: {response.status_code} {response.text[:200]}", file=sys.stderr)

        await asyncio.gather(*(one(start + i / rate) for i in range(total)))
    return latencies, failures


def hey_rate(url: str, rate: int, seconds: float) -> tuple[float, float, int] | None:
    """p50 and p99 in ms and failures from `hey` at a steady ``rate`` (8 workers at rate/8 each).

    hey (Go) costs the shared cores far less than a Python client, which at 200 requests/s competes with the
    server for the same two cores and measures its own queueing.
    """
    if shutil.which("hey") is None:
        return None
    workers = 8
    output = subprocess.run(
        ["hey", "-z", f"{seconds}s", "-c", str(workers), "-q", str(rate / workers), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    p50 = re.search(r"50% in ([\d.]+) secs", output)
    p99 = re.search(r"99% in ([\d.]+) secs", output)
    ok = sum(int(n) for n in re.findall(r"\[(?:200|304)\]\s+(\d+) responses", output))
    total = sum(int(n) for n in re.findall(r"\[\d+\]\s+(\d+) responses", output))
    if p50 is None or p99 is None:
        return None
    return float(p50.group(1)) * 1000, float(p99.group(1)) * 1000, total - ok


def steady(base: str, path: str, rate: int, seconds: float) -> tuple[float, float, int]:
    measured = hey_rate(base + path, rate, seconds)
    if measured is not None:
        return measured
    latencies, failures = asyncio.run(constant_rate(base, path, rate, seconds))
    return percentile(latencies, 0.5), percentile(latencies, 0.99), failures


def wrk_throughput(url: str, seconds: int) -> float | None:
    if shutil.which("wrk") is None:
        return None
    output = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return float(match.group(1)) if match else None


def eight_hundred_words() -> str:
    paragraphs: list[str] = []
    for article in sample_articles():
        paragraphs.extend(article.paragraphs)
        if sum(len(p.split()) for p in paragraphs) >= 800:
            break
    return "A Long Day in Two Towns\n\n" + "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "NEWSBRIEF_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}",
            "NEWSBRIEF_API_KEYS": KEY,
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsbrief",
                "serve",
                "--samples",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            created = httpx.post(
                base + "/api/v1/articles",
                json={"text": eight_hundred_words()},
                headers={"Authorization": f"Bearer {KEY}"},
            ).json()
            article_id = created["id"]
            words = created["word_count"]
            summary_path = f"/api/v1/articles/{article_id}/summary"
            with httpx.Client(base_url=base) as client:
                # Warm every worker (engine modules, model, connection pool) before any timed request.
                for _ in range(200):
                    client.get(summary_path).raise_for_status()
                    client.get(f"/articles/{article_id}").raise_for_status()
            cached = steady(base, summary_path, 200, args.seconds)
            throughput = wrk_throughput(base + summary_path, int(args.seconds))
            uncached = []
            with httpx.Client(base_url=base) as client:
                for budget in range(100, 160):
                    started = time.perf_counter()
                    client.get(summary_path, params={"words": budget}).raise_for_status()
                    uncached.append((time.perf_counter() - started) * 1000)
            page = steady(base, f"/articles/{article_id}", 100, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"server: newsbrief serve --workers {args.workers}, SQLite; load from the same machine")
    print("| measurement | p50 ms | p99 ms | requests/s | failures |")
    print("|---|---|---|---|---|")
    print(f"| cached summary GET at 200/s | {cached[0]:.1f} | {cached[1]:.1f} | 200 | {cached[2]} |")
    if throughput is not None:
        print(f"| cached summary GET, wrk -c32 (max sustained) | - | - | {throughput:,.0f} | - |")
    p50, p99 = statistics.median(uncached), percentile(uncached, 0.99)
    print(f"| uncached summary, {words}-word article (60 requests) | {p50:.1f} | {p99:.1f} | - | 0 |")
    print(f"| article page at 100/s | {page[0]:.1f} | {page[1]:.1f} | 100 | {page[2]} |")


if __name__ == "__main__":
    main()
