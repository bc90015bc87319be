"""Sentence segmentation with character spans into ``Article.text``.

The splitter is Wikimedia's ``sentencex`` (rule-based, ~300 languages, compiled): on our hard cases it ties
with Punkt and pySBD and it is 17-500x faster than them (docs/benchmarks.md, bench/splitters.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sentencex

from newsbrief.errors import InputTooLarge
from newsbrief.models import PARAGRAPH_SEPARATOR, Article, Sentence

_HAS_WORD = re.compile(r"[^\W\d_]", re.UNICODE)
# A code in capitals right before a dot ("AAPL." after a space or a bracket), and an exchange suffix after
# it, then the end of the token ("O", "L", "HK" before a space, a bracket or punctuation).
_CODE_BEFORE_DOT = re.compile(r"(?:^|[\s(\[])[A-Z0-9]{1,8}\.$")
_EXCHANGE_SUFFIX = re.compile(r"[A-Z0-9]{1,3}(?=[\s)\],;:]|[.!?]?$|[.!?]\s)")
# Longer than any title with the character before it ("(Prof." is 6).
_TITLE_WINDOW = 12
# sentencex knows these languages' abbreviations; anything else falls back to its generic rules ("en").
_FALLBACK_LANGUAGE = "en"
# A wire credit glued to the first word, "(CNN)Gen. Dempsey" or "(Reuters)U.S. troops": the splitter would
# read "(CNN)Gen." as one word ending a sentence instead of an abbreviation. Spaces in place of the brackets
# keep every offset and let it see "Gen." and "U.S." as words.
_GLUED_CREDIT = re.compile(r"\((\w[^()\s]{0,30})\)(?=\w)")
# Titles that only ever stand before a name, which sentencex's lists lack in some positions ("a déclaré M.
# Moscovici", "Le Dr. Bernard"): a cut right after one is no sentence end. Per language, because a lone
# capital ends English sentences ("Malcolm X.", "Plan B.") while the French "M." is "Monsieur".
_TITLES_BEFORE_NAMES = {
    "fr": re.compile(r"(?:^|[\s(\"“«’'])(?:M|MM|Mme|Mlle|Dr|Pr|Mgr|Me)\.$"),
    "en": re.compile(r"(?:^|[\s(\"“])(?:Mr|Mrs|Ms|Dr|Prof|Rev|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt)\.$"),
}


# An article of more sentences than this is no news article (a long feature has a few hundred), and the
# objects kept per sentence (about 1 KB with its terms and features) would grow to gigabytes: 10 MB of
# "Go. " is 2.4 million sentences. Refused, with a clear error, before the work is done.
MAX_SENTENCES = 100_000
# A paragraph longer than this goes to the splitter in pieces of at most this size, each cut after a
# sentence end, so that one call never returns millions of boundaries and the limit above is checked as
# sentences come. News paragraphs are far shorter (the longest in our data is 15,000 characters): their
# sentences are the splitter's own.
PIECE_CHARS = 100_000
_PIECE_END = re.compile(r"[.!?。！？…]+[\"'”’»)\]]*\s+")


def split_sentences(paragraph: str, language: str | None = None) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of one paragraph, trimmed of whitespace."""
    return list(iter_sentence_spans(paragraph, language))


def iter_sentence_spans(paragraph: str, language: str | None = None) -> Iterator[tuple[int, int]]:
    """``split_sentences`` as it goes: a huge paragraph is split one piece at a time."""
    for offset, piece in _pieces(paragraph):
        for start, end in _split_piece(piece, language):
            yield offset + start, offset + end


def _pieces(paragraph: str) -> Iterator[tuple[int, str]]:
    """``(offset, piece)``: the paragraph itself, or pieces of it under PIECE_CHARS cut after a sentence
    end (else after a space, else anywhere), so that the work per piece is bounded."""
    start = 0
    while len(paragraph) - start > PIECE_CHARS:
        window_start, limit = start + PIECE_CHARS // 2, start + PIECE_CHARS
        cut = None
        for match in _PIECE_END.finditer(paragraph, window_start, limit):
            cut = match.end()
        if cut is None:
            space = paragraph.rfind(" ", window_start, limit)
            cut = space + 1 if space > 0 else limit
        yield start, paragraph[start:cut]
        start = cut
    yield start, paragraph[start:] if start else paragraph


