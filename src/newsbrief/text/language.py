"""Language identification (py3langid), restricted to news languages for stable answers on short texts."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import islice
from typing import Any

from newsbrief.text.tokens import stop_word_set, words

# Restricting the candidate set removes confusions such as Russian read as Bulgarian on short texts.
NEWS_LANGUAGES = (
    "en", "ru", "fr", "de", "es", "it", "pt", "nl", "pl", "uk", "tr", "ar", "zh", "ja", "ko",
    "sv", "da", "no", "fi", "cs", "ro", "hu", "el", "he", "hi", "id", "fa", "ca",
)  # fmt: skip
# The stop-word fast path decides among these, on at least this many words, with a clear margin.
_FAST_PATH_LANGUAGES = ("en", "ru", "fr", "de", "es")
_FAST_PATH_MIN_WORDS = 30
_FAST_PATH_MIN_SHARE = 0.25
_FAST_PATH_MARGIN = 2.0
# Enough characters for a confident answer; identification cost grows with length and gains nothing past it.
_SAMPLE_CHARS = 1500
_LETTER = re.compile(r"[^\W\d_]")
_MIN_LETTERS = 20


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(NEWS_LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or unclear."""
    sample = text[:_SAMPLE_CHARS]
    # Stop at the _MIN_LETTERS-th letter instead of listing every letter of the sample.
    if next(islice(_LETTER.finditer(sample), _MIN_LETTERS - 1, None), None) is None:
        return None
    by_stop_words = _by_stop_words(sample)
    if by_stop_words is not None:
        return by_stop_words
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= 0.5 else None


@lru_cache(maxsize=1)
def _stop_word_languages() -> dict[str, tuple[str, ...]]:
    """Each stop word of the fast-path languages, with the languages it belongs to."""
    languages: dict[str, list[str]] = {}
    for code in _FAST_PATH_LANGUAGES:
        for word in stop_word_set(code):
            languages.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in languages.items()}


def _by_stop_words(sample: str) -> str | None:
    """The fast path: a clear winner on the share of stop words among our main languages.

    Running text in a language is 35-55% its stop words and rarely 15% another's, so a clear margin is a
    safe answer; anything less clear goes to the statistical identifier (which costs ~1 s to load).
    """
    tokens = words(sample)
    if len(tokens) < _FAST_PATH_MIN_WORDS:
        return None
    hits: Counter[str] = Counter()
    index = _stop_word_languages()
    counts = Counter(tokens)
    # Only the sample's stop words are visited (a set intersection in C); integer sums, any order.
    for token in counts.keys() & index.keys():
        seen = counts[token]
        for code in index[token]:
            hits[code] += seen
    shares = sorted(((hits[code] / len(tokens), code) for code in _FAST_PATH_LANGUAGES), reverse=True)
    (best_share, best), (second_share, _) = shares[0], shares[1]
    if best_share >= _FAST_PATH_MIN_SHARE and best_share >= _FAST_PATH_MARGIN * second_share:
        return best
    return None
