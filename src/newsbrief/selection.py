"""The one sentence selector every engine shares: length budget, redundancy, key-point units, article order.

Selection sees what will be shown: when sentences are compressed, the word budget counts compressed words
and redundancy compares compressed texts. (Ranking on compressed lengths too, by crediting back newsbrief.v3's
length prior for the words compression removes, was measured and not kept: +0.04 ROUGE-1 on the training
articles, -0.05 to -0.3 on the CNN and Daily Mail dev sets, and it compressed ~24 sentences an article
instead of the ~3 selection looks at; docs/benchmarks.md, issue 14.)

The unit rules keep lines that cannot stand alone out of a summary: page chrome and calls to action, a point
opening with a pronoun whose referent (the sentence before) is not shown, and, for a headline, a sentence
that is not a self-contained statement or only repeats the article's title.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from newsbrief.engines.base import SentenceScores
from newsbrief.models import Document, Length, LengthUnit, Style
from newsbrief.text.segment import has_words
from newsbrief.text.tokens import content_terms, words

# A candidate sharing more than this share of its terms with a chosen sentence says the same thing again.
REDUNDANCY_OVERLAP = 0.6
# A candidate is compared with at most this many chosen sentences (the best-scored ones), which keeps
# selection linear in article length for huge budgets (20% of a 100,000-word document).
REDUNDANCY_COMPARISONS = 100
# A headline sharing at least this share of its content terms with the title only repeats it.
TITLE_REPEAT = 0.8
# A headline shorter than this is a fragment, not a statement of the event.
HEADLINE_MIN_WORDS = 6


@dataclass(frozen=True, slots=True)
class Budget:
    """How much to select: at most ``sentences`` sentences and, when set, at most ``words`` words."""

    sentences: int
    words: int | None = None


@dataclass(frozen=True, slots=True)
class Units:
    """Which unit rules apply: ``key_points`` (no chrome line, no dangling pronoun), ``headline`` (one
    self-contained statement, not the title again; ``title`` is the article's)."""

    key_points: bool = False
    headline: bool = False
    title: str | None = None
    # A point opening with a pronoun brings the sentence before it when the budget has room (else it is
    # skipped); False: always skipped.
    resolve_pronouns: bool = True


NO_UNITS = Units()
# What is shown for sentence i (its text, compressed or not); None: the sentence as the article has it.
ShownText = Callable[[int], str]


def budget_for(length: Length, style: Style, *, sentence_count: int, reading_wpm: int) -> Budget:
    """Translate a length request into a sentence cap and an optional word cap."""
    cap = 1 if style is Style.HEADLINE else sentence_count
    if length.unit is LengthUnit.SENTENCES:
        return Budget(sentences=min(cap, int(length.value)))
    if length.unit is LengthUnit.RATIO:
        # "20%" of a short article still means at least one sentence.
        return Budget(sentences=min(cap, max(1, math.ceil(length.value * sentence_count))))
    if length.unit is LengthUnit.WORDS:
        return Budget(sentences=cap, words=int(length.value))
    return Budget(sentences=cap, words=max(1, round(length.value * reading_wpm / 60)))


def expected_sentences(budget: Budget, document: Document) -> int:
    """About how many sentences a budget will take from this document (a word budget at its average
    sentence length); engines may score differently for a few key points than for a long extract."""
    if budget.words is None or not document.sentences:
        return budget.sentences
    average = max(1.0, document.article.word_count / len(document.sentences))
    return max(1, min(budget.sentences, round(budget.words / average)))


def select_sentences(
    document: Document,
    scores: SentenceScores,
    budget: Budget,
    *,
    remove_redundancy: bool = True,
    shown: ShownText | None = None,
    units: Units = NO_UNITS,
) -> list[int]:
    """Indices of the chosen sentences in article order: best scores first, within the budget.

    The first pick always fits (a word budget smaller than every sentence still yields one sentence);
    later picks are skipped when they would break the word budget or repeat a chosen sentence. When the
    unit rules leave nothing, the choice is made again without them (a summary always has a sentence).
    """
    text_of = shown or (lambda index: document.sentences[index].text)
    values = scores.scores
    ranking = sorted(range(len(values)), key=lambda index: (-values[index], index))
    chosen = _greedy(document, ranking, budget, text_of, remove_redundancy, units)
    if not chosen and units != NO_UNITS:
        chosen = _greedy(document, ranking, budget, text_of, remove_redundancy, NO_UNITS)
    return sorted(chosen)


def _greedy(
    document: Document,
    ranking: list[int],
    budget: Budget,
    text_of: ShownText,
    remove_redundancy: bool,
    units: Units,
) -> list[int]:
    picker = _Picker(document, budget, text_of, remove_redundancy, units)
    for index in ranking:
        if len(picker.chosen) >= budget.sentences:
            break
        text = text_of(index)
        if not picker.admissible(index, text):
            continue
        # The sentence before holds the referent of an opening pronoun: the point is shown with it or not
        # at all (when the budget has room for both and the sentence before may be shown itself).
        if (
            units.key_points
            and index > 0
            and (index - 1) not in picker.chosen_set
            and opens_with_pronoun(text)
        ):
            before = index - 1
            if (
                not units.resolve_pronouns
                or len(picker.chosen) + 2 > budget.sentences
                or opens_with_pronoun(text_of(before))
                or not picker.admissible(before, text_of(before))
                or not picker.fits(before, text_of(before), extra=len(text.split()))
                or (remove_redundancy and picker.repeats(index, text, before, text_of(before)))
            ):
                continue
            picker.take(before, text_of(before))
        if not picker.fits(index, text):
            continue
        picker.take(index, text)
    return picker.chosen


class _Picker:
    """The chosen sentences so far and what a new one must pass: words, units, budget, redundancy."""

    def __init__(
        self, document: Document, budget: Budget, text_of: ShownText, remove_redundancy: bool, units: Units
    ) -> None:
        self.document = document
        self.budget = budget
        self.remove_redundancy = remove_redundancy
        self.units = units
        self.chosen: list[int] = []
        self.chosen_set: set[int] = set()
        self.chosen_terms: list[set[str]] = []
        self.words_used = 0
        self.title_terms = (
            set(content_terms(units.title, document.language)) if units.headline and units.title else set()
        )
        self._terms: dict[int, set[str]] = {}

    def terms(self, index: int, text: str) -> set[str]:
        found = self._terms.get(index)
        if found is None:
            found = set(content_terms(text, self.document.language))
            self._terms[index] = found
        return found

    def admissible(self, index: int, text: str) -> bool:
        """Whether sentence ``index`` may be shown next to the chosen ones (the budget aside)."""
        if index in self.chosen_set or not has_words(text):
            return False
        units = self.units
        if units.key_points and is_chrome_line(self.document.sentences[index].text):
            return False
        if units.headline and not is_headline(text):
            return False
        if self.title_terms and _overlap_of(self.terms(index, text), self.title_terms) >= TITLE_REPEAT:
            return False
        if self.remove_redundancy:
            terms = self.terms(index, text)
            limit = REDUNDANCY_COMPARISONS
            return not any(_overlap(terms, other) > REDUNDANCY_OVERLAP for other in self.chosen_terms[:limit])
        return True

    def repeats(self, index: int, text: str, other: int, other_text: str) -> bool:
        """Whether sentence ``index`` says again what sentence ``other`` says."""
        overlap = _overlap(self.terms(index, text), self.terms(other, other_text))
        return overlap > REDUNDANCY_OVERLAP

    def fits(self, index: int, text: str, *, extra: int = 0) -> bool:
        """Whether the word budget has room (the first pick always fits)."""
        words_needed = len(text.split()) + extra
        budget = self.budget.words
        return not self.chosen or budget is None or self.words_used + words_needed <= budget

    def take(self, index: int, text: str) -> None:
        self.chosen.append(index)
        self.chosen_set.add(index)
        self.chosen_terms.append(self.terms(index, text) if self.remove_redundancy else set())
        self.words_used += len(text.split())


def _overlap(terms: set[str], other: set[str]) -> float:
    if not terms or not other:
        return 0.0
    return len(terms & other) / min(len(terms), len(other))


def _overlap_of(terms: set[str], other: set[str]) -> float:
    """The share of ``terms`` that ``other`` has too."""
    return len(terms & other) / len(terms) if terms else 0.0


# ---------------------------------------------------------------------------------------------------------
# Unit rules (pure, on a sentence's text).

# Pronouns that need an antecedent from an earlier sentence. "It" is among them: an opening "It" is either
# such a pronoun or an empty subject ("It was not clear whether..."), and neither makes a key point alone.
_PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "him",
        "her",
        "them",
        "his",
        "hers",
        "its",
        "their",
        "theirs",
        "we",
        "us",
        "our",
    ]
)
# "This"/"These"/"That"/"Those" are pronouns when a verb follows ("This comes after..."); before a noun they
# are determiners ("This week the council...") and the sentence stands alone.
_DEMONSTRATIVES = frozenset(["this", "these", "that", "those"])
_VERB_WORDS = (
    "is was are were has have had will would could can may might must should comes came come means meant "
    "follows followed includes included led leads makes made marks marked shows showed showing prompted "
    "sparked raised happened occurred appears appeared seems seemed became becomes did does left gave "
    "gives brings brought puts put"
)
_VERB_AFTER = frozenset(_VERB_WORDS.split())
# Connectives and openers that point back at something the headline does not say.
_BACK_REFERENCE_WORDS = (
    "but and or so yet also however meanwhile moreover furthermore additionally instead still "
    "nevertheless nonetheless besides thus hence therefore consequently then later afterwards prior "
    "subsequently separately similarly likewise otherwise such"
)
_BACK_REFERENCES = frozenset(_BACK_REFERENCE_WORDS.split())
# Call-to-action and page-chrome lines: never a key point, whatever an engine scores them.
_CALL_TO_ACTION = re.compile(
    r"^\W*(?:(?:click|tap|press) (?:here|for|to|on|the)|scroll (?:down|up)|read (?:more|the full|our)|"
    r"continue reading|(?:watch|see) (?:the )?(?:video|videos|gallery|pictures|photos)|"
    r"(?:sign up|subscribe|register) (?:to|for|now|here)|follow (?:us|me|@)|like us on|share (?:this|on)|"
    r"download (?:the|our) app|(?:read|watch|listen|see|more|related|video|photos?|pictured|gallery)\s*:)",
    re.IGNORECASE,
)
_CALL_TO_ACTION_WORDS = 15  # a real sentence that happens to open "Watch the video..." is longer
_LETTER = re.compile(r"[^\W\d_]")
# A shouted line has at most this share of letters that are not capitals.
_NOT_CAPITAL_SHARE = 0.1
# The most frequent lowercase letters of English and French text: each is a letter and no capital, so
# counting them is a cheap lower bound on the letters that are not capitals.
_COMMON_LOWERCASE = "etaoinsrhl"
_TERMINAL = re.compile(r"[.!…][\"”’'»)\]]*$")


