"""Datelines: one rule for every form (issue 15, item 12), the same in key points and in compression."""

from __future__ import annotations

import pytest

from newsbrief import summarize
from newsbrief.compression import candidates
from newsbrief.models import Length
from newsbrief.text.dateline import dateline_end
from tests.conftest import build_article

# (dateline, story): texts we wrote in the shapes of the wires.
DATELINES = [
    ("VIENNA — ", "Iran said it would let inspectors back in."),
    ("NEW YORK (Reuters) - ", "Stocks fell for a third day."),
    ("DUBAI, United Arab Emirates — ", "Dubai's ruler opened the new metro line."),
    ("LONDON, March 3 (AP) — ", "The Bank of England held rates."),
    ("PARIS (AFP) - ", "France voted on Sunday."),
    ("Sanaa, Yemen (CNN) -- ", "The rebels left the port."),
    ("(CNN)", "Three people were hurt when a bus overturned."),
    ("(CNN) -- ", "Three people were hurt when a bus overturned."),
    ("BEIJING, Jan. 5 (Xinhua) -- ", "China said exports rose."),
    ("WASHINGTON, D.C. — ", "Congress met late into the night."),
    ("KYIV, Ukraine, March 3 (Reuters) - ", "Drones struck the power grid."),
    ("LOS ANGELES, Calif. — ", "Fires spread across the hills."),
    ("ST. LOUIS — ", "A storm hit the city."),
    ("МОСКВА, 3 марта — ", "Президент подписал указ."),
    ("PARIS, 3 mars (AFP) - ", "La France a voté dimanche."),
]

NOT_DATELINES = [
    "The United Nations (UN) Security Council met on Monday.",
    "US — China talks resumed in Geneva.",
    "Apple — the company — said so.",
    "He (the chair)left early.",
    "LONDON, the capital — It rained all week.",
    "Shares of Apple (AAPL) - Apple rose 2%.",
    "In 2020 — A year of change began.",
    "Москва — крупнейший город.",
    "LONDON (Reuters) -",
]


@pytest.mark.parametrize(("dateline", "story"), DATELINES, ids=[d.strip() for d, _ in DATELINES])
def test_every_dateline_form_is_recognised(dateline: str, story: str) -> None:
    assert dateline_end(dateline + story) == len(dateline)


@pytest.mark.parametrize("sentence", NOT_DATELINES)
def test_sentences_that_only_look_like_datelines_are_kept(sentence: str) -> None:
    assert dateline_end(sentence) == 0


@pytest.mark.parametrize(("dateline", "story"), DATELINES[:6], ids=[d.strip() for d, _ in DATELINES[:6]])
def test_key_points_and_compression_strip_the_same_dateline(dateline: str, story: str) -> None:
    article = build_article(
        dateline + story,
        "Officials gave no further details on Tuesday.",
        "More news is expected later this week.",
    )
    summary = summarize(article, length=Length.sentences(3))
    first = next(point for point in summary.sentences if point.index == 0)
    assert first.text == story
    assert [article.text[start:end] for start, end in first.evidence] == [story]
    leading = [c for c in candidates(dateline + story, language="en") if c.start == 0]
    assert [(c.start, c.end) for c in leading] == [(0, len(dateline))]
