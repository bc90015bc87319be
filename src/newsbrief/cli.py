"""The ``newsbrief`` command line. Exit codes: 0 ok, 1 user error (one line on stderr), 2 usage error.

Each command parses its arguments, calls the pipeline or the ``Service`` (newsbrief.services), and prints.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Only light modules at the top (click, the options table, the error tree): `newsbrief --version`, `--help`
# and a mistyped flag load no numpy, pydantic, SQLAlchemy or parser (tests/test_startup.py). Each command
# imports what it needs when it runs.
from newsbrief._version import __version__
from newsbrief.errors import InvalidInput, NewsbriefError
from newsbrief.options import LENGTH_OPTIONS, OPTIONS, OptionSpec, SummaryOptions

if TYPE_CHECKING:
    from newsbrief.config import Settings
    from newsbrief.models import Article
    from newsbrief.services import Service
    from newsbrief.services.feeds import PollReport


def _click_type(spec: OptionSpec) -> Any:
    """The click type of a summary option, bounded as the one table says."""
    if spec.choices:
        return click.Choice(spec.choices)
    if spec.kind is int:
        low, high = (None if bound is None else int(bound) for bound in (spec.minimum, spec.maximum))
        return click.IntRange(min=low, max=high, min_open=spec.minimum_open)
    if spec.kind is float:
        return click.FloatRange(min=spec.minimum, max=spec.maximum, min_open=spec.minimum_open)
    return click.STRING


# Short flags some options have always had.
_SHORT_FLAGS = {"sentences": "-n", "engine": "-e"}


def _summary_option_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """The summary options of ``summarize``, ``eval`` and ``batch``, made from newsbrief.options.OPTIONS."""
    for spec in reversed(OPTIONS):
        names = [f"--{spec.name}", *([_SHORT_FLAGS[spec.name]] if spec.name in _SHORT_FLAGS else [])]
        default = spec.choices[0] if spec.choices else None
        command = click.option(
            *names, type=_click_type(spec), default=default, show_default=bool(spec.choices), help=spec.help
        )(command)
    return command


def _options_from(settings: Settings, given: dict[str, Any]) -> SummaryOptions:
    lengths = [name for name in LENGTH_OPTIONS if given.get(name) is not None]
    if len(lengths) > 1:
        raise click.UsageError(f"give one length option, not {' and '.join('--' + name for name in lengths)}")
    return SummaryOptions.parse(defaults=settings.summary, **given)


# The --format option of the commands that print either lines for people or JSON for programs.
_text_or_json = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def _service(settings: Settings) -> Service:
    from newsbrief.services import Service

    return Service(settings)


def _settings() -> Settings:
    """The command's Settings, from the environment; a bad NEWSBRIEF_* value is one line, not a traceback."""
    from pydantic import ValidationError

    from newsbrief.config import Settings

    try:
        return Settings()
    except ValidationError as error:
        problem = error.errors()[0]
        name = "NEWSBRIEF_" + "_".join(str(part) for part in problem["loc"]).upper()
        raise InvalidInput(f"{name}: {problem['msg']}") from None


