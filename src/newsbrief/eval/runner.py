"""Run an engine over a dataset of articles with references and score it."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from newsbrief.engines import get_engine
from newsbrief.errors import BadDataset, InvalidInput, SourceNotFound
from newsbrief.eval.rouge import make_scorer, score_summary
from newsbrief.models import Article
from newsbrief.options import DEFAULT_READING_WPM, SummaryOptions
from newsbrief.pipeline import make_summary
from newsbrief.sources import load_json_line
from newsbrief.text.language import detect_language
from newsbrief.text.normalize import split_paragraphs

# Articles sampled to decide a dataset's language (its scorer settings).
_LANGUAGE_SAMPLE = 20


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One dataset row: the article and its reference summary (one sentence per line)."""

    id: str
    article: Article
    reference: str


@dataclass(frozen=True, slots=True)
class EvalResult:
    """Mean ROUGE F1 x 100 over the dataset, summary size and speed (summarizing only)."""

    engine: str
    articles: int
    rouge1: float
    rouge2: float
    rougeLsum: float  # the metric's published name
    words_per_summary: float
    articles_per_second: float
    language: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "articles": self.articles,
            "rouge1": round(self.rouge1, 2),
            "rouge2": round(self.rouge2, 2),
            "rougeLsum": round(self.rougeLsum, 2),
            "words_per_summary": round(self.words_per_summary, 1),
            "articles_per_second": round(self.articles_per_second, 1),
            "language": self.language,
        }


def read_eval_rows(path: Path, *, limit: int | None = None) -> list[EvalRow]:
    """Rows of a JSON-lines dataset with ``article`` and ``reference`` (and optional ``id``, ``title``)."""
    if not path.is_file():
        raise SourceNotFound(f"{path}: no such dataset file")
    rows: list[EvalRow] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if limit is not None and len(rows) >= limit:
                break
            if line.strip():
                rows.append(_row(line, f"{path}, line {number}"))
    if not rows:
        raise BadDataset(f"{path} has no rows")
    return rows


def _row(line: str, where: str) -> EvalRow:
    try:
        record = load_json_line(line)  # the one JSON-lines reader (deep nesting, huge numbers: an error)
    except InvalidInput as error:
        raise BadDataset(f"{where}: {error.message}") from None
    if not isinstance(record, dict):
        raise BadDataset(f"{where}: expected a JSON object")
    article, reference = record.get("article"), record.get("reference")
    if not isinstance(article, str) or not isinstance(reference, str):
        raise BadDataset(f"{where}: needs string fields 'article' and 'reference'")
    title = record.get("title") if isinstance(record.get("title"), str) else None
    return EvalRow(
        id=str(record.get("id", where)),
        article=Article(paragraphs=tuple(split_paragraphs(article)), title=title),
        reference=reference,
    )


def dataset_language(rows: list[EvalRow]) -> str | None:
    """The most common detected language of the first rows."""
    votes = Counter(detect_language(row.article.text) for row in rows[:_LANGUAGE_SAMPLE])
    return votes.most_common(1)[0][0] if votes else None


def evaluate(
    rows: list[EvalRow],
    options: SummaryOptions,
    *,
    reading_wpm: int = DEFAULT_READING_WPM,
    language: str | None = None,
) -> EvalResult:
    """Summarize every row and score it against its reference. Timing covers summarizing only."""
    scorer_engine = get_engine(options.engine)  # loaded before the clock starts
    language = language or dataset_language(rows)
    predictions: list[str] = []
    words = 0
    started = time.perf_counter()
    for row in rows:
        summary = make_summary(row.article, options, reading_wpm=reading_wpm)
        predictions.append("\n".join(sentence.text for sentence in summary.sentences))
        words += summary.word_count
    elapsed = time.perf_counter() - started
    scorer = make_scorer(language)
    scores = [
        score_summary(scorer, row.reference, prediction)
        for row, prediction in zip(rows, predictions, strict=True)
    ]
    count = len(rows)
    return EvalResult(
        engine=scorer_engine.info.key,
        articles=count,
        rouge1=sum(s.rouge1 for s in scores) / count,
        rouge2=sum(s.rouge2 for s in scores) / count,
        rougeLsum=sum(s.rougeLsum for s in scores) / count,
        words_per_summary=words / count,
        articles_per_second=count / elapsed if elapsed > 0 else float("inf"),
        language=language,
    )
