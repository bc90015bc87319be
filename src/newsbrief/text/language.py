"""Language identification (py3langid), restricted to news languages for stable answers on short texts."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Restricting the candidate set removes confusions such as Russian read as Bulgarian on short texts.
NEWS_LANGUAGES = (
    "en", "ru", "fr", "de", "es", "it", "pt", "nl", "pl", "uk", "tr", "ar", "zh", "ja", "ko",
    "sv", "da", "no", "fi", "cs", "ro", "hu", "el", "he", "hi", "id", "fa", "ca",
)  # fmt: skip
# Enough characters for a confident answer; identification cost grows with length and gains nothing past it.
_SAMPLE_CHARS = 2000


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(NEWS_LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or unclear."""
    sample = text[:_SAMPLE_CHARS]
    if sum(character.isalpha() for character in sample) < 20:
        return None
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= 0.5 else None
