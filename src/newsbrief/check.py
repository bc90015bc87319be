"""The summary checker: is each sentence of a summary supported by its article, and where?

The rule, in a paragraph: both texts are cut into sentences and words (the article's sentence spans index the
article text as given); words are compared lowercased and stemmed, after undoing the tokenisation of model
output ("-lrb-", "did n't") and reading numbers as values ("five" and "5", "2.5m" and "2.5 million"). Each
summary sentence is aligned to the fewest article sentences that hold its content words (a greedy cover: its
supporting spans). Its base score mixes the share of its word pairs the article has (pairs catch words
recombined), and the shares of its words that its best sentence and all its supporting sentences hold; each
unsupported part then takes a share of what is left: a number, date, name or quote the article lacks, a
negation on one side only, a content word the article never uses, or a "relation" (words the article has,
mostly outside the best sentence: facts joined that the article keeps apart). The summary scores as its worst
sentence, because one invented fact is enough to make a summary wrong.

The weights, penalties and reaches were tuned on FRANK's validation split (docs/benchmarks.md, "The checker").
Pure: no I/O, no web, no database; a few milliseconds per pair.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from newsbrief.errors import BinaryInput, EmptyInput, InvalidInput, NewsbriefError, NoSentences
from newsbrief.text.language import detect_language
from newsbrief.text.segment import split_sentences
from newsbrief.text.tokens import stemmer_for, stop_word_set

__all__ = ["Check", "CheckedSentence", "UnsupportedPart", "check", "check_pair_line"]

# A sentence is "supported" (the verdict the CLI prints and an LLM gate uses) when it scores at least this
# and has no unsupported part of these kinds: a paraphrase may use new words, never new facts.
SUPPORTED_THRESHOLD = 0.6
HARD_REASONS = frozenset({"number", "date", "name", "quote", "negation"})

# Numbers first ("100,000", "2.5", "10:30"), then words with inner apostrophes ("watson's", "n't" glued).
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")
# Tokenised model output, as FRANK's summaries carry it: PTB brackets and quotes, "#" for "£".
_PTB = re.compile(r"-lrb-|-rrb-|-lsb-|-rsb-|-lcb-|-rcb-|``|''", re.IGNORECASE)
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A sentence glued to the next without a space ("time.He was"): XSum articles, scraped text.
# Found by its stop and capital, then what stands before the stop is checked (a lookbehind is slow).
_GLUED_STOP = re.compile(r"[.!?][\"”’]?(?=[A-Z][^\W\d_])")
_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,400})[\"“”]|(?<!\w)['‘]([^'‘’]{3,400})['’](?!\w)")

_NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "nowhere"}
)
_UNITS = {
    "hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}  # fmt: skip
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1e6, "billion": 1e9, "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4,
    "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "twice": 2, "half": 0.5,
}  # fmt: skip
# Number words a summary uses in other senses too often to flag ("one of them", "a second look").
_SOFT_NUMBER_WORDS = frozenset(
    {"one", "first", "second", "half", "hundred", "thousand", "million", "billion"}
)
_MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)  # fmt: skip
# Months that are also common words: a date only when written like one ("March", not "march").
_AMBIGUOUS_MONTHS = frozenset({"march", "may"})

# Tuned on frank-valid (docs/benchmarks.md): a sentence's base score mixes the share of its word pairs the
# article has anywhere (pairs catch words recombined), the share of its content words its best article
# sentence holds (the alignment), and the share all its supporting sentences hold (the cover). Plain word
# overlap added nothing once these were in.
_WEIGHT_PAIRS = 0.4
_WEIGHT_BEST = 0.4
_WEIGHT_COVER = 0.2
# What each unsupported part costs a sentence, on top of its missing words and pairs (swept 0-0.4 each).
_PENALTY = {
    "number": 0.2, "date": 0.2, "name": 0.2, "word": 0.2, "negation": 0.2, "quote": 0.1, "relation": 0.1,
}  # fmt: skip
# The best sentence holds less than this share of the words the article has somewhere: a relation error.
_RELATION_SHARE = 0.6
# Tokens a negation reaches: "did not approve the budget" negates "approve".
_NEGATION_REACH = 3
# English function words. The stop-words list scoring uses (1,333 English words) holds words that carry facts
# ("five", "fire", "close", "years", "bill"): a checker must compare those, so English gets this short list
# of closed-class words; other languages keep their stop-words list.
_FUNCTION_WORDS_EN = """
    a an the this that these those some any each every either neither all both no such own other another
    i me my mine we us our ours you your yours he him his she her hers it its they them their theirs one
    myself yourself himself herself itself ourselves themselves who whom whose which what where when why how
    whoever whatever whichever there here
    be is am are was were been being have has had having do does did doing will would shall should can could
    may might must ought 's 'd 'll 're 've
    and or but nor so yet if then than because as while although though unless until since whether also
    too very just only even still already again ever
    of in on at by for with about against between into through during before after above below to from up
    down out off over under onto upon within without among amongst across along around behind beyond near
    per via toward towards
    said says say told tell"""
_ENGLISH_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_EN.split()) | _NEGATIONS
_NONE: frozenset[str] = frozenset()
# How many content words apart two article words may stand and still pair up (1: neighbours only).
_PAIR_REACH = 3
# Unknown-word placeholders of model outputs: nothing to check in them.
_PLACEHOLDERS = frozenset({"unk"})
_MAX_SUPPORT_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class UnsupportedPart:
    """A part of a summary sentence the article does not support: its text, span in the summary, and why.

    ``reason`` is one of: ``number``, ``date``, ``name``, ``quote``, ``negation``, ``relation`` (words the
    article has, but never together) or ``word`` (a content word the article never uses).
    """

    text: str
    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class CheckedSentence:
    """One summary sentence: its score (0..1), its span in the summary, the article spans supporting it."""

    text: str
    start: int
    end: int
    score: float
    supported: bool
    spans: tuple[tuple[int, int], ...]
    unsupported: tuple[UnsupportedPart, ...]


@dataclass(frozen=True, slots=True)
class Check:
    """The verdict on a summary: ``score`` 0..1 (higher is more faithful) and each sentence's."""

    score: float
    supported: bool
    language: str | None
    sentences: tuple[CheckedSentence, ...]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict (the CLI's and the API's shape)."""
        return {
            "score": round(self.score, 4),
            "supported": self.supported,
            "language": self.language,
            "sentences": [
                {
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "score": round(s.score, 4),
                    "supported": s.supported,
                    "spans": [list(span) for span in s.spans],
                    "unsupported": [
                        {"text": p.text, "start": p.start, "end": p.end, "reason": p.reason}
                        for p in s.unsupported
                    ],
                }
                for s in self.sentences
            ],
        }


@dataclass(frozen=True, slots=True)
class _Token:
    """A token of either text: its surface form (lowercased), stem, offsets, and what it is."""

    lower: str
    stem: str
    start: int
    end: int
    content: bool
    capitalised: bool


@dataclass(frozen=True, slots=True)
class _Index:
    """What the article offers for lookups: its sentences, their terms, word pairs, numbers, negations."""

    spans: tuple[tuple[int, int], ...]
    sentence_terms: tuple[frozenset[str], ...]
    term_sentences: dict[str, tuple[int, ...]]
    stems: frozenset[str]
    lowers: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    numbers: frozenset[float]
    negated_terms: tuple[frozenset[str], ...]
    # Per sentence, each content stem's first and last position: a summary pair (a, b) with a before b in one
    # sentence is that sentence minus what lay between (a compressed extract: "X, a senior figure, was among
    # the escapees" -> "X was among the escapees"), however far apart a and b were.
    first_positions: tuple[dict[str, int], ...]
    last_positions: tuple[dict[str, int], ...]


def check(
    article: str,
    summary: str | Sequence[str],
    *,
    language: str | None = None,
) -> Check:
    """Check a summary against its article, sentence by sentence.

    Args:
        article: the article's text; the spans in the result index into it.
        summary: the summary's text, or its sentences (a list: no sentence splitting).
        language: ISO 639-1 code; default detected from the article (stemming and stop words follow it).

    Returns:
        A ``Check``: the overall score and, per summary sentence, its score, supporting article spans and
        unsupported parts.

    Raises:
        EmptyInput: an empty article or summary.
        BinaryInput: NUL bytes, or text that is no valid Unicode (lone surrogates).
        NoSentences: an article or summary without any words.
        InvalidInput: a language that is no ISO 639 code.
    """
    _validate(article, "article")
    parts = [summary] if isinstance(summary, str) else list(summary)
    if not parts:
        raise EmptyInput("the summary has no sentences")
    for part in parts:
        _validate(part, "summary")
    if language is not None and not _LANGUAGE_CODE.fullmatch(language):
        raise InvalidInput(f"language must be an ISO 639-1 code such as 'en', got {language[:20]!r}")
    language = language or detect_language(article) or "en"
    index = _index_article(article, language)
    if not index.spans:
        raise NoSentences("the article has no words to check against")
    summary_text, sentence_spans = _summary_sentences(summary, parts, language)
    checked = tuple(
        _check_sentence(summary_text, start, end, index, language) for start, end in sentence_spans
    )
    if not checked:
        raise NoSentences("the summary has no words to check")
    supported = all(sentence.supported for sentence in checked)
    return Check(score=_overall(checked), supported=supported, language=language, sentences=checked)


def _validate(text: object, what: str) -> None:
    if not isinstance(text, str):
        raise InvalidInput(f"the {what} must be text")
    if not text.strip():
        raise EmptyInput(f"the {what} is empty")
    if "\x00" in text:
        raise BinaryInput(f"the {what} holds NUL characters: not text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BinaryInput(f"the {what} is not valid Unicode (a lone surrogate)") from None


def _summary_sentences(
    summary: str | Sequence[str], parts: list[str], language: str
) -> tuple[str, list[tuple[int, int]]]:
    """The summary's text and its sentence spans: given sentences joined by newlines, or split."""
    if isinstance(summary, str):
        spans = [span for span in _sentence_spans(summary, language) if _has_token(summary, span)]
        return summary, spans
    text = "\n".join(parts)
    spans, offset = [], 0
    for part in parts:
        stripped = part.strip()
        start = offset + len(part) - len(part.lstrip())
        if _TOKEN.search(stripped):
            spans.append((start, start + len(stripped)))
        offset += len(part) + 1
    return text, spans