def _split_piece(paragraph: str, language: str | None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    readable = _GLUED_CREDIT.sub(r" \1 ", paragraph)
    for boundary in sentencex.get_sentence_boundaries(language or _FALLBACK_LANGUAGE, readable):
        start, end = boundary["start_index"], boundary["end_index"]
        piece = paragraph[start:end]
        stripped = piece.strip()
        if not stripped:
            continue
        start += len(piece) - len(piece.lstrip())
        spans.append((start, start + len(stripped)))
    return _merge_false_cuts(paragraph, spans, language)


def _merge_false_cuts(
    paragraph: str, spans: list[tuple[int, int]], language: str | None
) -> list[tuple[int, int]]:
    """Glue to the sentence before it every piece that cannot stand alone, in one pass:
    - a piece with no letters (a stray "—" or "1.");
    - a piece starting with a lowercase word: no sentence starts with one, so the splitter took an
      abbreviation it does not know for a full stop ("т. е. прибыл", "approx. two"). Only in cased writing:
      in a text typed all in lowercase (a chat message, a lowercased corpus) every sentence starts so;
    - a piece after a title that stands before a name ("M. Moscovici");
    - a piece glued to a full stop, with no space between, when the dot is inside a token, not a sentence
      end (ticker codes ".DJI", ".N225", "AAPL.O"). Only an ASCII full stop: Chinese and Japanese
      sentences follow "。" without a space.
    """
    title = _TITLES_BEFORE_NAMES.get(language or _FALLBACK_LANGUAGE)
    lowercase_starts = [_starts_lowercase(paragraph, start) for start, _ in spans]
    cased = sum(lowercase_starts) * 2 <= len(spans)
    merged: list[tuple[int, int]] = []
    for (start, end), starts_lowercase in zip(spans, lowercase_starts, strict=True):
        if merged and (
            not _HAS_WORD.search(paragraph, start, end)
            or (cased and starts_lowercase)
            or (title is not None and _ends_with_title(title, paragraph, merged[-1]))
            or _dot_inside_token(paragraph, merged[-1][1], start)
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _ends_with_title(title: re.Pattern[str], paragraph: str, span: tuple[int, int]) -> bool:
    # Only the span's last characters: a title is a short word at its end, and searching a long merged span
    # from its start again at every cut would take quadratic time.
    start, end = span
    return title.search(paragraph, max(start, end - _TITLE_WINDOW), end) is not None


def _dot_inside_token(paragraph: str, previous_end: int, start: int) -> bool:
    """Whether the cut before ``start`` is inside a token: right after a full stop that stands alone after a
    space (" .DJI", " .N225"), or between a code in capitals and an exchange suffix of one to three
    ("AAPL.O", "VOD.L", "0005.HK"). Glued sentences ("the river.It", "de l'AFP.L'ex-chef", "l'ONU.SÉISME")
    are missing a space, and stay two sentences."""
    if start != previous_end or paragraph[previous_end - 1] != "." or not paragraph[start].isalnum():
        return False
    if previous_end >= 2 and paragraph[previous_end - 2].isspace():
        return True
    before = _CODE_BEFORE_DOT.search(paragraph, max(0, previous_end - 12), previous_end)
    after = _EXCHANGE_SUFFIX.match(paragraph, start)
    return before is not None and after is not None


def _starts_lowercase(paragraph: str, start: int) -> bool:
    """Whether the text at ``start`` is a lowercase word ("two", "прибыл"; not a brand like "iPhone")."""
    return paragraph[start].islower() and paragraph[start : start + 40].split(maxsplit=1)[0].islower()


def segment_article(article: Article) -> tuple[Sentence, ...]:
    """All sentences of an article in order, each with its paragraph and span in ``article.text``."""
    sentences: list[Sentence] = []
    offset = 0
    for paragraph_index, paragraph in enumerate(article.paragraphs):
        for start, end in iter_sentence_spans(paragraph, article.language):
            if len(sentences) == MAX_SENTENCES:
                raise InputTooLarge(
                    f"the text has more than {MAX_SENTENCES:,} sentences: "
                    "too long to summarize as one article"
                )
            sentences.append(
                Sentence(
                    index=len(sentences),
                    text=paragraph[start:end],
                    paragraph=paragraph_index,
                    start=offset + start,
                    end=offset + end,
                )
            )
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return tuple(sentences)


def has_words(text: str) -> bool:
    """True when the text holds at least one letter."""
    return _HAS_WORD.search(text) is not None
