"""Sample articles written by the newsbrief developers (several made-up sites), for `make run` and demos."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from importlib import resources

from newsbrief.extract.textdump import parse_text
from newsbrief.models import Article
from newsbrief.pipeline import with_language


def sample_articles() -> list[Article]:
    """The bundled samples as Articles, with their site, URL and publication time."""
    folder = resources.files("newsbrief.samples")
    entries = json.loads(folder.joinpath("samples.json").read_text(encoding="utf-8"))
    articles = []
    for entry in entries:
        article = parse_text(folder.joinpath(entry["file"]).read_text(encoding="utf-8"), url=entry["url"])
        published = datetime.fromisoformat(entry["published"])
        articles.append(with_language(dataclasses.replace(article, site=entry["site"], published=published)))
    return articles