def _pass_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """As click.pass_obj with the Settings as the object, built when the command runs: a command's --help
    (and a usage error) never reads the environment or loads pydantic-settings."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        return command(_settings(), *args, **kwargs)

    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="newsbrief")
def cli() -> None:
    """newsbrief: faithful summaries of news articles, with every sentence traced to its source."""


@cli.command()
@click.argument("source")
@_summary_option_flags
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="json carries each sentence's paragraph, span and features (one object per line).",
)
@_pass_settings
def summarize(settings: Settings, /, source: str, output_format: str, **given: Any) -> None:
    """Summarize a file, a URL, or - (stdin).

    SOURCE is a text or HTML file, a page saved as text, JSON lines, - for standard input, or an http(s)
    URL: fetched as `ingest` fetches (robots.txt, the address guard, size and time limits), judged and
    summarized, and not stored.
    """
    from newsbrief.pipeline import make_summary
    from newsbrief.render import render_json, render_markdown, render_text
    from newsbrief.sources import read_articles

    options = _options_from(settings, given)
    if _is_url(source):
        try:
            articles = [_fetched_article(settings, source)]
        except NewsbriefError as error:  # the URL in front, as `ingest` says it
            raise _named(error, source) from None
    else:
        articles = read_articles(source, max_bytes=settings.max_input_bytes)
    for number, article in enumerate(articles):
        summary = make_summary(article, options, reading_wpm=settings.reading_wpm)
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


def _fetched_article(settings: Settings, url: str) -> Article:
    """The article at ``url``, fetched and judged as `ingest` does (the same Ingestor), without a database."""
    from newsbrief.services.ingest import Ingestor

    ingestor = Ingestor(settings)
    try:
        page = ingestor.fetch_page(url)
        return ingestor.article_from_html(page.body, url=page.url, charset=page.charset)
    finally:
        ingestor.close()


def _named(error: NewsbriefError, source: str) -> NewsbriefError:
    """The same error (class, reason) with its message naming the source first."""
    error.message = _naming(source, error.message)
    return error


@cli.command()
@_text_or_json
def engines(output_format: str) -> None:
    """List the engines and whether they are installed."""
    from newsbrief.engines import available_engines, is_installed, missing_for

    rows = [
        {
            "name": info.key,
            "installed": is_installed(info.key),
            "needs_extra": info.needs_extra,
            "needs": missing_for(info.key),  # llm.v1: its extra, or a configured server
            "description": info.description,
        }
        for info in available_engines()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = "installed" if row["installed"] else f"needs: {row['needs']}"
        click.echo(f"{row['name']:<16} {state:<10}  {row['description']}")


@cli.command(name="eval")
@click.argument("dataset", type=click.Path(path_type=Path, dir_okay=False))
@_summary_option_flags
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N articles.")
@click.option("--language", help="Dataset language for the scorer (default: detected).")
@_text_or_json
@_pass_settings
def eval_command(
    settings: Settings,
    /,
    dataset: Path,
    limit: int | None,
    language: str | None,
    output_format: str,
    **given: Any,
) -> None:
    """Score an engine on a dataset: ROUGE and speed.

    DATASET is JSON lines with an article and a reference summary; prints ROUGE-1/2/Lsum F1 and speed.
    """
    # rouge-score pulls in NLTK and SciPy (over a second): imported only when evaluating.
    from newsbrief.eval.runner import evaluate, read_eval_rows

    options = _options_from(settings, given)
    rows = read_eval_rows(dataset, limit=limit)
    result = evaluate(rows, options, reading_wpm=settings.reading_wpm, language=language)
    if output_format == "json":
        click.echo(json.dumps(result.as_dict()))
        return
    click.echo(
        f"{dataset.name}: {result.articles} articles, engine {result.engine}, {options.length.describe()}, "
        f"{options.style}"
    )
    click.echo(f"ROUGE-1 {result.rouge1:.2f}  ROUGE-2 {result.rouge2:.2f}  ROUGE-Lsum {result.rougeLsum:.2f}")
    click.echo(f"{result.words_per_summary:.1f} words/summary, {result.articles_per_second:.1f} articles/s")


@cli.command()
@click.argument("source")
@click.argument("output", type=click.Path(path_type=Path))
@_summary_option_flags
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
@_pass_settings
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
    **given: Any,
) -> None:
    """Summarize an archive (JSON lines or Parquet) into OUTPUT.

    SOURCE is JSONL, JSONL.gz or Parquet: a file, folder or glob. Records are {"id", "title"?, "url"?,
    "text" | "article" | "html"}. OUTPUT is a folder of partition files and a manifest; running the same
    command again resumes where it stopped.
    """
    if scheduler and workers:
        raise click.UsageError("give --scheduler or --workers, not both")
    from newsbrief.batch import BatchOptions, summarize_many

    options = BatchOptions(summary=_options_from(settings, given), reading_wpm=settings.reading_wpm)
    report = summarize_many(
        source,
        output,
        options,
        workers=workers,
        scheduler=scheduler,
        partition_size=partition_size,
        output_format=output_format,
        progress=not quiet,
        max_record_bytes=settings.max_input_bytes,
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
# How the user started the server, for the busy-port hint (`make run` passes "make run").
@click.option("--run-command", default="newsbrief serve", hidden=True)
@_pass_settings
def serve(
    settings: Settings,
    /,
    host: str | None,
    port: int | None,
    database_url: str | None,
    workers: int,
    samples: bool,
    run_command: str,
) -> None:
    """Run the service: pages, JSON API (/docs), widget."""
    import uvicorn

    overrides = {
        name: value
        for name, value in (("host", host), ("port", port), ("database_url", database_url))
        if value
    }
    settings = settings.model_copy(update=overrides)
    # Checked before anything is printed or migrated: a taken port is one line saying what to do, not the
    # success line followed by uvicorn's "[Errno 98] address already in use".
    _check_port(settings.host, settings.port, run_command)
    with _service(settings) as service:  # migrates the database, once, before any worker starts
        if samples:
            click.echo(f"sample articles: {service.load_samples()} new")
    click.echo(f"newsbrief serving on http://{settings.host}:{settings.port}/  (API docs: /docs)")
    if workers == 1:
        from newsbrief.web.app import create_app

        app = create_app(settings, migrate=False)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
        return
    # Several processes: each builds its app from the environment (an import string is all uvicorn can hand
    # them), so the one setting given here that they need, the database, goes there; they do not migrate.
    if database_url:
        os.environ["NEWSBRIEF_DATABASE_URL"] = database_url
    uvicorn.run(
        "newsbrief.web.asgi:worker_app",
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="warning",
        factory=True,
    )


def _check_port(host: str, port: int, run_command: str) -> None:
    """Fail with what to type instead when ``host:port`` cannot be listened on (another server has it)."""
    import errno

    problem = _listen_problem(host, port)
    if problem is None:
        return
    if problem.errno == errno.EADDRINUSE:
        free = _free_port(host, after=port)
        raise NewsbriefError(f"port {port} is busy: NEWSBRIEF_PORT={free} {run_command}")
    raise NewsbriefError(f"cannot listen on {host}:{port}: {problem.strerror or problem}")


def _listen_problem(host: str, port: int) -> OSError | None:
    """Why a server could not listen on ``host:port`` now (None: it could). SO_REUSEADDR as uvicorn sets
    it, so a port in TIME_WAIT counts as free and only a listening socket makes it busy."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:  # socket.gaierror (a host that does not resolve) is an OSError too
        return error
    return None


