"""Sentence compression: a key point is its source sentence minus pieces a reader does not need.

Engine-independent and pure: ``compress(text, language=..., offset=...)`` returns the shortened sentence, the
kept pieces as character spans of the article (``offset`` is where the sentence starts in it) and every
removed piece with a reason code. Two stages:

1. **Candidates** (rules): datelines and wire credits ("LONDON (Reuters) -", "(CNN)"), Daily Mail bylines,
   "Scroll down for video"-type chrome, bracketed asides, and in English the comma- and dash-delimited pieces
   of known kinds: leading connectives and leading phrases ("Meanwhile,", "In a statement,"), appositives
   (", a former minister,"; trailing: "..., the first Briton to win it"), non-restrictive relative clauses
   (", who ...", trailing ", where ..."), trailing participle phrases (", leaving ..."), trailing clauses of
   time, cause or concession (", after he was released"), asides between dashes.
2. **Which to delete** (learned): a logistic model over piece features (kind, length, position, names, the
   sentence's length), fit by ``scripts/train_compressor.py`` on ../shared/data/train only, label = deleting
   the piece raises the sentence's ROUGE against its best-matching reference line; ``compression_model.json``
   beside this module holds the weights. Chrome, bylines and wire credits are always removed.

**Faithfulness first**: every candidate passes the safety rules below as a hard veto, whatever the model
says. A piece is never removed when it holds a negation, a condition or any part of a quotation. The other
vetoes depend on the piece's scope: a leading phrase, a connective, a bracket, a dash aside or a trailing
clause scopes over the rest of the sentence, so a number or date (an age appositive, ", 31,", excepted), a
hedge or an attribution ("police said", "according to", "allegedly") anywhere in it keeps it; a relative
clause, an appositive or a participle phrase states its own side claim, which goes whole with its own
numbers and attributions, unless it is the attribution of the main claim (", a spokesman said", ", which
police confirmed", ", citing officials"), describes its source ("said Anna Berg, the fire chief") or names
whom a later pronoun may mean (see ``_own_claim_safe``). The rest must still be a sentence (at least
``MIN_KEPT_WORDS`` words, not starting with a conjunction), keeping its capital and final stop. Languages
other than English get only the language-neutral removals (chrome, bylines, datelines and wire credits);
bracketed asides there are vetoed unless the language has safety word lists (see ``_SAFETY``), because the
vetoes are word lists.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice
from typing import NamedTuple

from newsbrief.models import Removal
from newsbrief.text.normalize import contains_any
from newsbrief.text.trim import dateline_length

COMPRESSOR = "compress.v3"

# The reasons a piece may be removed (the ``reason`` of a Removal).
REASONS = (
    "dateline",
    "wire_credit",
    "byline",
    "chrome",
    "parenthetical",
    "aside",
    "appositive",
    "leading_connective",
    "leading_phrase",
    "relative_clause",
    "participle_phrase",
    "subordinate_clause",
)
# Removed whatever the model says: they are never content.
ALWAYS = frozenset({"dateline", "wire_credit", "byline", "chrome"})
# The result keeps at least this many words (a subject, a verb and something said about them).
MIN_KEPT_WORDS = 5


@dataclass(frozen=True, slots=True)
class Compressed:
    """A compressed sentence: ``text`` is ``join_pieces`` of the kept ``spans`` (article offsets), first
    letter capitalised."""

    text: str
    spans: tuple[tuple[int, int], ...]
    removed: tuple[Removal, ...]
    compressor: str = COMPRESSOR

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Candidate:
    """A deletable piece of a sentence (sentence offsets): what would be cut, and of what kind."""

    start: int
    end: int
    reason: str
    position: str  # "leading", "internal" or "trailing"


# ---------------------------------------------------------------------------------------------------------
# Safety word lists. A piece holding any of these is kept: removing it could reverse, hedge or unattribute
# the claim (or drop the number it rests on).

_NEGATION = (
    "perceived alleged supposed not no never none nobody nothing neither nor without cannot nowhere "
    "hardly barely scarcely "
    "deny denies denied denying refuse refused refuses fail failed fails lack lacked"
)
_CONDITION = (
    "only if unless provided providing whether except otherwise until lest assuming depending pending "
    "barring excluding"
)
_ATTRIBUTION = (
    "said says say saying told tell tells according reported reports reporting report reportedly "
    "allege alleged alleges allegedly claim claimed claims claiming stated states insisted insists added "
    "announced confirmed confirms sources source spokesman spokeswoman spokesperson officials believe "
    "believed believes suspected suspect thought think thinks apparently seemingly possibly probably likely "
    "perhaps maybe unconfirmed quoted cited citing wrote writes explained argued warned noted admitted "
    "acknowledged testified"
)
# Modal hedges: inside a relative clause or an appositive they qualify only that piece, which goes whole;
# a leading or bracketed one ("(it may be)") qualifies the rest, so there it is kept.
_SCOPING_HEDGES = frozenset(["may", "might", "could", "would", "should", "must", "expected", "estimated"])
# Hedges and scopes of a whole claim ("In some ways, the campaign has begun", "In this case, ..."): removing
# them turns a qualified claim into a plain one (found reading compressed CNN key points).
_HEDGES = (
    "some ways way sense extent theory principle case cases partly partially largely mostly nearly almost "
    "arguably effectively essentially technically nominally"
)
_NUMBERS_DATES = (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred "
    "thousand million billion trillion dozen dozens half first second third once twice "
    "january february march april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow tonight "
    "week weeks month months year years decade decades century ago earlier later last next"
)
_FRENCH = (
    "ne pas n jamais rien aucun aucune personne ni sans si sauf selon déclaré affirmé dit indiqué "
    "annoncé expliqué estimé aurait seraient serait pourrait peut-être un une deux trois janvier février "
    "mars avril mai juin juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi "
    "vendredi samedi dimanche hier aujourd demain"
)
_SAFETY: dict[str, frozenset[str]] = {
    "en": frozenset(f"{_NEGATION} {_CONDITION} {_ATTRIBUTION} {_HEDGES} {_NUMBERS_DATES}".split()),
    "fr": frozenset(_FRENCH.split()),
}
# What still vetoes a piece that states its own side claim (see _OWN_CLAIM): a negation or a condition may
# reach past it into the main clause.
_OWN_CLAIM_VETOES = frozenset(f"{_NEGATION} {_CONDITION}".split())
_ATTRIBUTION_WORDS = frozenset(_ATTRIBUTION.split()) | frozenset(["citing", "quoting", "confirm", "denies"])
_THIRD_PERSON = frozenset(["he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs"])

# Kinds of pieces (English).
_CONNECTIVES = frozenset(
    [
        "meanwhile",
        "however",
        "moreover",
        "furthermore",
        "additionally",
        "also",
        "instead",
        "still",
        "nevertheless",
        "nonetheless",
        "indeed",
        "besides",
        "thus",
        "hence",
        "therefore",
        "consequently",
        "separately",
        "elsewhere",
        "now",
        "then",
        "today",
        "so",
        "well",
        "yet",
        "though",
        "although",
        "overall",
        "ultimately",
        "initially",
        "finally",
        "eventually",
    ]
)
_CONNECTIVE_PHRASES = (
    "in addition",
    "in fact",
    "of course",
    "for example",
    "for instance",
    "in the meantime",
    "at the same time",
    "on the other hand",
    "as a result",
    "in turn",
    "in other words",
    "in short",
    "after all",
    "at least",
    "by contrast",
    "in contrast",
    "in particular",
    "above all",
)
_PREPOSITIONS = frozenset(
    [
        "in",
        "on",
        "at",
        "after",
        "before",
        "during",
        "following",
        "despite",
        "with",
        "without",
        "for",
        "from",
        "under",
        "over",
        "amid",
        "among",
        "since",
        "by",
        "through",
        "throughout",
        "across",
        "inside",
        "outside",
        "behind",
        "beyond",
        "near",
        "against",
        "upon",
        "within",
        "like",
        "unlike",
        "alongside",
    ]
)
# Subordinate clauses whose removal leaves the main clause true: time, cause, concession (not condition).
_SUBORDINATORS = frozenset(["when", "while", "once", "because", "although", "though", "whereas"])
_RELATIVES = frozenset({"who", "whom", "whose", "which", "where"})
_APPOSITIVE_STARTERS = frozenset(
    [
        "a",
        "an",
        "the",
        "his",
        "her",
        "their",
        "its",
        "our",
        "my",
        "former",
        "now",
        "then",
        "also",
        "both",
        "another",
        "one",
        "whose",
        "each",
    ]
)
_NOT_PARTICIPLES = frozenset(
    [
        "during",
        "according",
        "nothing",
        "something",
        "anything",
        "everything",
        "thing",
        "king",
        "ring",
        "sing",
        "bring",
        "spring",
        "string",
        "wing",
        "morning",
        "evening",
        "being",
        "including",
        "bing",
        "ping",
        "sibling",
        "ceiling",
        "building",
        "wedding",
    ]
)
_MODIFIER_OPENERS = frozenset(
    ["including", "while", "although", "though", "as", "after", "before", "because", "since", "when"]
)
_SPEECH = frozenset(
    [
        "said",
        "says",
        "say",
        "told",
        "tells",
        "according",
        "added",
        "reported",
        "claimed",
        "stated",
        "insisted",
        "announced",
        "wrote",
    ]
)
_DETERMINERS = frozenset(
    ["a", "an", "the", "this", "that", "these", "those", "his", "her", "their", "its", "our", "my", "your"]
)
_SUBJECT_STARTERS = _DETERMINERS | frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "we",
        "i",
        "you",
        "there",
        "some",
        "many",
        "most",
        "all",
        "several",
        "both",
        "few",
        "no",
        "police",
        "officials",
    ]
)
_AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "should",
        "do",
        "does",
        "did",
    ]
)
_CONJUNCTIONS = frozenset(
    ["and", "or", "but", "nor", "so", "yet", "for", "that", "which", "who", "whom", "whose", "than", "as"]
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")
_BELIEF = re.compile(
    r"\b(?:believed|thought|feared|mistook|mistaken|appeared|seemed|assumed|suspected)\b", re.IGNORECASE
)
_VIEWPOINT = re.compile(r"\b(?:perspective|standpoint|point of view|view|opinion|terms|eyes|according)\b")
_COORDINATION = re.compile(r"\b(?:and|or|nor|&)\b", re.IGNORECASE)
_AGE = re.compile(r"^(?:aged\s+)?\d{1,3}$")
# Pieces are delimited by a comma, a semicolon is a clause boundary (never crossed), dashes: " - ", " -- ",
# an en or em dash with or without spaces.
_DELIMITER = re.compile(r",\s+|\s+(?:--?|–|—)\s+|(?<=\w)—(?=\w)")
_BRACKET_MARK = re.compile(r"[()\[\]]")
_BRACKETS = re.compile(r"\s*[(\[]([^()\[\]]{1,200})[)\]]")
# Quote marks; a straight or typographic single quote counts when it opens or closes a quotation ("'Yes,'
# she said") rather than sitting inside a word ("don't").
# Written to start with the set of quote characters (each kind of mark then checked by a lookbehind on the
# character just read) so that a search skips to the next quote character instead of trying every
# alternative at every position: the same matches as
# [\"“”«»„]|(?<![^\W_])['‘’](?=[^\W_])|(?<=[^\W_.,!?])['‘’](?![^\W_]), several times faster.
_QUOTE_MARK = re.compile(
    r"[\"“”«»„'‘’](?:(?<=[\"“”«»„])|(?<=['‘’])(?<![^\W_]['‘’])(?=[^\W_])|(?<=[^\W_.,!?]['‘’])(?![^\W_]))"
)
_CLOSING_FIRST = re.compile(r"^[^\"“”«»„'‘’]*[”»]|^[^\"“”«»„'‘’]*[^\W_.,!?]['’](?![^\W_])")
# Daily Mail page furniture inside the body text (the datasets keep it).
_CHROME = re.compile(
    r"\s*\(?\b(?:scroll down for (?:the )?(?:video|videos|more)|click here to (?:watch|see|read) [^.]*?"
    r"(?=$|\s*[.!?]$)|see (?:the )?video below)\b\)?\s*",
    re.IGNORECASE,
)
_PICTURED = re.compile(
    r",\s+(?:pictured|left|right|above|below|inset|centre|center)(?:\s+[^,]{1,30})?,(?=\s)"
    r"|\s*\((?:pictured|left|right|above|below|inset|centre|center|file photo)\b[^()]{0,40}\)",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^By\s+\.\s+[^.]{1,80}?\s+\.\s+")
_UPDATED = re.compile(
    r"(?:\|\s*\.\s*)?(?:Last updated|PUBLISHED|UPDATED)\s*:?\s*\.?\s*[^|]{0,60}?\d{4}\s*\.\s+(?:\|\s*\.?\s*)?"
)
_INNER_CREDIT = re.compile(r"\s*\((?:CNN|AP|AFP|Reuters|EW\.com|CNN Student News|Mashable|WIRED)\)\s*")
# What may close a sentence after its last word: final stops, closing quotes and brackets, space.
_FINAL_MARKS = ".!?…\"”’'»)"
# Words every _CHROME match holds (lowercased), and every _PICTURED match holds one of: keep them in step
# with the expressions (tests/test_fast_paths.py compares with the plain searches on phrases of both).
_CHROME_WORDS = ("scroll down for", "click here to", "video below")
_PICTURED_WORDS = ("pictured", "left", "right", "above", "below", "inset", "centre", "center", "file photo")


# ---------------------------------------------------------------------------------------------------------
# The model: a logistic regression over piece features, fit by scripts/train_compressor.py.

FEATURE_NAMES = (
    *(f"kind_{reason}" for reason in REASONS if reason not in ALWAYS),
    "leading",
    "internal",
    "trailing",
    "piece_words",
    "piece_share",
    "sentence_words",
    "capitalised_share",
    "starts_capital",
    "before_capital",
    "stop_share",
    "bias",
)


@dataclass(frozen=True)
class CompressorModel:
    """Weights over FEATURE_NAMES; a piece goes when its predicted probability passes ``threshold``."""

    weights: tuple[float, ...]
    threshold: float

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> CompressorModel:
        names = data.get("features")
        if names != list(FEATURE_NAMES):
            raise RuntimeError("compression_model.json does not match compression.py; re-run the training")
        weights = data["weights"]
        threshold = data["threshold"]
        assert isinstance(weights, list)
        assert isinstance(threshold, int | float)
        return cls(tuple(float(w) for w in weights), float(threshold))

    def probability(self, features: tuple[float, ...]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def load_model() -> CompressorModel:
    """The trained model beside this module."""
    text = resources.files("newsbrief").joinpath("compression_model.json").read_text(encoding="utf-8")
    data: dict[str, object] = json.loads(text)
    return CompressorModel.from_dict(data)


# The model learned which pieces to delete from 3-point summaries (scripts/train_compressor.py: a deletion is
# worth it when it raises a 3-sentence summary's ROUGE). A longer summary is an abridgement rather than key
# points; as newsbrief.v3's priors fade as 3/n there, an optional deletion needs proportionally more
# confidence (8 points: threshold 0.4 -> 0.775). Page furniture (ALWAYS) goes at any length.
TRAINED_POINTS = 3


@lru_cache(maxsize=128)
def model_for(points: int) -> CompressorModel:
    """The trained model with its threshold faded for a summary of ``points`` sentences."""
    model = load_model()
    fade = min(1.0, TRAINED_POINTS / max(1, points))
    return CompressorModel(model.weights, 1.0 - (1.0 - model.threshold) * fade)


# Keeps every candidate the rules allow (for training and for measuring the rules alone).
KEEP_NONE = CompressorModel(weights=tuple(0.0 for _ in FEATURE_NAMES), threshold=1.0)
DELETE_ALL = CompressorModel(weights=tuple(0.0 for _ in FEATURE_NAMES), threshold=-1.0)


# ---------------------------------------------------------------------------------------------------------
# The public function.


def compress(
    sentence_text: str,
    *,
    language: str | None,
    offset: int = 0,
    model: CompressorModel | None = None,
) -> Compressed:
    """The sentence without its deletable pieces.

    Args:
        sentence_text: one sentence as it stands in the article.
        language: ISO 639-1 code; None is read as English.
        offset: where the sentence starts in the article text (spans are article offsets).
        model: which optional pieces to delete; None is the trained model.

    Returns:
        The compressed text, the kept spans (article offsets, edge whitespace excluded) and the removals.
    """
    model = model or load_model()
    chosen = choose(sentence_text, candidates(sentence_text, language), model, language)
    return assemble(sentence_text, chosen, offset)


def choose(
    text: str, found: list[Candidate], model: CompressorModel, language: str | None
) -> list[Candidate]:
    """The candidates to remove: always-removed kinds, then the model's picks (most probable first) that
    keep the sentence a sentence."""
    chosen = [c for c in found if c.reason in ALWAYS]
    optional = [
        (model.probability(piece_features(text, c)), c)
        for c in found
        if c.reason not in ALWAYS and is_safe(text, c, language)
    ]
    if not optional:
        return sorted(chosen, key=lambda c: c.start)  # nothing to weigh: no need to count words
    total = _word_count(text)
    removed_words = sum(_word_count(text[c.start : c.end]) for c in chosen)
    for probability, candidate in sorted(optional, key=lambda pair: -pair[0]):
        if probability < model.threshold:
            break
        if any(_overlaps(candidate, other) for other in chosen):
            continue
        words = _word_count(text[candidate.start : candidate.end])
        if total - removed_words - words < MIN_KEPT_WORDS:
            continue
        trial = sorted([*chosen, candidate], key=lambda c: c.start)
        if not _still_a_sentence(text, trial):
            continue
        chosen.append(candidate)
        removed_words += words
    return sorted(chosen, key=lambda c: c.start)


def assemble(text: str, chosen: list[Candidate], offset: int) -> Compressed:
    """Kept spans, removals and the compressed text for the chosen candidates (non-overlapping)."""
    if not chosen:  # most sentences: the whole text, less its edge whitespace
        start, end = _lead_space(text), len(text) - _trail_space(text)
        if start >= end:  # nothing but whitespace: kept as it is (the guard below)
            return Compressed(text=text, spans=((offset, offset + len(text)),), removed=())
        return Compressed(text=text[start:end], spans=((offset + start, offset + end),), removed=())
    spans: list[tuple[int, int]] = []
    removed: list[Removal] = []
    cursor = 0
    for candidate in sorted(chosen, key=lambda c: c.start):
        _keep(text, cursor, candidate.start, spans)
        piece = text[candidate.start : candidate.end]
        removed.append(
            Removal(
                start=offset + candidate.start + _lead_space(piece),
                end=offset + candidate.end - _trail_space(piece),
                text=piece.strip(),
                reason=candidate.reason,
            )
        )
        cursor = candidate.end
    _keep(text, cursor, len(text), spans)
    if not spans:  # never happens through choose(); a guard for hand-made candidate lists
        return Compressed(text=text, spans=((offset, offset + len(text)),), removed=())
    shown = join_pieces([text[start:end] for start, end in spans])
    if chosen and min(c.start for c in chosen) < spans[0][0]:
        # A removed opening ("Meanwhile, the army...") leaves a new first word to capitalise; a sentence
        # the article starts in lowercase is otherwise shown as the article has it.
        shown = _capitalised(shown)
    return Compressed(
        text=shown,
        spans=tuple((offset + start, offset + end) for start, end in spans),
        removed=tuple(removed),
    )


def join_pieces(pieces: list[str]) -> str:
    """Kept pieces joined as a reader expects: one space between them, none before closing punctuation."""
    out = ""
    for piece in pieces:
        if not out:
            out = piece
        elif piece[:1] in ".,;:!?)]”’\"'…":
            out += piece
        else:
            out += " " + piece
    return out


def _keep(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    if piece.strip():
        spans.append((start + _lead_space(piece), end - _trail_space(piece)))


def _lead_space(piece: str) -> int:
    return len(piece) - len(piece.lstrip())


def _trail_space(piece: str) -> int:
    return len(piece) - len(piece.rstrip())


def _capitalised(text: str) -> str:
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
        if char.isdigit():
            return text
    return text


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


# ---------------------------------------------------------------------------------------------------------
# Candidates.


def candidates(text: str, language: str | None) -> list[Candidate]:
    """Every deletable piece the rules find, before safety and the model (pieces may overlap)."""
    found = _prefix_candidates(text)
    prefix_end = max((c.end for c in found), default=0)
    found.extend(c for c in _chrome_candidates(text) if c.start >= prefix_end)
    found.extend(_bracket_candidates(text, prefix_end))
    if (language or "en") == "en":
        found.extend(_delimited_candidates(text, prefix_end))
    return found


def _prefix_candidates(text: str) -> list[Candidate]:
    """Bylines, update stamps and datelines at the start of the sentence (language-neutral)."""
    found: list[Candidate] = []
    cursor = 0
    match = _BYLINE.match(text)
    while match and match.end() < len(text):
        found.append(Candidate(cursor, match.end(), "byline", "leading"))
        cursor = match.end()
        match = _UPDATED.match(text, cursor)
    skip = dateline_length(text[cursor:])
    if skip:
        piece = text[cursor : cursor + skip].strip()
        reason = "wire_credit" if piece.startswith("(") else "dateline"
        found.append(Candidate(cursor, cursor + skip, reason, "leading"))
    return found


def _chrome_candidates(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    # Most sentences hold no chrome: each expression runs only when the text holds words (or characters)
    # every match of it must hold, which a few substring searches tell far faster than a search through
    # the expression. The word tests read ASCII text only: there, lowercasing is exactly the expressions'
    # IGNORECASE; other text (where "İ" or "ſ" may match a Latin letter) goes through the expressions.
    lowered = text.lower() if text.isascii() else None
    if lowered is None or contains_any(lowered, _CHROME_WORDS):
        found.extend(
            Candidate(m.start(), m.end(), "chrome", "internal")
            for m in _CHROME.finditer(text)
            if text[m.start() : m.end()].strip()
        )
    # _PICTURED: ", pictured ...," or "(pictured ...)".
    if contains_any(text, ",(") and (lowered is None or contains_any(lowered, _PICTURED_WORDS)):
        found.extend(Candidate(m.start(), m.end(), "chrome", "internal") for m in _PICTURED.finditer(text))
    if "(" in text:
        found.extend(
            Candidate(m.start(), m.end(), "wire_credit", "internal")
            for m in _INNER_CREDIT.finditer(text)
            if m.start() > 0
        )
    return _fix_edges(text, found)


def _final_start(text: str) -> int:
    """Where the text's closing run of final stops, closing quotes and space starts: the start of
    ``re.search(r"[\\s.!?…\"”’'»)]*$", text)`` (the longest such suffix), read from the end instead of
    trying the expression at every position."""
    end = len(text)
    while end and (text[end - 1] in _FINAL_MARKS or text[end - 1].isspace()):
        end -= 1
    return end


def _fix_edges(text: str, found: list[Candidate]) -> list[Candidate]:
    """Chrome is never the whole sentence (a sentence that is only chrome is the selector's business)."""
    return [c for c in found if text[: c.start].strip() or text[c.end :].strip()]


def _bracket_candidates(text: str, prefix_end: int) -> list[Candidate]:
    found: list[Candidate] = []
    if not contains_any(text, "(["):
        return found  # every bracketed aside opens with one of them
    final = _final_start(text)
    for match in _BRACKETS.finditer(text, prefix_end):
        if match.start() == 0:
            continue
        end = match.end()
        # Trailing: only final stops, closing quotes and space follow it.
        position = "trailing" if final <= end else "internal"
        found.append(Candidate(match.start(), end, "parenthetical", position))
    return found


class _Segment(NamedTuple):
    """A stretch between delimiters (a named tuple: several are made per sentence, and a frozen dataclass's
    __init__ costs a call per field)."""

    start: int
    end: int
    delimiter_before: str  # "", "comma" or "dash"
    delimiter_after: str  # "", "comma", "dash" or "end"
    cut_before: int  # where the delimiter before it starts
    cut_after: int  # where the delimiter after it ends


def _segments(text: str, prefix_end: int) -> list[_Segment]:
    """The sentence (after its prefix, before its final punctuation) cut at commas and dashes outside
    brackets."""
    body_end = max(_final_start(text), prefix_end)
    cuts: list[tuple[int, int, str]] = []
    # Bracketed stretches (outermost), where no delimiter cuts: found from the brackets alone, not per
    # character (this is the hot path of compress()).
    inside: list[tuple[int, int]] = []
    depth, opened = 0, 0
    # (Most sentences hold no bracket: a substring search each tells it before the expression runs.)
    for bracket in _BRACKET_MARK.finditer(text) if contains_any(text, "()[]") else ():
        if bracket.group(0) in "([":
            if depth == 0:
                opened = bracket.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                inside.append((opened, bracket.start()))
    if depth:
        inside.append((opened, len(text)))
    for match in _DELIMITER.finditer(text, prefix_end, body_end):
        if inside and any(start < match.start() < end for start, end in inside):
            continue
        kind = "comma" if match.group(0).startswith(",") else "dash"
        cuts.append((match.start(), match.end(), kind))
    segments: list[_Segment] = []
    start, before, cut_before = prefix_end, "", prefix_end
    for cut_start, cut_end, kind in cuts:
        segments.append(_Segment(start, cut_start, before, kind, cut_before, cut_end))
        start, before, cut_before = cut_end, kind, cut_start
    segments.append(_Segment(start, body_end, before, "end", cut_before, body_end))
    return segments


def _delimited_candidates(text: str, prefix_end: int) -> list[Candidate]:
    """English comma- and dash-delimited pieces of known kinds.

    The structural vetoes here come from reading compressed CNN key points (docs/benchmarks.md): a comma
    inside a noun phrase ("an uplifting, revealing talk"), a place ("Anaheim, California"), a list ("taking
    his wife, Ahlam, their children") or before an inverted attribution (", said a spokesperson") is no
    piece boundary a deletion may use.
    """
    segments = _segments(text, prefix_end)
    if len(segments) < 2:
        return []
    texts = [text[segment.start : segment.end] for segment in segments]
    has_quote = _QUOTE_MARK.search(text) is not None
    # "..., the Supreme Court, said.": the pieces before a bare closing attribution are its speaker.
    speaker_last = bool(_first_words(texts[-1], 1)) and _first_words(texts[-1], 1)[0] in _SPEECH
    found: list[Candidate] = []
    opens_with_phrase = segments[0].delimiter_after == "comma" and _leading_kind(texts[0]) is not None
    leading = None
    if segments[0].delimiter_after == "comma" and not has_quote and _opens_clause(texts[1]):
        # A quotation's attribution may stand first ("As the writer put it, ..."): kept with the quote.
        leading = _leading_kind(texts[0])
        if leading:
            # "Meanwhile, the army ..." loses "Meanwhile, ": up to the next segment's start.
            found.append(Candidate(segments[0].start, segments[1].start, leading, "leading"))
    dashes = 0
    for index in range(1, len(segments)):
        segment, piece, previous = segments[index], texts[index], texts[index - 1]
        dashes += segment.delimiter_before == "dash"
        if segment.delimiter_before == "dash" and dashes % 2 == 0:
            continue  # after the dash that closes an aside ("A -- aside -- rest"): the rest is no aside
        if segment.delimiter_before == "comma" and _inside_phrase(previous):
            continue
        # After a leading phrase ("In a statement, the company, ...") the next segment opens the main clause.
        # "At a ceremony in Denver, Colorado, the governor signed": after a leading phrase, the next
        # segments up to the main clause are no appositives.
        first_clause = (index == 1 and (leading is not None or not _is_subject(previous))) or (
            index <= 2 and opens_with_phrase
        )
        if segment.delimiter_after == "end":
            reason = _trailing_kind(piece, previous, segment.delimiter_before)
            if reason == "appositive" and (
                speaker_last or (first_clause and not (_is_main_clause(previous) and _is_noun_phrase(piece)))
            ):
                continue
            if reason == "participle_phrase" and _is_participle((_first_words(previous, 1) or [""])[0]):
                continue  # "singeing flesh, shattering bones, severing limbs": the end of a list
            if reason:
                found.append(Candidate(segment.cut_before, segment.end, reason, "trailing"))
            continue
        if segment.delimiter_before != segment.delimiter_after:
            continue
        following = texts[index + 1]
        if segment.delimiter_before == "comma" and _continues_list(following):
            continue
        reason = _internal_kind(piece, previous, following, segment.delimiter_before)
        if reason is None or (
            reason == "appositive"
            and (speaker_last or (first_clause and (opens_with_phrase or not _is_subject(previous))))
        ):
            continue
        # ", who lives in Paris, said" -> " said": the cut runs from the delimiter before to the end of
        # the one after, whose trailing space the join replaces. When a modifier, a clause or an
        # attribution follows (", the mayor, who spoke"; ", according to"), its comma stays.
        keep_comma = segment.delimiter_before == "comma" and _opens_modifier(following)
        found.append(
            Candidate(
                segment.cut_before, segment.end if keep_comma else segment.cut_after, reason, "internal"
            )
        )
    return found


def _opens_modifier(segment: str) -> bool:
    """Whether a segment is itself a modifier, a new clause or an attribution, which needs its comma."""
    found = _WORD.findall(segment)
    if not found:
        return True
    first = found[0].lower()
    return (
        first in _RELATIVES
        or first in _MODIFIER_OPENERS
        or first in _APPOSITIVE_STARTERS
        or _is_participle(first)
        or first == "according"
        or (len(found) <= 4 and bool({word.lower() for word in found} & _SPEECH))
    )


def _opens_clause(segment: str) -> bool:
    """Whether a segment can open a sentence once what stands before it goes: it starts with a subject-like
    word (a determiner, a pronoun, a capitalised word), not with "solid agreement" or "one of the bits"."""
    found = _WORD.findall(segment)
    if len(found) < 3:
        return False
    return found[0].lower() in _SUBJECT_STARTERS or (found[0][:1].isupper() and found[0].lower() != "one")


def _is_main_clause(segment: str) -> bool:
    """A first segment that can stand as the sentence ("The striker scored twice") rather than a leading
    phrase ("Heading into the long debate on Tuesday") or the subject alone: what a trailing appositive
    (", his first goals in a decade") may follow."""
    first = (_first_words(segment, 1) or [""])[0]
    return (
        _leading_kind(segment) is None
        and first not in _PREPOSITIONS
        and first not in _SUBORDINATORS
        and not _is_participle(first)
        and len(_WORD.findall(segment)) >= MIN_KEPT_WORDS
        and (_has_verb_hint(segment) or _opens_clause(segment))
    )


def _is_noun_phrase(piece: str) -> bool:
    """A determiner and no verb: after a leading clause, the main clause ("..., the town will vote") is
    no appositive."""
    return (_first_words(piece, 1) or [""])[0] in _DETERMINERS and not _has_verb_hint(piece)


def _is_subject(segment: str) -> bool:
    """A short first segment that is a noun phrase ("The company", "Maria Lopez"): what an appositive may
    follow at the start of a sentence."""
    found = _WORD.findall(segment)
    return 0 < len(found) <= 6 and (found[0].lower() in _DETERMINERS or found[-1][:1].isupper())


def _inside_phrase(previous: str) -> bool:
    """A comma after a conjunction or a preposition, or after a determiner and an adjective-looking word
    ("an uplifting, revealing talk"), is inside a phrase."""
    found = [word.lower() for word in _WORD.findall(previous)]
    if not found:
        return True
    if found[-1] in _CONJUNCTIONS or found[-1] in _PREPOSITIONS:
        return True
    return len(found) >= 2 and found[-2] in _DETERMINERS and found[-1].endswith(_ADJECTIVE_ENDINGS)


_ADJECTIVE_ENDINGS = ("ing", "ful", "ous", "ive", "al", "ic", "able", "ible", "less", "est")


def _continues_list(following: str) -> bool:
    """The segment after a piece is too short to be the rest of a clause ("Pennsylvania", "Ahlam",
    "particularly for girls") or ends a list ("fierce clashes and plumes of smoke")."""
    found = _WORD.findall(following)
    if len(found) <= 3 and not ({word.lower() for word in found} & _SPEECH):
        return True
    return (
        bool(found)
        and found[0].lower() not in _MODIFIER_OPENERS
        and _has_coordination(following)
        and not _has_verb_hint(following)
    )


def _has_verb_hint(segment: str) -> bool:
    lowered = {word.lower() for word in _WORD.findall(segment)}
    return bool(lowered & _AUXILIARIES) or any(word.endswith("ed") for word in lowered)


def _first_words(piece: str, count: int) -> list[str]:
    # The first ``count`` matches only: findall would read the whole piece for its first word or two.
    return [match.group().lower() for match in islice(_WORD.finditer(piece), count)]


def _leading_kind(piece: str) -> str | None:
    lowered = piece.lower().strip()
    words = _first_words(piece, 2)
    if not words or len(piece.split()) > 12:
        return None
    if lowered in _CONNECTIVES or lowered in _CONNECTIVE_PHRASES:
        return "leading_connective"
    if any(lowered.startswith(phrase + " ") for phrase in ("in addition to", "in the wake of", "as part of")):
        return "leading_connective"
    if lowered.startswith(
        ("as far as", "as long as", "in case", "at least", "as much as")
    ) or _VIEWPOINT.search(lowered):
        return None  # they restrict what follows ("From a policing perspective, there was no reason")
    if words[0] in _PREPOSITIONS or words[0] in _SUBORDINATORS or _is_participle(words[0]):
        return "leading_phrase"
    return None


# "... in the late 1970s -- and now their real-life counterparts are debated in parliament": a dash before a
# conjunction opens a coordinated clause or a co-subject ("Smith -- and his wife -- left"), often the news
# itself, not an aside.
_COORDINATORS = frozenset(["and", "or", "but", "nor", "so", "yet"])


def _internal_kind(piece: str, previous: str, following: str, delimiter: str) -> str | None:
    words = _first_words(piece, 1)
    if not words or len(piece.split()) > 20:
        return None
    first = words[0]
    if delimiter == "dash":
        return None if first in _COORDINATORS else "aside"
    lowered = piece.lower().strip()
    if lowered in _CONNECTIVES or lowered in _CONNECTIVE_PHRASES:
        return "leading_connective"
    if (_first_words(following, 1) or [""])[0] in _COORDINATORS:
        # "Smith, the mayor, and Jones": an appositive or a list? "Sure, the faith forbids it, but ...": a
        # clause conceded before a conjunction. Keep both.
        return None
    if first in _RELATIVES and len(_WORD.findall(piece)) >= 3:
        return "relative_clause"
    if _ends_with_name(previous) and _AGE.match(piece.strip()):
        return "appositive"
    if first in _APPOSITIVE_STARTERS and not _has_coordination(piece):
        return "appositive"
    if first == "including":
        return "participle_phrase"
    return None


def _trailing_kind(piece: str, previous: str, delimiter: str) -> str | None:
    words = _first_words(piece, 1)
    if not words or len(piece.split()) > 30:
        return None
    first = words[0]
    if delimiter == "dash":
        return None if first in _COORDINATORS else "aside"
    if first in ("who", "which", "whose", "whom", "where") and len(_WORD.findall(piece)) >= 3:
        return "relative_clause"
    if first == "including" or (_is_participle(first) and len(piece.split()) >= 3):
        return "participle_phrase"
    if (
        first in _APPOSITIVE_STARTERS
        and first not in ("now", "then", "also")
        and not _has_coordination(piece)
        and not _is_clause(piece)
        # "..., the first Briton to win it": after a clause, a noun phrase with no verb of its own is no
        # clause ("one farmer commits suicide" is); after a name it may have one (", a man who fled").
        # After "and, of course," it is the end of a list.
        and (
            _ends_with_name(previous)
            or (first in _DETERMINERS and not _has_verb_hint(piece) and _ends_clause(previous))
        )
    ):
        return "appositive"
    if _is_trailing_subordinate(piece):
        return "subordinate_clause"
    return None


# Trailing clauses of time, cause or concession (", when the storm hit the coast", ", after he was
# released"). Not "as": it also brings the evidence or the source of the claim (", as the crisis so starkly
# shows") and conditions (", as long as ...").
_TRAILING_SUBORDINATORS = frozenset(["when", "while", "after", "before", "because", "although", "though"])


_PAST = frozenset(["was", "were", "had", "did"])


def _is_trailing_subordinate(piece: str) -> bool:
    found = _WORD.findall(piece)
    lowered = [word.lower() for word in found]
    if lowered[:1] == ["when"] and not any(word in _PAST or word.endswith("ed") for word in lowered):
        return False  # ", when the claimant lives alone": a present-tense "when" is a condition
    return (
        len(found) >= 4
        and lowered[0] in _TRAILING_SUBORDINATORS
        and (lowered[1] in _SUBJECT_STARTERS or found[1][:1].isupper() or _is_participle(lowered[1]))
    )


# "..., the more complex the answers become": a comparative correlative is a clause.
_CORRELATIVE = re.compile(r"^the\s+(?:more|less|fewer|better|worse|[^\W_]+er)\b", re.IGNORECASE)
_RELATIVE_WORDS = frozenset(["who", "whom", "whose", "which", "that", "where", "when"])


def _is_clause(piece: str) -> bool:
    """A trailing piece with a verb of its own before any relative word ("the community will embrace her",
    unlike "a man who was jailed") or a comparative correlative is a clause, not an appositive."""
    if _CORRELATIVE.match(piece.strip()):
        return True
    for word in _first_words(piece, 40):
        if word in _RELATIVE_WORDS:
            return False
        if word in _AUXILIARIES:
            return True
    return False


def _ends_clause(previous: str) -> bool:
    """The segment before a trailing piece is the end of a clause, not a connective ("of course") or a
    short stretch of a list."""
    lowered = previous.lower().strip()
    return (
        len(_WORD.findall(previous)) >= 3
        and lowered not in _CONNECTIVES
        and lowered not in _CONNECTIVE_PHRASES
    )


def _has_coordination(piece: str) -> bool:
    """ "France, the UK and Spain": a piece holding "and"/"or" may be the end of a list, not an appositive."""
    return bool(_COORDINATION.search(piece))


def _is_participle(word: str) -> bool:
    return len(word) > 5 and word.endswith("ing") and word not in _NOT_PARTICIPLES


def _ends_with_name(piece: str) -> bool:
    found = _WORD.findall(piece)
    return bool(found) and found[-1][:1].isupper()


# ---------------------------------------------------------------------------------------------------------
# Safety.


_SCOPED = frozenset({"leading_connective", "leading_phrase", "parenthetical", "aside", "subordinate_clause"})
# A non-restrictive relative clause (", who was jailed in 2005,"), an appositive (", a 45-year-old father of
# two,") or a participle phrase (", leaving 12 people injured"; ", including three children,") states a side
# claim of its own about a noun or the clause before it. Deleted whole, it takes its own numbers, dates,
# hedges and attributions with it ("who told CNN she was scared") and leaves the main claim exactly as it
# was, so only what can reach past it vetoes it (see _own_claim_safe). A leading phrase, a connective, a
# bracket or a dash aside scopes over the rest of the sentence: there every listed word vetoes.
_OWN_CLAIM = frozenset({"appositive", "relative_clause", "participle_phrase"})


def is_safe(text: str, candidate: Candidate, language: str | None) -> bool:
    """Whether removing the candidate can leave the claim as it was (the hard veto; see the module doc)."""
    words_list = _safety_words(language)
    if words_list is None:  # no word lists for this language: nothing optional is removed
        return False
    if language in (None, "en") and _BELIEF.search(text):
        # "they heard explosions -- caused by a faulty cable -- and believed it was an attack": a piece of
        # a sentence that reports a belief may be what corrects it.
        return False
    piece = text[candidate.start : candidate.end]
    if _touches_quote(text, candidate):
        return False
    lowered = [word.lower() for word in _WORD.findall(piece)]
    if candidate.reason in _OWN_CLAIM and language in (None, "en"):
        return _own_claim_safe(text, candidate, lowered)
    if candidate.reason in _SCOPED and any(word in _SCOPING_HEDGES for word in lowered):
        return False
    # An age appositive (", 31,") is a number nothing depends on; any other number, date or listed word
    # keeps the piece.
    age = candidate.reason == "appositive" and _AGE.match(piece.strip(" ,-—–")) is not None
    listed = any(word in words_list or word.endswith("n't") for word in lowered)
    return age or not (listed or _DIGIT.search(piece))


def _own_claim_safe(text: str, candidate: Candidate, lowered: list[str]) -> bool:
    """The vetoes of a piece stating its own side claim (English; see _OWN_CLAIM)."""
    if any(word in _OWN_CLAIM_VETOES or word.endswith("n't") for word in lowered):
        return False  # "who never paid", ", depending on the weather": they may reach the main claim
    if lowered[:1] in (["citing"], ["quoting"], ["judging"], ["given"], ["considering"], ["based"]):
        return False  # ", citing officials", ", judging by their replies": the claim's source or evidence
    if any(word in _ATTRIBUTION_WORDS for word in lowered[-2:]):
        return False  # ", which police confirmed", ", a claim he denies": the main clause is its object
    if candidate.reason == "appositive" and any(word in _ATTRIBUTION_WORDS for word in lowered):
        return False  # ", a spokesman said in an email": a noun phrase with a speech verb is the attribution
    before = [word.lower() for word in _WORD.findall(text[: candidate.start])]
    if any(word in _SPEECH or word in _ATTRIBUTION_WORDS for word in before[-4:]):
        return False  # "said John Smith, a police spokesman": who the source is belongs to the attribution
    after = {word.lower() for word in _WORD.findall(text[candidate.end :])}
    # "Smith, whose wife died in 2010, said she had been ill": a pronoun after the piece may refer to
    # someone the piece names, and would point elsewhere once the piece is gone.
    names_someone = any(
        word[:1].isupper() for word in _WORD.findall(text[candidate.start : candidate.end])[1:]
    )
    return not (after & _THIRD_PERSON and (names_someone or bool(set(lowered) & _POSSESSORS)))


_POSSESSORS = frozenset(["whose", "his", "her", "their"])


def _safety_words(language: str | None) -> frozenset[str] | None:
    return _SAFETY.get(language or "en")


def _touches_quote(text: str, candidate: Candidate) -> bool:
    """Whether the piece holds a quote mark or lies inside a quotation (quoted words are never cut)."""
    marks = [m.start() for m in _QUOTE_MARK.finditer(text)]
    if not marks:
        return False
    first, last = marks[0], marks[-1]
    # A sentence that starts inside a quotation opened in the sentence before, or ends inside one.
    if _CLOSING_FIRST.match(text) or len(marks) % 2:
        return True
    return candidate.start < last + 1 and first < candidate.end


def _still_a_sentence(text: str, chosen: list[Candidate]) -> bool:
    """The rest still reads as a sentence: it does not open with a conjunction or a relative word, and it
    keeps some words before its final punctuation."""
    kept: list[str] = []
    cursor = 0
    for candidate in chosen:
        kept.append(text[cursor : candidate.start])
        cursor = candidate.end
    kept.append(text[cursor:])
    rest = join_pieces([piece.strip() for piece in kept if piece.strip()])
    words = _first_words(rest, 1)
    return bool(words) and words[0] not in _CONJUNCTIONS


# ---------------------------------------------------------------------------------------------------------
# Features.


def piece_features(text: str, candidate: Candidate) -> tuple[float, ...]:
    """The model's inputs for one candidate, in FEATURE_NAMES order."""
    piece = text[candidate.start : candidate.end]
    piece_words = _WORD.findall(piece)
    sentence_words = max(1, len(text.split()))
    count = max(1, len(piece_words))
    capitalised = sum(1 for word in piece_words if word[:1].isupper())
    stops = sum(1 for word in piece_words if word.lower() in _STOP)
    before = _WORD.findall(text[: candidate.start])
    kinds = tuple(float(candidate.reason == reason) for reason in REASONS if reason not in ALWAYS)
    return (
        *kinds,
        float(candidate.position == "leading"),
        float(candidate.position == "internal"),
        float(candidate.position == "trailing"),
        min(len(piece_words), 30) / 30,
        len(piece_words) / sentence_words,
        min(sentence_words, 60) / 60,
        capitalised / count,
        float(bool(piece_words) and piece_words[0][:1].isupper()),
        float(bool(before) and before[-1][:1].isupper()),
        stops / count,
        1.0,
    )


_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "it",
        "its",
        "he",
        "she",
        "they",
        "his",
        "her",
        "their",
        "this",
        "that",
        "these",
        "those",
        "who",
        "which",
        "as",
    ]
)
