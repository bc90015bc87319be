"""The speed-ups of newsbrief.v3's hot path answer exactly as the plain definitions they replace.

Each fast path (a substring search for a regular expression, a quote-mark expression that starts with its
characters, ``take`` for array indexing, a cheap reject before counting letters) is checked against the
straightforward version on random strings and arrays, including the edge cases that tell them apart.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from newsbrief import compression
from newsbrief.engines.features import _QUOTES, FEATURE_NAMES, _has_any, _has_digit
from newsbrief.engines.newsbrief_v3 import load_model
from newsbrief.selection import _LETTER, is_shouting

# Characters that exercise word edges, apostrophes, quotes, non-ASCII digits and letters, capitals.
POOL = [*"aZé9_ .,!?-\"“”«»„'‘’ßİ٣५\n", "don't", "Obama's", "'Yes,'", "rock'n'roll", "NASA", "ſ"]
# The quote-mark expression as first written (three alternatives, tried at every position).
PLAIN_QUOTE_MARK = re.compile(r"[\"“”«»„]|(?<![^\W_])['‘’](?=[^\W_])|(?<=[^\W_.,!?])['‘’](?![^\W_])")


def random_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(0, 16))) for _ in range(count)]


def plain_is_shouting(text: str) -> bool:
    letters = _LETTER.findall(text)
    if len(letters) < 10 or sum(1 for word in text.split() if _LETTER.search(word)) < 3:
        return False
    return sum(1 for letter in letters if letter.isupper()) >= 0.9 * len(letters)


def test_character_tests_match_the_expressions() -> None:
    for text in random_texts(20_000):
        assert _has_digit(text) == (re.search(r"\d", text) is not None), text
        assert _has_any(text, _QUOTES) == (re.search('["“”«»„]', text) is not None), text


def test_quote_marks_match_the_plain_expression() -> None:
    for text in random_texts(20_000):
        plain = [m.span() for m in PLAIN_QUOTE_MARK.finditer(text)]
        assert [m.span() for m in compression._QUOTE_MARK.finditer(text)] == plain, text


@pytest.mark.parametrize("count", [1, 2, 3])
def test_first_words_match_findall(count: int) -> None:
    for text in random_texts(5_000):
        plain = [word.lower() for word in compression._WORD.findall(text)[:count]]
        assert compression._first_words(text, count) == plain, text


@pytest.mark.parametrize(
    "text",
    [
        "CLICK FOR FULL STATE SWIM RESULTS",
        "BREAKING NEWS: STORM HITS THE COAST AT DAWN",
        "SHOUTING ALL THE WAY, with a quiet tail",
        "The council met on Monday to discuss the budget.",
        "NASA and the ESA agreed on a plan.",
        "ÉTAT D'URGENCE DÉCLARÉ DANS LA RÉGION",
    ],
)
def test_shouting_matches_the_plain_count(text: str) -> None:
    assert is_shouting(text) == plain_is_shouting(text)


def test_shouting_on_random_text() -> None:
    rng = random.Random(3)
    letters = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + list("etaoinsrhlxyz") + [" ", " ", ".", "É", "ß"]
    for _ in range(20_000):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 60)))
        assert is_shouting(text) == plain_is_shouting(text), text


def plain_predict(values: np.ndarray, style: str) -> np.ndarray:
    """The level-by-level walk as first written: array indexing, every level gathered per row."""
    ensemble = load_model().ensembles[style]
    rows, columns = values.shape
    flat = values.astype(np.float32).astype(np.float64).ravel()
    row_start = np.arange(0, rows * columns, columns, dtype=np.int64)[:, None]
    node = np.broadcast_to(ensemble.roots, (rows, len(ensemble.roots)))
    for _ in range(ensemble.depth):
        goes_right = flat[row_start + ensemble.feature[node]] > ensemble.threshold[node]
        node = ensemble.left[node] + goes_right
    result: np.ndarray = ensemble.base + ensemble.learning_rate * ensemble.value[node].sum(axis=1)
    return result


@pytest.mark.parametrize("style", ["bullets", "headline"])
def test_tree_walk_matches_the_plain_walk(style: str) -> None:
    ensemble = load_model().ensembles[style]
    thresholds = ensemble.threshold[np.isfinite(ensemble.threshold)]
    rng = np.random.default_rng(5)
    for rows in (1, 2, 7, 40):
        values = rng.random((rows, len(FEATURE_NAMES)))
        on_threshold = rng.random(values.shape) < 0.3  # values sitting exactly on a split
        values[on_threshold] = rng.choice(thresholds, size=int(on_threshold.sum()))
        assert ensemble.predict(values).tobytes() == plain_predict(values, style).tobytes()