def _free_port(host: str, *, after: int) -> int:
    """A port to suggest: the first free one of the next hundred (the OS's choice when none is)."""
    import socket

    for candidate in range(after + 1, min(after + 101, 65536)):
        if _listen_problem(host, candidate) is None:
            return candidate
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _state(created: bool) -> str:
    return "new" if created else "already stored"


def _stored_line(stored_id: int, state: str, title: str | None) -> str:
    return f"{stored_id}\t{state}\t{title or '(untitled)'}"


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@_pass_settings
def ingest(settings: Settings, /, sources: tuple[str, ...]) -> None:
    """Store articles from URLs or files.

    URLs are fetched safely; files are text, page dumps, HTML or JSON lines. Prints one line per stored
    article (id, new / already stored / not modified, title); a source that fails gets one "error:" line
    on stderr with its reason (e.g. not an article (paywall), [timeout]), the others go on, and the exit
    code is 1 if any failed. HTML files are parsed and judged as fetched pages are: in a worker under the
    parse budgets.
    """
    failed = 0
    with _service(settings) as service:
        for source in sources:
            try:
                if _is_url(source):
                    outcome = service.store_url(source)
                    state = (
                        "not modified"
                        if outcome.not_modified
                        else "new"
                        if outcome.created
                        else "already stored"
                    )
                    click.echo(_stored_line(outcome.stored.id, state, outcome.stored.article.title))
                    continue
                for stored, created in service.store_articles(service.articles_from_source(source)):
                    click.echo(
                        _stored_line(stored.id, "new" if created else "already stored", stored.article.title)
                    )
            except NewsbriefError as error:
                failed += 1
                click.echo(f"error: {_naming(source, error.message)}", err=True)
    if failed:
        raise SystemExit(1)


def _naming(source: str, message: str) -> str:
    """The message with the source named in front, once (file errors name their file already)."""
    return message if message.startswith(source) else f"{source}: {message}"


@cli.group()
def summaries() -> None:
    """Pre-generate summaries (the first reader never waits)."""


# A progress line every this many articles (on stderr).
_WARM_PROGRESS_EVERY = 100


