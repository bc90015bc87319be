"""The same ladder for every registered engine (as sumy's per-summarizer tests)."""

import dataclasses
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsbrief.compression import join_pieces
from newsbrief.engines import available_engines, is_installed
from newsbrief.errors import NoSentences
from newsbrief.models import Length, Style, SummarySentence
from newsbrief.pipeline import summarize_article
from tests.conftest import build_article

ENGINES = [info.key for info in available_engines() if is_installed(info.key)]

STORY = build_article(
    "The city council approved a new budget on Monday after a long debate about school funding.",
    "The budget raises spending on schools by 4 percent and cuts road repairs.",
    "Opposition members said the cuts would leave many streets in poor condition.",
    "The mayor said the choice was hard but necessary. The new budget takes effect in January.",
    title="Council approves budget with more money for schools",
)


def assert_made_of_spans(text: str, sentence: SummarySentence) -> None:
    """The shown text is the article's kept spans joined (up to the first letter's case, which a removed
    opening changes), inside the whole sentence's span, in order and apart."""
    spans = sentence.evidence
    assert all(sentence.start <= start < end <= sentence.end for start, end in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    joined = join_pieces([text[start:end] for start, end in spans])
    assert joined[1:] == sentence.text[1:] and joined[:1].upper() == sentence.text[:1].upper()
    assert text[sentence.start : sentence.end].strip()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_empty_document_is_refused(engine: str) -> None:
    with pytest.raises(NoSentences):
        summarize_article(build_article("  ...  ", "123 456"), engine=engine)


def test_single_sentence(engine: str) -> None:
    summary = summarize_article(build_article("Only one sentence is here."), engine=engine)
    assert [s.text for s in summary.sentences] == ["Only one sentence is here."]


def test_order_is_kept_and_spans_match(engine: str) -> None:
    summary = summarize_article(STORY, engine=engine, length=Length.sentences(3))
    indices = [s.index for s in summary.sentences]
    assert indices == sorted(indices) and len(indices) == 3
    for sentence in summary.sentences:
        assert_made_of_spans(STORY.text, sentence)
    assert summary.engine == engine


@pytest.mark.parametrize(
    ("length", "max_sentences", "max_words"),
    [
        pytest.param(Length.sentences(2), 2, None, id="2-sentences"),
        pytest.param(Length.words(30), None, 30, id="30-words"),
        pytest.param(Length.ratio(0.2), 2, None, id="20%"),
        pytest.param(Length.seconds(10), None, 39, id="10-seconds"),
    ],
)
def test_budget_is_respected(
    engine: str, length: Length, max_sentences: int | None, max_words: int | None
) -> None:
    summary = summarize_article(STORY, engine=engine, length=length)
    assert summary.sentences, "a budget always yields at least one sentence"
    if max_sentences is not None:
        assert len(summary.sentences) <= max_sentences
    if max_words is not None:
        assert summary.word_count <= max_words


def test_tiny_word_budget_still_gives_one_sentence(engine: str) -> None:
    summary = summarize_article(STORY, engine=engine, length=Length.words(3))
    assert len(summary.sentences) == 1


def test_headline_is_one_sentence(engine: str) -> None:
    summary = summarize_article(STORY, engine=engine, length=Length.sentences(3), style=Style.HEADLINE)
    assert len(summary.sentences) == 1
    assert "•" not in summary.text


def test_lead_takes_the_first_sentences() -> None:
    summary = summarize_article(STORY, engine="lead.v1", length=Length.sentences(2))
    assert [s.index for s in summary.sentences] == [0, 1]


def test_default_engine_skips_a_repeated_sentence() -> None:
    repeated = build_article(
        "The council approved the new budget for schools on Monday evening.",
        "The council approved the new budget for schools on Monday evening, officials said.",
        "Teachers welcomed the extra money for classrooms and books.",
    )
    summary = summarize_article(repeated, engine="newsbrief.v1", length=Length.sentences(2))
    assert [s.index for s in summary.sentences] == [0, 2]


def test_v1_reports_its_features() -> None:
    summary = summarize_article(STORY, engine="newsbrief.v1")
    assert set(summary.sentences[0].features) <= {"position", "centrality", "title", "length"}
    assert summary.sentences[0].features["position"] > 0


def test_learned_engine_explains_its_choice() -> None:
    from newsbrief.engines.features import FEATURE_NAMES
    from newsbrief.engines.newsbrief_v3 import SCORE_TERMS

    summary = summarize_article(STORY, engine="newsbrief.v3")
    for sentence in summary.sentences:
        assert sentence.features and set(sentence.features) <= set(FEATURE_NAMES + SCORE_TERMS)
        assert all(value != 0 for value in sentence.features.values())
        # The evidence adds up: the trees' prediction plus the priors is the score.
        parts = sum(sentence.features.get(term, 0.0) for term in SCORE_TERMS)
        assert parts == pytest.approx(sentence.score, abs=1e-5)
    first = summary.sentences[0].features
    assert first["title"] > 0 and first["score_title_prior"] > 0  # it shares words with the title
    assert summary.sentences[-1].features["score_position_prior"] < 0  # later sentences pay for position


def test_learned_engine_uses_headline_weights_for_headlines() -> None:
    from newsbrief.engines import get_engine
    from newsbrief.pipeline import prepare

    engine = get_engine("newsbrief.v3")
    document = prepare(STORY)
    as_points = engine.score(document, Style.BULLETS).scores
    as_headline = engine.score(document, Style.HEADLINE).scores
    assert as_points != as_headline
    assert len(summarize_article(STORY, engine="newsbrief.v3", style=Style.HEADLINE).sentences) == 1


# Hostile inputs from issue 6: a sensible summary or a clear error, never a hang or a crash.
def _bullets(count: int) -> str:
    return "\n".join(f"- Item number {i} of the list about harbour repairs" for i in range(count))


HOSTILE = [
    pytest.param(("One sentence only, without much in it.",), 1, id="one-sentence"),
    pytest.param(
        ("no punctuation at all just words running on and on about the council budget " * 20,),
        1,
        id="no-punct",
    ),
    pytest.param(
        ("THE COUNCIL APPROVED THE BUDGET ON MONDAY. TEACHERS WELCOMED IT. ROADS WILL WAIT.",),
        3,
        id="all-caps",
    ),
    pytest.param(tuple(_bullets(3000).split("\n")), 3, id="3000-bullets"),
    pytest.param(("これは日本語の文です。二つ目の文です。三つ目の文です。",), 3, id="japanese"),
    pytest.param(("ᚠᚢᚦᚨᚱᚲ ᚷᚹᚺᚾ. ᛁᛃᛇᛈ ᛉᛊᛏ.",), 2, id="runic-script"),
]


@pytest.mark.parametrize(("paragraphs", "most"), HOSTILE)
def test_hostile_inputs_give_a_sensible_summary(engine: str, paragraphs: tuple[str, ...], most: int) -> None:
    article = build_article(*paragraphs, language=None)
    summary = summarize_article(article, engine=engine, length=Length.sentences(3))
    assert 1 <= len(summary.sentences) <= most
    for sentence in summary.sentences:
        assert_made_of_spans(article.text, sentence)


def test_100k_word_document(engine: str) -> None:
    paragraph = " ".join(
        f"Sentence {i} says the council met in hall {i % 97} to discuss item {i % 13}." for i in range(100)
    )
    article = build_article(*([paragraph] * 100))  # ~100,000 words, 10,000 sentences
    assert article.word_count >= 100_000
    summary = summarize_article(article, engine=engine, length=Length.ratio(0.01))
    assert 1 <= len(summary.sentences) <= 100


def test_scores_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Batch runs compare summaries across processes: set iteration order must not leak into scores."""
    source = tmp_path / "story.txt"
    source.write_text("\n\n".join(STORY.paragraphs), encoding="utf-8")
    outputs = set()
    for seed in ("1", "2", "3"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "newsbrief",
                "summarize",
                str(source),
                "-e",
                "newsbrief.v3",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        data = json.loads(result.stdout)
        outputs.add(json.dumps([(s["index"], s["score"]) for s in data["sentences"]]))
    assert len(outputs) == 1


def test_learned_engine_ignores_paragraph_breaks() -> None:
    """The training articles have no paragraph breaks, so the scores must not depend on them."""
    from newsbrief.engines import get_engine
    from newsbrief.pipeline import prepare

    engine = get_engine("newsbrief.v3")
    one_paragraph = dataclasses.replace(STORY, paragraphs=(" ".join(STORY.paragraphs),))
    split = engine.score(prepare(STORY)).scores
    joined = engine.score(prepare(one_paragraph)).scores
    assert len(split) == len(joined)
    assert split == pytest.approx(joined)


def test_learned_engine_fades_its_key_point_priors_for_long_summaries() -> None:
    from newsbrief.engines import get_engine
    from newsbrief.pipeline import prepare

    engine = get_engine("newsbrief.v3")
    document = prepare(STORY)
    unknown = engine.score(document).scores
    assert engine.score(document, sentences=3).scores == unknown  # the size the priors were fit for
    assert engine.score(document, sentences=2).scores == unknown
    assert engine.score(document, sentences=8).scores != unknown


def test_a_word_budget_is_read_as_sentences_of_average_length() -> None:
    from newsbrief.pipeline import prepare
    from newsbrief.selection import Budget, expected_sentences

    document = prepare(STORY)  # 5 sentences, 57 words
    assert expected_sentences(Budget(sentences=3), document) == 3
    assert expected_sentences(Budget(sentences=5, words=28), document) == 2
    assert expected_sentences(Budget(sentences=5, words=1), document) == 1
    assert expected_sentences(Budget(sentences=5, words=10_000), document) == 5
