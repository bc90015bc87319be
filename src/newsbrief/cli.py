"""The ``newsbrief`` command line. Exit codes: 0 ok, 1 user error (one line on stderr), 2 usage error."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from newsbrief._version import __version__
from newsbrief.config import Settings
from newsbrief.engines import available_engines, is_installed
from newsbrief.errors import NewsbriefError
from newsbrief.models import Length, LengthUnit, Style
from newsbrief.pipeline import summarize_article
from newsbrief.render import render_json, render_markdown, render_text
from newsbrief.sources import read_articles

_LENGTH_OPTIONS = ("sentences", "words", "ratio", "seconds")


def _length_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The shared length and style options of ``summarize`` and ``eval``."""
    decorators = [
        click.option(
            "--sentences", "-n", type=click.IntRange(min=1), help="Number of sentences (default 3)."
        ),
        click.option("--words", type=click.IntRange(min=1), help="At most this many words."),
        click.option(
            "--ratio",
            type=click.FloatRange(min=0, max=1, min_open=True),
            help="Share of the sentences, e.g. 0.2.",
        ),
        click.option(
            "--seconds", type=click.FloatRange(min=0, min_open=True), help="Reading time budget in seconds."
        ),
        click.option(
            "--style",
            type=click.Choice([style.value for style in Style]),
            default=Style.BULLETS.value,
            show_default=True,
            help="Key points, a paragraph, or one headline sentence.",
        ),
        click.option(
            "--engine", "-e", default=None, help="Engine name, e.g. lead.v1 (see `newsbrief engines`)."
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _length_from(options: dict[str, Any], settings: Settings) -> Length:
    given = [name for name in _LENGTH_OPTIONS if options.get(name) is not None]
    if len(given) > 1:
        raise click.UsageError(f"give one length option, not {' and '.join('--' + name for name in given)}")
    if not given:
        return Length.sentences(settings.default_sentences)
    return Length(LengthUnit(given[0]), options[given[0]])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="newsbrief")
@click.pass_context
def cli(context: click.Context) -> None:
    """newsbrief: faithful summaries of news articles, with every sentence traced to its source."""
    context.obj = Settings()


@cli.command()
@click.argument("source")
@_length_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="json carries each sentence's paragraph, span and features (one object per line).",
)
@click.pass_obj
def summarize(
    settings: Settings, /, source: str, output_format: str, style: str, engine: str | None, **length: Any
) -> None:
    """Summarize SOURCE: a text or HTML file, a page saved as text, JSON lines, or - for stdin."""
    budget = _length_from(length, settings)
    articles = read_articles(source, max_bytes=settings.max_input_bytes)
    for number, article in enumerate(articles):
        summary = summarize_article(
            article, engine=engine, length=budget, style=Style(style), settings=settings
        )
        if output_format == "json":
            click.echo(render_json(summary, source_id=article.source_id))
            continue
        if number:
            click.echo()
        if output_format == "markdown":
            click.echo(render_markdown(summary))
        else:
            if len(articles) > 1 and article.title:
                click.echo(f"# {article.title}")
            click.echo(render_text(summary))


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def engines(output_format: str) -> None:
    """List the summarization engines and whether they are installed."""
    rows = [
        {
            "name": info.key,
            "installed": is_installed(info.key),
            "needs_extra": info.needs_extra,
            "description": info.description,
        }
        for info in available_engines()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = "installed" if row["installed"] else f"needs: pip install 'newsbrief[{row['needs_extra']}]'"
        click.echo(f"{row['name']:<16} {state:<10}  {row['description']}")


@cli.command(name="eval")
@click.argument("dataset", type=click.Path(path_type=Path, dir_okay=False))
@_length_options
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N articles.")
@click.option("--language", help="Dataset language for the scorer (default: detected).")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
def eval_command(
    settings: Settings,
    /,
    dataset: Path,
    limit: int | None,
    language: str | None,
    output_format: str,
    style: str,
    engine: str | None,
    **length: Any,
) -> None:
    """Score an engine on DATASET (JSON lines with article and reference): ROUGE-1/2/Lsum F1 and speed."""
    # rouge-score pulls in NLTK and SciPy (over a second): imported only when evaluating.
    from newsbrief.eval.runner import evaluate, read_eval_rows

    budget = _length_from(length, settings)
    rows = read_eval_rows(dataset, limit=limit)
    result = evaluate(
        rows,
        engine=engine or settings.default_engine,
        length=budget,
        style=Style(style),
        settings=settings,
        language=language,
    )
    if output_format == "json":
        click.echo(json.dumps(result.as_dict()))
        return
    click.echo(
        f"{dataset.name}: {result.articles} articles, engine {result.engine}, {budget.describe()}, {style}"
    )
    click.echo(f"ROUGE-1 {result.rouge1:.2f}  ROUGE-2 {result.rouge2:.2f}  ROUGE-Lsum {result.rougeLsum:.2f}")
    click.echo(f"{result.words_per_summary:.1f} words/summary, {result.articles_per_second:.1f} articles/s")


@cli.command()
@click.argument("source")
@click.argument("output", type=click.Path(path_type=Path))
@_length_options
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786): run on that cluster.")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes (default: all cores).")
@click.option(
    "--partition-size",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Records per partition.",
)
@click.option(
    "--format", "output_format", type=click.Choice(["parquet", "jsonl"]), default="parquet", show_default=True
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.pass_obj
def batch(
    settings: Settings,
    /,
    source: str,
    output: Path,
    scheduler: str | None,
    workers: int | None,
    partition_size: int,
    output_format: str,
    quiet: bool,
    style: str,
    engine: str | None,
    **length: Any,
) -> None:
    """Summarize every record of SOURCE (JSONL, JSONL.gz or Parquet: a file, folder or glob) into OUTPUT.

    Records are {"id", "title"?, "url"?, "text" | "article" | "html"}. OUTPUT is a folder of partition
    files and a manifest; running the same command again resumes where it stopped.
    """
    if scheduler and workers:
        raise click.UsageError("give --scheduler or --workers, not both")
    from newsbrief.batch import BatchOptions, summarize_many
    from newsbrief.engines import get_engine

    engine_name = get_engine(engine or settings.default_engine).info.key
    options = BatchOptions(
        engine=engine_name,
        length=_length_from(length, settings),
        style=Style(style),
        reading_wpm=settings.reading_wpm,
    )
    report = summarize_many(
        source,
        output,
        options,
        workers=workers,
        scheduler=scheduler,
        partition_size=partition_size,
        output_format=output_format,
        progress=not quiet,
    )
    click.echo(
        f"{report.rows} rows: {report.ok} ok, {report.errors} with errors; "
        f"{report.partitions_written} partitions written, {report.partitions_skipped} already done; "
        f"{report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s) -> {report.output}"
    )


@cli.command()
@click.option("--host", help="Address to listen on (default NEWSBRIEF_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default NEWSBRIEF_PORT, 8000).")
@click.option(
    "--database-url", help="SQLite file URL or postgresql+psycopg://... (default NEWSBRIEF_DATABASE_URL)."
)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Server processes.")
@click.option("--samples", is_flag=True, help="Load the bundled sample articles first (idempotent).")
@click.pass_obj
def serve(
    settings: Settings,
    /,
    host: str | None,
    port: int | None,
    database_url: str | None,
    workers: int,
    samples: bool,
) -> None:
    """Run the web service: article pages, the JSON API (/docs) and the widget."""
    import uvicorn

    overrides = {
        name: value
        for name, value in (("host", host), ("port", port), ("database_url", database_url))
        if value
    }
    settings = settings.model_copy(update=overrides)
    for name, value in overrides.items():
        os.environ[f"NEWSBRIEF_{name.upper()}"] = str(
            value
        )  # worker processes build their app from the environment
    from newsbrief.storage.database import open_engine, upgrade

    engine = open_engine(settings.database_url)
    upgrade(engine)
    if samples:
        loaded = _load_samples(engine)
        click.echo(f"sample articles: {loaded} new")
    engine.dispose()
    click.echo(f"newsbrief serving on http://{settings.host}:{settings.port}/  (API docs: /docs)")
    uvicorn.run(
        "newsbrief.web.asgi:app",
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="warning",
        factory=False,
    )


def _load_samples(engine: Any) -> int:
    from newsbrief.samples import sample_articles
    from newsbrief.storage import repo

    with engine.begin() as connection:
        return sum(
            repo.save_article(conn=connection, article=a, source_kind="text")[1] for a in sample_articles()
        )


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.pass_obj
def ingest(settings: Settings, /, sources: tuple[str, ...]) -> None:
    """Store articles from URLs (fetched safely) or files (text, page dumps, HTML, JSON lines).

    Prints one line per stored article (id, new or already stored, title); a source that fails gets one
    "error:" line on stderr, the others go on, and the exit code is 1 if any failed.
    """
    from newsbrief.extract.decode import decode_bytes
    from newsbrief.net.fetch import FetchPolicy, fetch_html
    from newsbrief.pipeline import with_language
    from newsbrief.sources import article_from_text
    from newsbrief.storage import repo
    from newsbrief.storage.database import open_engine, upgrade

    engine = open_engine(settings.database_url)
    upgrade(engine)
    policy = FetchPolicy(
        allow=settings.fetch_allow_list(),
        max_bytes=settings.max_input_bytes,
        deadline_seconds=settings.fetch_timeout,
    )
    failed = 0
    for source in sources:
        try:
            if source.startswith(("http://", "https://")):
                page = fetch_html(source, policy)
                articles = [
                    article_from_text(decode_bytes(page.body, page.charset, repair_utf8=True), url=page.url)
                ]
                kind = "url"
            else:
                articles = read_articles(source, max_bytes=settings.max_input_bytes)
                kind = "text"
            with engine.begin() as connection:
                for article in articles:
                    stored, created = repo.save_article(
                        conn=connection, article=with_language(article), source_kind=kind
                    )
                    state = "new" if created else "already stored"
                    click.echo(f"{stored.id}\t{state}\t{stored.article.title or '(untitled)'}")
        except NewsbriefError as error:
            failed += 1
            click.echo(f"error: {source}: {error.message}", err=True)
    engine.dispose()
    if failed:
        raise SystemExit(1)


@cli.group()
def keys() -> None:
    """API keys for writes (Authorization: Bearer KEY)."""


@keys.command("create")
@click.option("--label", help="What the key is for.")
@click.pass_obj
def keys_create(settings: Settings, /, label: str | None) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from newsbrief.storage import repo
    from newsbrief.storage.database import open_engine, upgrade

    engine = open_engine(settings.database_url)
    upgrade(engine)
    with engine.begin() as connection:
        click.echo(repo.create_api_key(conn=connection, label=label))
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns errors into one line on stderr and an exit code."""
    try:
        cli.main(args=argv, prog_name="newsbrief", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except NewsbriefError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`); nothing left to say
        sys.exit(1)
    except Exception as error:
        if os.environ.get("NEWSBRIEF_DEBUG"):
            raise
        click.echo(
            f"error: internal error ({type(error).__name__}: {error}); set NEWSBRIEF_DEBUG=1 for details",
            err=True,
        )
        sys.exit(1)
    sys.exit(0)
