"""Pre-generating summaries: every stored article's summary made and cached before the first reader asks.

A publisher runs it over the archive (``newsbrief summaries warm``) once per summary choice the site offers.
It fills the same cache the API and the pages read (``summary_of_stored``, keyed on content, engine and
options), so a reader's request is a cache hit.

- Resumable: an article whose summary is cached already is skipped, so a run stopped anywhere (Ctrl-C, a
  kill) is finished by running it again; ``after`` starts the walk past a known id.
- Safe beside a running service: articles are walked by id in small read transactions (keyset: articles
  added or deleted meanwhile neither stop nor repeat the walk), each summary is made outside any
  transaction and saved in a short write transaction of its own; the service caching the same summary
  first is fine (the first one saved stays, they are equal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from newsbrief.errors import EngineUnavailable, NewsbriefError
from newsbrief.options import SummaryOptions
from newsbrief.services.summaries import summary_of_stored
from newsbrief.storage import repo
from newsbrief.storage.database import reading

# Ids read per query: small enough that a read transaction is short, large enough to cost nothing.
ID_BATCH = 200


@dataclass
class WarmReport:
    """What a warm run did so far: ``done`` of ``total`` articles, each one ``made`` now, found ``cached``,
    or ``failed`` (with its message in ``problems``)."""

    total: int
    done: int = 0
    made: int = 0
    cached: int = 0
    failed: int = 0
    last_id: int = 0
    problems: list[str] = field(default_factory=list)


def warm_summaries(
    database: Engine,
    options: SummaryOptions,
    *,
    reading_wpm: int,
    after: int = 0,
    progress: Callable[[WarmReport], None] = lambda report: None,
) -> WarmReport:
    """Cache the ``options`` summary of every stored article with an id above ``after``.

    ``progress`` is called after each article. An article that cannot be summarized (no sentences...) is
    counted as failed and the run goes on; an engine that is not installed stops it (every article would
    fail the same way).
    """
    with reading(database) as conn:
        report = WarmReport(total=repo.count_articles(conn=conn))
    report.last_id = after
    while True:
        with reading(database) as conn:
            ids = repo.article_ids_after(conn=conn, after=report.last_id, limit=ID_BATCH)
        if not ids:
            return report
        for article_id in ids:
            _warm_one(database, article_id, options, reading_wpm, report)
            report.last_id = article_id
            progress(report)


def _warm_one(
    database: Engine, article_id: int, options: SummaryOptions, reading_wpm: int, report: WarmReport
) -> None:
    with reading(database) as conn:
        stored = repo.get_article(conn=conn, article_id=article_id)
        if stored is None:  # deleted since its id was read
            return
        try:
            _, cached = summary_of_stored(
                database=database, conn=conn, stored=stored, options=options, reading_wpm=reading_wpm
            )
        except EngineUnavailable:
            raise
        except NewsbriefError as error:
            report.done += 1
            report.failed += 1
            report.problems.append(f"article {article_id}: {error.message}")
            return
    report.done += 1
    if cached:
        report.cached += 1
    else:
        report.made += 1