@summaries.command("warm")
@_summary_option_flags
@click.option(
    "--after",
    type=click.IntRange(min=0),
    default=0,
    help="Start past this article id (not needed to resume: done ones are skipped).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@_pass_settings
def summaries_warm(settings: Settings, /, after: int, quiet: bool, **given: Any) -> None:
    """Cache a summary of every stored article.

    The pages, the widget and the API then serve it from the cache. One run per summary choice a site
    offers (the article page's short, medium and long are 2, 3 and 5 sentences; the default options are
    the API's and the widget's). Safe while `newsbrief serve` runs; a stopped run resumes when run again
    (cached summaries are skipped). Exit code 1 if an article could not be summarized.
    """
    from newsbrief.services.warm import WarmReport, warm_summaries

    options = _options_from(settings, given)

    def show(report: WarmReport) -> None:
        while report.problems:
            click.echo(f"warning: {report.problems.pop(0)}", err=True)
        if not quiet and report.done % _WARM_PROGRESS_EVERY == 0:
            click.echo(f"{report.done:,}/{report.total:,} articles, last id {report.last_id}", err=True)

    with _service(settings) as service:
        report = warm_summaries(
            service.database, options, reading_wpm=settings.reading_wpm, after=after, progress=show
        )
    click.echo(
        f"{report.done:,} articles: {report.made:,} summaries made, {report.cached:,} already cached, "
        f"{report.failed:,} failed ({options.engine}, {options.length.describe()}, {options.style})"
    )
    if report.failed:
        raise SystemExit(1)


@cli.group()
def feeds() -> None:
    """Follow feeds (RSS, Atom, JSON Feed).

    New entries are fetched, judged, stored and summarized once.
    """


def _print_poll(report: PollReport) -> None:
    if report.busy:
        click.echo(f"{report.feed_id}\t{report.url}\tbeing polled by another process; skipped")
        return
    if report.error:
        click.echo(f"error: {report.url}: {report.error}", err=True)
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    state = "not modified" if report.not_modified else f"{report.new_entries} new"
    click.echo(
        f"{report.feed_id}\t{report.url}\t{state}, {report.stored} stored, "
        f"{report.skipped} skipped, {report.failed} failed"
    )


@feeds.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.option("--no-poll", is_flag=True, help="Subscribe only; the next poll fetches the entries.")
@_pass_settings
def feeds_add(settings: Settings, /, urls: tuple[str, ...], no_poll: bool) -> None:
    """Subscribe to feeds, then poll them.

    Each URL is fetched and checked to be a feed first.
    """
    from newsbrief.errors import InvalidInput

    failed = 0
    with _service(settings) as service:
        for url in urls:
            try:
                if not _is_url(url):
                    raise InvalidInput("a feed is an http:// or https:// URL")
                feed, created, parsed = service.add_feed(url)
                click.echo(
                    f"{feed.id}\t{'subscribed' if created else 'already subscribed'}\t{feed.title or url}"
                    f"\t{parsed.listed} entries"
                )
                if not no_poll:
                    report = service.poll(feed, force=True)
                    _print_poll(report)
                    failed += bool(report.error)
            except NewsbriefError as error:
                failed += 1
                click.echo(f"error: {url}: {error.message}", err=True)
    if failed:
        raise SystemExit(1)


@feeds.command("list")
@_text_or_json
@_pass_settings
def feeds_list(settings: Settings, /, output_format: str) -> None:
    """List the feeds and how their polls went.

    Each feed's entries, last poll, next poll, and the last error with its back-off.
    """
    from newsbrief.web.schemas import FeedPublic

    with _service(settings) as service:
        subscribed = service.feeds()
    if output_format == "json":  # the API's shape of a feed, the one JSON shape of it
        shown = [FeedPublic.of(feed).model_dump(mode="json") for feed in subscribed]
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    if not subscribed:
        click.echo("no feeds; add one with `newsbrief feeds add URL`")
    for feed in subscribed:
        status = (
            f"error ({feed.error_reason}, {feed.failures} in a row): {feed.error_message}"
            if feed.error_reason
            else "ok"
        )
        counts = (
            f"{feed.entries} entries ({feed.done} stored, {feed.pending} pending, "
            f"{feed.failed} failed, {feed.skipped} skipped)"
        )
        times = f"last poll {_when(feed.last_polled_at)}\tnext {_when(feed.next_poll_at)}"
        click.echo(f"{feed.id}\t{feed.url}\t{feed.title or '(untitled)'}\t{counts}\t{times}\t{status}")


def _when(moment: Any) -> str:
    return "never" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


@feeds.command("remove")
@click.argument("feed")
@_pass_settings
def feeds_remove(settings: Settings, /, feed: str) -> None:
    """Unsubscribe (by id or URL); the articles it brought stay."""
    with _service(settings) as service:
        found = service.find_feed(feed)
        service.remove_feed(found.id)
    click.echo(f"{found.id}\tremoved\t{found.url}")


@feeds.command("poll")
@click.argument("which", nargs=-1)
@click.option("--due", is_flag=True, help="Only the feeds whose next poll time has come.")
@_pass_settings
def feeds_poll(settings: Settings, /, which: tuple[str, ...], due: bool) -> None:
    """Poll feeds now: all, or those named by id or URL.

    New entries are fetched, judged, stored and summarized once. Exit code 1 if a feed failed.
    """
    failed = 0
    with _service(settings) as service:
        chosen = [service.find_feed(name) for name in which] if which else service.feeds(due_only=due)
        for feed in chosen:
            report = service.poll(feed, force=not due)
            _print_poll(report)
            failed += bool(report.error)
    if failed:
        raise SystemExit(1)


@feeds.command("import")
@click.argument("source")
@_pass_settings
def feeds_import(settings: Settings, /, source: str) -> None:
    """Subscribe to every feed of an OPML file.

    SOURCE is a path, - for stdin, or a URL; the feeds are not fetched yet.
    """
    from newsbrief.extract.feed import parse_opml
    from newsbrief.sources import read_source_bytes

    with _service(settings) as service:
        if _is_url(source):
            document = service.fetch_document(source, accept="text/x-opml, application/xml, */*;q=0.5")
        else:
            document = read_source_bytes(source, max_bytes=settings.max_input_bytes)
        listed = parse_opml(document)
        added = service.subscribe_all([(entry.url, entry.title) for entry in listed])
    click.echo(f"{added} feeds added, {len(listed) - added} already subscribed")


@feeds.command("export")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="File (default stdout)."
)
@_pass_settings
def feeds_export(settings: Settings, /, output: Path | None) -> None:
    """Write the subscriptions as OPML 2.0."""
    from newsbrief.extract.feed import OpmlFeed, render_opml

    with _service(settings) as service:
        subscribed = service.feeds()
    document = render_opml([OpmlFeed(url=feed.url, title=feed.title) for feed in subscribed])
    if output is None:
        click.echo(document, nl=False)
        return
    temporary = output.with_name(output.name + ".part")
    temporary.write_text(document, encoding="utf-8")
    temporary.replace(output)  # never a half-written file