def _has_token(text: str, span: tuple[int, int]) -> bool:
    return _TOKEN.search(text, span[0], span[1]) is not None


def _sentence_spans(text: str, language: str) -> Iterator[tuple[int, int]]:
    """Sentence spans over the whole text: per paragraph, then cut where a full stop is glued to a word."""
    offset = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        paragraph = text[offset:end]
        for start, stop in split_sentences(paragraph, language) if paragraph.strip() else []:
            yield from _unglue(text, offset + start, offset + stop)
        offset = match.end() if match else len(text)


def _unglue(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cut = start
    for glued in _GLUED_STOP.finditer(text, start, end):
        # Two letters or digits before the stop ("time.He", "2019.It"), not an initial ("U.S.Army").
        if glued.start() - cut >= 2 and text[glued.start() - 2 : glued.start()].isalnum():
            yield cut, glued.end()
            cut = glued.end()
    yield cut, end


def _clean(text: str) -> str:
    """Undo model-output tokenisation, keeping every offset (replacements have the same length)."""
    text = _PTB.sub(lambda match: " " * len(match.group()), text)
    # ("# 100,000", the CNN/DM models' "£100,000", needs nothing: "#" and "£" are no words.)
    return text.replace(" n't", "n't ")


def _tokens(text: str, language: str) -> list[_Token]:
    """The tokens of a summary sentence, with offsets (the article is indexed without them: faster)."""
    matches = list(_TOKEN.finditer(_clean(text)))
    words = _Words.of([match.group() for match in matches], language)
    return [
        _Token(lower, stem, match.start(), match.end(), content, match.group()[0].isupper())
        for match, lower, stem, content in zip(matches, words.lowers, words.stems, words.content, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class _Words:
    """Parallel lists over the words of a text: base form (lowercased), stem, and whether it is content."""

    lowers: list[str]
    stems: list[str]
    content: list[bool]

    @classmethod
    def of(cls, words: list[str], language: str) -> _Words:
        """Each word's facts come from the language's table; only words it has not seen are worked out."""
        table = _word_table(language)
        lowered = [word.lower() for word in words]
        new = set(lowered).difference(table)
        learned = _learn(table, sorted(new), language) if new else {}
        facts = [learned[word] if word in learned else table[word] for word in lowered]
        lowers = [fact[0] for fact in facts]
        stems = [fact[1] for fact in facts]
        content = [fact[2] for fact in facts]
        if not _UNITS.keys().isdisjoint(lowers):
            _fold_units(lowers, stems, content)
        return cls(lowers, stems, content)


# Words seen per language, with their base form, stem and content flag: news reuses its words, so after a
# few articles almost every lookup is a hit (a third of the cost was working them out again per article).
# Entries are never removed (threads share the table: a word seen in it stays there); past the limit new
# words are worked out per call instead, which bounds the memory of a long-running service.
_TABLE_LIMIT = 500_000


@lru_cache(maxsize=32)
def _word_table(language: str) -> dict[str, tuple[str, str, bool]]:
    return {}


def _learn(
    table: dict[str, tuple[str, str, bool]], words: list[str], language: str
) -> dict[str, tuple[str, str, bool]]:
    """The facts of new words, kept in the table while it has room."""
    bases = [_base_form(word) for word in words]
    stems = stemmer_for(language)(bases)
    stops = _ENGLISH_FUNCTION_WORDS if language == "en" else stop_word_set(language)
    learned = {}
    for word, base, stem in zip(words, bases, stems, strict=True):
        value = _number_value(base) if base[0].isdigit() or base in _NUMBER_WORDS else None
        # "five", "5" and "5.0" are one term.
        learned[word] = (base, stem if value is None else f"{value:g}", _is_content(base, stops))
    if len(table) + len(learned) <= _TABLE_LIMIT:
        table.update(learned)
    return learned


def _fold_units(lowers: list[str], stems: list[str], content: list[bool]) -> None:
    """A unit after a number is part of it: "2.5m", "2.5 mn" and "2.5 million" are the same amount."""
    for position in range(1, len(lowers)):
        unit = _UNITS.get(lowers[position])
        if unit is not None and lowers[position - 1][0].isdigit():
            stems[position] = f"x{unit:g}"
            content[position] = False


def _is_content(word: str, stops: frozenset[str]) -> bool:
    """Words that carry facts: not stop words, placeholders or single letters (digits count)."""
    return word not in stops and word not in _PLACEHOLDERS and (len(word) > 1 or word.isdigit())


def _base_form(word: str) -> str:
    """The word without a possessive or a glued negation ("watson's" -> "watson", "didn't" -> "not")."""
    word = word.replace("’", "'")
    if word.endswith("n't") or word == "cannot":
        return "not"
    if word.endswith("'s"):
        return word[:-2]
    return word


def _index_article(text: str, language: str) -> _Index:
    spans = [span for span in _sentence_spans(text, language) if _has_token(text, span)]
    cleaned = _clean(text)
    per_sentence = [_TOKEN.findall(cleaned, start, end) for start, end in spans]
    words = _Words.of([word for sentence in per_sentence for word in sentence], language)
    numeric = {word for word in set(words.lowers) if word[0].isdigit() or word in _NUMBER_WORDS}
    sentence_terms: list[frozenset[str]] = []
    negated: list[frozenset[str]] = []
    first_positions: list[dict[str, int]] = []
    last_positions: list[dict[str, int]] = []
    pairs: set[tuple[str, str]] = set()
    numbers: set[float] = set()
    offset = 0
    for sentence in per_sentence:
        part = slice(offset, offset + len(sentence))
        lowers, stems, content = words.lowers[part], words.stems[part], words.content[part]
        offset += len(sentence)
        kept = [stem for stem, keep in zip(stems, content, strict=True) if keep]
        sentence_terms.append(frozenset(kept))
        last_positions.append({stem: position for position, stem in enumerate(kept)})
        first_positions.append({stem: position for position, stem in reversed(list(enumerate(kept)))})
        pairs.update(_skip_pairs(stems, content))
        # Most sentences hold no negation and no number: a set test spares them the scans.
        negation = not _NEGATIONS.isdisjoint(lowers)
        negated.append(frozenset(stems[i] for _, i in _negated(lowers, content)) if negation else _NONE)
        if not numeric.isdisjoint(lowers):
            numbers.update(value for _, values in _number_values(lowers) for value in values)
    term_sentences: dict[str, list[int]] = {}
    for number, terms in enumerate(sentence_terms):
        for term in terms:
            term_sentences.setdefault(term, []).append(number)
    return _Index(
        spans=tuple(spans),
        sentence_terms=tuple(sentence_terms),
        term_sentences={term: tuple(found) for term, found in term_sentences.items()},
        stems=frozenset(words.stems),
        lowers=frozenset(words.lowers),
        pairs=frozenset(pairs),
        numbers=frozenset(numbers),
        negated_terms=tuple(negated),
        first_positions=tuple(first_positions),
        last_positions=tuple(last_positions),
    )


def _pairs(stems: Sequence[str], content: Sequence[bool]) -> Iterator[tuple[str, str]]:
    """Neighbouring content stems, skipping stop words between them ("court of appeal" -> court, appeal)."""
    kept = [stem for stem, keep in zip(stems, content, strict=True) if keep]
    return pairwise(kept)


def _skip_pairs(stems: Sequence[str], content: Sequence[bool]) -> Iterator[tuple[str, str]]:
    """The article's pairs: each content stem with the next few, so a summary that drops a clause ("the
    old library will close" from "the old library, built in 1962, will close") keeps its pairs."""
    kept = [stem for stem, keep in zip(stems, content, strict=True) if keep]
    for reach in range(1, _PAIR_REACH + 1):
        yield from zip(kept, kept[reach:], strict=False)


def _number_values(lowers: Sequence[str]) -> Iterator[tuple[int, frozenset[float]]]:
    """``(position, values)`` of each number: "2.5 million" is 2.5 and 2500000 (either may be cited)."""
    for position, word in enumerate(lowers):
        if not (word[0].isdigit() or word in _NUMBER_WORDS):
            continue
        value = _number_value(word)
        if value is None:
            continue
        multiplier = _UNITS.get(lowers[position + 1]) if position + 1 < len(lowers) else None
        values = {value} if multiplier is None else {value, value * multiplier}
        yield position, frozenset(round(v, 6) for v in values)


def _number_value(word: str) -> float | None:
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    try:
        return float(word.replace(",", ""))
    except ValueError:
        return None  # "10:30", "1.2.3": compared as written


def _check_sentence(summary: str, start: int, end: int, index: _Index, language: str) -> CheckedSentence:
    tokens = [_shifted(token, start) for token in _tokens(summary[start:end], language)]
    content = [token for token in tokens if token.content]
    found = [token for token in content if token.stem in index.stems or token.lower in index.lowers]
    found.extend(_numbers_found(tokens, index))
    support = _support(frozenset(token.stem for token in found), index)
    best = index.sentence_terms[support[0]] if support else frozenset()
    problems = _problems(summary[:end], tokens, {t.start for t in found}, support, best, index)
    score = _score(tokens, content, support, best, index, problems)
    return CheckedSentence(
        text=summary[start:end],
        start=start,
        end=end,
        score=score,
        supported=score >= SUPPORTED_THRESHOLD and not any(p.reason in HARD_REASONS for p in problems),
        spans=tuple(index.spans[i] for i in sorted(support)),
        unsupported=tuple(problems),
    )


def _numbers_found(tokens: list[_Token], index: _Index) -> Iterator[_Token]:
    """Numbers the article states in another form ("2.5m" for "2,500,000")."""
    for position, values in _number_values([token.lower for token in tokens]):
        token = tokens[position]
        if token.content and token.stem not in index.stems and values & index.numbers:
            yield token


def _shifted(token: _Token, offset: int) -> _Token:
    return _Token(
        token.lower, token.stem, token.start + offset, token.end + offset, token.content, token.capitalised
    )


def _support(terms: frozenset[str], index: _Index) -> list[int]:
    """The fewest article sentences holding the terms: greedily the one adding the most new terms."""
    chosen: list[int] = []
    left = set(terms)
    while left and len(chosen) < _MAX_SUPPORT_SENTENCES:
        candidates = {i for term in left for i in index.term_sentences.get(term, ())}
        if not candidates:
            break
        best = max(candidates, key=lambda i: (len(index.sentence_terms[i] & left), -i))
        gain = index.sentence_terms[best] & left
        # A further sentence sharing a single word is no support, unless most words are still unplaced.
        if chosen and len(gain) < 2 and len(left) < len(terms) / 2:
            break
        chosen.append(best)
        left -= gain
    return chosen


def _problems(
    summary: str,
    tokens: list[_Token],
    found: set[int],
    support: list[int],
    best: frozenset[str],
    index: _Index,
) -> list[UnsupportedPart]:
    problems = _number_problems(summary, tokens, index)
    flagged = {problem.start for problem in problems}
    for position, token in enumerate(tokens):
        if token.content and token.start not in found and token.start not in flagged:
            reason = _word_reason(token, position)
            problems.append(_part(summary, token, token, reason))
    problems.extend(_quote_problems(summary, tokens, index))
    negation = _negation_problem(summary, tokens, support, index)
    relation = _relation_problem(summary, [t for t in tokens if t.start in found], best)
    problems.extend(problem for problem in (negation, relation) if problem is not None)
    return sorted(problems, key=lambda problem: (problem.start, problem.reason))


def _part(summary: str, first: _Token, last: _Token, reason: str) -> UnsupportedPart:
    return UnsupportedPart(summary[first.start : last.end], first.start, last.end, reason)


def _word_reason(token: _Token, position: int) -> str:
    """A missing word is a date when it names a month or day, a name when written like one (capitalised,
    and not merely because it starts the sentence), else just a word (lowercased text hides names)."""
    if token.lower in _MONTHS and (token.capitalised or token.lower not in _AMBIGUOUS_MONTHS):
        return "date"
    if token.capitalised and position > 0:
        return "name"
    return "word"


def _number_problems(summary: str, tokens: list[_Token], index: _Index) -> list[UnsupportedPart]:
    problems = []
    for position, values in _number_values([token.lower for token in tokens]):
        token = tokens[position]
        if token.lower in _SOFT_NUMBER_WORDS or values & index.numbers or token.lower in index.lowers:
            continue
        reason = "date" if _is_date(tokens, position, values) else "number"
        problems.append(_part(summary, token, token, reason))
    return problems


def _is_date(tokens: list[_Token], position: int, values: frozenset[float]) -> bool:
    """A year, or a day next to a month name."""
    if any(1900 <= value <= 2100 and value == int(value) for value in values):
        return True
    return any(token.lower in _MONTHS for token in tokens[max(0, position - 1) : position + 2])


def _quote_problems(summary: str, tokens: list[_Token], index: _Index) -> list[UnsupportedPart]:
    """A quotation with a word the article lacks, or most of whose word pairs it lacks: words nobody said
    that way."""
    if not tokens:
        return []
    problems = []
    # ``summary`` ends where the sentence does, so the closing quote after its full stop is in reach.
    for match in _QUOTED.finditer(summary, max(0, tokens[0].start - 1)):
        inside = [t for t in tokens if match.start() <= t.start < match.end() and t.content]
        pairs = list(pairwise(t.stem for t in inside))
        missing = any(t.stem not in index.stems for t in inside)
        if missing or sum(pair in index.pairs for pair in pairs) < 0.5 * len(pairs):
            problems.append(UnsupportedPart(match.group(), match.start(), match.end(), "quote"))
    return problems


def _negated(lowers: Sequence[str], content: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """``(negation's position, negated word's position)``: each content word within reach of a negation."""
    for position, word in enumerate(lowers):
        if word in _NEGATIONS:
            for after in range(position + 1, min(len(lowers), position + 1 + _NEGATION_REACH)):
                if content[after]:
                    yield position, after


def _negation_problem(
    summary: str, tokens: list[_Token], support: list[int], index: _Index
) -> UnsupportedPart | None:
    """A negation on one side only: the summary negates a word its supporting sentences state plainly,
    or states plainly a word its best supporting sentence negates."""
    if not support:
        return None
    negated_here = list(_negated([t.lower for t in tokens], [t.content for t in tokens]))
    if negated_here:
        if any(index.negated_terms[i] for i in support):
            return None
        negation, word = negated_here[0]
        return _part(summary, tokens[negation], tokens[word], "negation")
    for token in tokens:
        if token.content and token.stem in index.negated_terms[support[0]]:
            return _part(summary, token, token, "negation")
    return None


def _relation_problem(summary: str, found: list[_Token], best: frozenset[str]) -> UnsupportedPart | None:
    """Words the article has, but mostly outside the sentence that best supports this one: the summary
    joins what the article says apart."""
    outside = [token for token in found if token.stem not in best]
    if len(found) < 4 or len(outside) <= (1 - _RELATION_SHARE) * len(found):
        return None
    return UnsupportedPart(
        " ".join(summary[t.start : t.end] for t in outside), outside[0].start, outside[-1].end, "relation"
    )


def _score(
    tokens: list[_Token],
    content: list[_Token],
    support: list[int],
    best: frozenset[str],
    index: _Index,
    problems: list[UnsupportedPart],
) -> float:
    """Word pairs found, words in the best sentence and in all supporting ones, less the penalties."""
    if not content:
        return 1.0  # nothing to check ("Yes.", "Read more"): nothing invented either
    covered = frozenset().union(*(index.sentence_terms[i] for i in support))
    in_best = sum(token.stem in best for token in content) / len(content)
    in_cover = sum(token.stem in covered for token in content) / len(content)
    pairs = list(_pairs([t.stem for t in tokens], [t.content for t in tokens]))
    in_order = _in_order(support[0], index) if support else _never
    in_pairs = (
        sum(pair in index.pairs or in_order(pair) for pair in pairs) / len(pairs) if pairs else in_cover
    )
    base = _WEIGHT_PAIRS * in_pairs + _WEIGHT_BEST * in_best + _WEIGHT_COVER * in_cover
    # Each problem takes its share of what is left, so scores never pile up at 0: two summaries with
    # invented facts still rank by how much else they got right (a clipped difference tied them).
    return base * math.prod(1 - _PENALTY[problem.reason] for problem in problems)


def _never(_pair: tuple[str, str]) -> bool:
    return False


def _in_order(sentence: int, index: _Index) -> Callable[[tuple[str, str]], bool]:
    """Whether a pair's first stem comes before its second in that article sentence."""
    first, last = index.first_positions[sentence], index.last_positions[sentence]

    def found(pair: tuple[str, str]) -> bool:
        return pair[0] in first and pair[1] in last and first[pair[0]] < last[pair[1]]

    return found


def _overall(sentences: Sequence[CheckedSentence]) -> float:
    """The worst sentence's score: one invented fact makes the summary wrong (on FRANK the minimum beat
    the length-weighted mean and every blend of the two)."""
    return min(sentence.score for sentence in sentences)


def check_pair_line(line: str, *, number: int, language: str | None = None) -> dict[str, object]:
    """The result of one line of pairs mode (``{"id", "article", "summary"}``): ``{"id", "score", ...}``,
    or ``{"id", "line", "error": {"code", "message"}}`` when the line is bad (the run goes on)."""
    record_id: object = None
    try:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"line {number}: not valid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise InvalidInput(f"line {number}: expected a JSON object")
        record_id = record.get("id")
        article, summary = record.get("article"), record.get("summary")
        if not isinstance(article, str) or not isinstance(summary, str | list):
            raise InvalidInput(f"line {number}: needs 'article' (text) and 'summary' (text or a list)")
        if isinstance(summary, list) and not all(isinstance(part, str) for part in summary):
            raise InvalidInput(f"line {number}: 'summary' as a list must hold only text")
        return {"id": record_id, **check(article, summary, language=language).as_dict()}
    except NewsbriefError as error:
        return {"id": record_id, "line": number, "error": {"code": error.code, "message": error.message}}