def is_chrome_line(text: str) -> bool:
    """A call to action ("Click here to...", "Scroll down for video", "Read more") or a shouted all-capitals
    line ("CLICK FOR FULL STATE SWIM RESULTS"): page furniture, not a point of the story."""
    stripped = text.strip()
    if _CALL_TO_ACTION.match(stripped) and len(stripped.split()) <= _CALL_TO_ACTION_WORDS:
        return True
    return is_shouting(stripped)


def is_shouting(text: str) -> bool:
    """At least three words and nearly every letter a capital (a stray lowercase "s" or "x" allowed)."""
    if sum(map(text.count, _COMMON_LOWERCASE)) > _NOT_CAPITAL_SHARE * len(text):
        # Over a tenth of the text in lowercase letters (of which there are no more letters than characters):
        # a real sentence, told in a few C counts, before collecting every letter.
        return False
    letters = _LETTER.findall(text)
    if len(letters) < 10 or sum(1 for word in text.split() if _LETTER.search(word)) < 3:
        return False
    upper = sum(1 for letter in letters if letter.isupper())
    return upper >= (1 - _NOT_CAPITAL_SHARE) * len(letters)


def opens_with_pronoun(text: str) -> bool:
    """Whether a sentence opens with a pronoun that refers back ("He said...", "This comes after...")."""
    first = words(text[:80])
    if not first:
        return False
    if first[0] in _PRONOUNS:
        return True
    return first[0] in _DEMONSTRATIVES and len(first) > 1 and first[1] in _VERB_AFTER


def is_headline(text: str) -> bool:
    """One self-contained statement: no opening pronoun or back-reference ("Prior to this meeting, ..."),
    long enough to state an event, a statement's final stop (no question, no trailing colon)."""
    first = words(text[:80])
    if len(text.split()) < HEADLINE_MIN_WORDS or not first:
        return False
    if opens_with_pronoun(text) or first[0] in _BACK_REFERENCES:
        return False
    return _TERMINAL.search(text.rstrip()) is not None