@cli.group()
def keys() -> None:
    """Manage API keys (writes, private pages).

    A key is sent as Authorization: Bearer KEY, or typed at the login of a private deployment's pages.
    """


@keys.command("create")
@click.option("--label", help="What the key is for.")
@click.option(
    "--role",
    type=click.Choice(["writer", "admin"]),
    default="writer",
    show_default=True,
    help="writer: stores, deletes only what it stored; admin: deletes anything.",
)
@_pass_settings
def keys_create(settings: Settings, /, label: str | None, role: str) -> None:
    """Create a key and print it once (only its hash is stored)."""
    with _service(settings) as service:
        click.echo(service.create_key(label=label, role=role))


@keys.command("list")
@_pass_settings
def keys_list(settings: Settings, /) -> None:
    """List the keys: id, label, role, created, revoked.

    Never the key itself: it is not stored.
    """
    with _service(settings) as service:
        made = service.keys()
    click.echo(f"{'id':>5}  {'label':<24}  {'role':<6}  {'created':<16}  revoked")
    for key in made:
        revoked = key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "-"
        created = key.created_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{key.id:>5}  {key.label or '-':<24}  {key.role:<6}  {created:<16}  {revoked}")


@keys.command("revoke")
@click.argument("key_id", type=click.IntRange(min=1, max=2_147_483_647))
@_pass_settings
def keys_revoke(settings: Settings, /, key_id: int) -> None:
    """Revoke key KEY_ID (see `keys list`).

    The key, and the login sessions opened with it, stop working at once.
    """
    with _service(settings) as service:
        service.revoke_key(key_id)
    click.echo(f"revoked key {key_id}")


