import pickle

import pytest

from newsbrief.errors import BadLength
from newsbrief.models import Article, Length, LengthUnit
from tests.conftest import build_article


@pytest.mark.parametrize(
    ("spec", "unit", "value"),
    [
        pytest.param("3", LengthUnit.SENTENCES, 3, id="sentences"),
        pytest.param("20%", LengthUnit.RATIO, 0.2, id="ratio"),
        pytest.param("120w", LengthUnit.WORDS, 120, id="words"),
        pytest.param("30s", LengthUnit.SECONDS, 30, id="seconds"),
    ],
)
def test_length_parse(spec: str, unit: LengthUnit, value: float) -> None:
    assert Length.parse(spec) == Length(unit, value)


@pytest.mark.parametrize("spec", ["0", "-2", "150%", "abc", "2.5", "0s"])
def test_length_refuses_nonsense(spec: str) -> None:
    with pytest.raises(BadLength):
        Length.parse(spec)


def test_article_text_joins_paragraphs_and_hash_tracks_content() -> None:
    article = build_article("One.", "Two.", title="T")
    assert article.text == "One.\n\nTwo."
    assert article.content_hash == build_article("One.", "Two.", title="T").content_hash
    assert article.content_hash != build_article("One.", "Two!", title="T").content_hash
    assert article.content_hash != build_article("One.", "Two.", title="U").content_hash


def test_models_are_picklable_and_frozen() -> None:
    article = Article(paragraphs=("A sentence.",), title="T")
    assert pickle.loads(pickle.dumps(article)) == article
    with pytest.raises(AttributeError):
        article.title = "other"  # type: ignore[misc]