@cli.command(name="check")
@click.argument("article", required=False)
@click.argument("summary", required=False)
@click.option(
    "--pairs", "pairs", metavar="FILE.jsonl", help='JSON lines {"id", "article", "summary"} (or - for stdin).'
)
@click.option("--language", help="The article's language (default: detected).")
@_text_or_json
@_pass_settings
def check_command(
    settings: Settings,
    /,
    article: str | None,
    summary: str | None,
    pairs: str | None,
    language: str | None,
    output_format: str,
) -> None:
    """Check a summary against its article.

    ARTICLE and SUMMARY are files (one of them may be -). Prints a score 0..1 and, per summary sentence,
    the article sentences supporting it and the numbers, names, quotes... the article lacks.
    """
    from newsbrief.check import check, check_pair_line

    if pairs is not None:
        if article is not None or summary is not None:
            raise click.UsageError("give ARTICLE and SUMMARY, or --pairs FILE, not both")
        failed = 0
        lines = _read_checked_text(pairs, settings).split("\n")
        for number, line in enumerate(lines, start=1):
            if line.strip():
                outcome = check_pair_line(line, number=number, language=language)
                failed += "error" in outcome
                json_line = json.dumps(outcome, ensure_ascii=False)
                click.echo(json_line if output_format == "json" else _pair_line(outcome))
        if failed:
            raise NewsbriefError(f"{failed} line(s) of {pairs} could not be checked (see their error lines)")
        return
    if article is None or summary is None:
        raise click.UsageError("give ARTICLE and SUMMARY (files, or - for one of them), or --pairs FILE")
    if article == "-" and summary == "-":
        raise click.UsageError("only one of ARTICLE and SUMMARY can be - (standard input)")
    article_text = _read_checked_text(article, settings)
    result = check(article_text, _read_checked_text(summary, settings), language=language)
    if output_format == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    click.echo(f"score {result.score:.2f}: {'supported' if result.supported else 'NOT supported'}")
    for sentence in result.sentences:
        verdict = "ok " if sentence.supported else "NO "
        click.echo(f"{verdict} {sentence.score:.2f}  {sentence.text}")
        for part in sentence.unsupported:
            click.echo(f"      unsupported {part.reason}: {part.text}")
        for start, end in sentence.spans:
            click.echo(f"      source [{start}:{end}] {click.unstyle(article_text[start:end])[:100]}")


def _read_checked_text(source: str, settings: Settings) -> str:
    """A checker input: a file or stdin, size-limited and decoded; a page's HTML becomes its article text."""
    from newsbrief.extract.decode import decode_bytes
    from newsbrief.extract.html import looks_like_html
    from newsbrief.sources import article_from_text, read_source_bytes

    text = decode_bytes(read_source_bytes(source, max_bytes=settings.max_input_bytes))
    return article_from_text(text).text if looks_like_html(text) else text


def _pair_line(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"{result['id']}\terror\t{result['error']['message']}"
    return f"{result['id']}\t{result['score']:.2f}\t{'supported' if result['supported'] else 'NOT supported'}"


# The optional dependencies (pyproject.toml's extras) a command may find missing, and the extra that has them:
# `pip install newsbrief` (or `make run`) installs what summarizing and serving need, not everything.
_EXTRA_OF_MODULE = {
    **dict.fromkeys(
        (
            "fastapi",
            "starlette",
            "uvicorn",
            "jinja2",
            "httpx",
            "sqlalchemy",
            "alembic",
            "prometheus_client",
            "feedparser",
            "defusedxml",
            "multipart",
            "fastapi_offline",
        ),
        "web",
    ),
    "psycopg": "pg",
    **dict.fromkeys(("dask", "distributed", "pyarrow"), "dask"),
    "rouge_score": "eval",
}


def _missing_extra(error: ModuleNotFoundError) -> str | None:
    """The extra to install for a missing optional module; None for any other missing module (a bug)."""
    return _EXTRA_OF_MODULE.get((error.name or "").split(".")[0])


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
        if isinstance(error, ModuleNotFoundError) and (extra := _missing_extra(error)) is not None:
            click.echo(
                f"error: this command needs the '{extra}' extra ({error.name} is not installed): "
                f"pip install 'newsbrief[{extra}]'",
                err=True,
            )
            sys.exit(1)
        click.echo(
            f"error: internal error ({type(error).__name__}: {error}); set NEWSBRIEF_DEBUG=1 for details",
            err=True,
        )
        sys.exit(1)
    sys.exit(0)
