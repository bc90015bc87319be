"""The speed-ups of newsbrief.v3's hot path answer exactly as the plain definitions they replace.

Each fast path (a substring search for a regular expression, a quote-mark expression that starts with its
characters, ``take`` for array indexing, a cheap reject before counting letters, substring pre-checks before
compression's expressions, the final-punctuation run read from the end, term ids from a per-language cache)
is checked against the straightforward version on random strings and arrays, including the edge cases that
tell them apart.
"""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from newsbrief import compression
from newsbrief.engines import features
from newsbrief.engines.features import _QUOTES, FEATURE_NAMES, _has_digit, sentence_features
from newsbrief.engines.newsbrief_v3 import load_model
from newsbrief.models import Article
from newsbrief.pipeline import prepare
from newsbrief.selection import _LETTER, is_shouting
from newsbrief.text.normalize import contains_any
from newsbrief.text.tokens import content_terms

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
        assert contains_any(text, _QUOTES) == (re.search('["“”«»„]', text) is not None), text
        assert features._before_apostrophe(text) == re.split("['’]", text, maxsplit=1)[0], text


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


# What compression's page-furniture expressions look for, in several cases, with letters that match a Latin
# letter only when case is ignored ("ſ" is an "s", the Kelvin sign a "k", "İ" an "i").
CHROME_POOL = [
    *POOL, "Scroll down for video", "SCROLL DOWN FOR MORE", "ſcroll down for video", "click here to watch",
    "CLİCK here to see", "clic\u212a here to read", "see the video below", "(pictured)", ", pictured left,",
    "(left)", ", right,", "(file photo)", "(CNN)", "(Reuters)", "(AP)", " ", ".", ",", "(", ")", "[", "]",
]  # fmt: skip


def chrome_texts(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(CHROME_POOL) for _ in range(rng.randint(0, 10))) for _ in range(count)]


def plain_chrome_candidates(text: str) -> list[compression.Candidate]:
    """_chrome_candidates as first written: every expression searched through every sentence."""
    found = [
        compression.Candidate(m.start(), m.end(), "chrome", "internal")
        for m in compression._CHROME.finditer(text)
        if text[m.start() : m.end()].strip()
    ]
    found.extend(
        compression.Candidate(m.start(), m.end(), "chrome", "internal")
        for m in compression._PICTURED.finditer(text)
    )
    found.extend(
        compression.Candidate(m.start(), m.end(), "wire_credit", "internal")
        for m in compression._INNER_CREDIT.finditer(text)
        if m.start() > 0
    )
    return compression._fix_edges(text, found)


PLAIN_FINAL = re.compile(r"[\s.!?…\"”’'»)]*$")


def plain_bracket_candidates(text: str, prefix_end: int) -> list[compression.Candidate]:
    found = []
    for match in compression._BRACKETS.finditer(text, prefix_end):
        if match.start() == 0:
            continue
        position = "trailing" if not PLAIN_FINAL.sub("", text[match.end() :]) else "internal"
        found.append(compression.Candidate(match.start(), match.end(), "parenthetical", position))
    return found


def test_chrome_prechecks_match_the_plain_search() -> None:
    for text in chrome_texts(20_000):
        assert compression._chrome_candidates(text) == plain_chrome_candidates(text), text


def test_final_run_matches_the_expression() -> None:
    marks = [*POOL, *".!?…\"”’'»)", "\u2003", "\x1c", "\t"]
    rng = random.Random(13)
    for _ in range(20_000):
        text = "".join(rng.choice(marks) for _ in range(rng.randint(0, 12)))
        assert compression._final_start(text) == PLAIN_FINAL.search(text).start(), text  # type: ignore[union-attr]
        for prefix_end in (0, 2):
            found = compression._bracket_candidates(text, prefix_end)
            assert found == plain_bracket_candidates(text, prefix_end)


# Hand-written articles: repeated terms, stop words only, a title sharing words, a sentence without words.
ARTICLES = [
    Article(
        paragraphs=(
            "The council approved the new budget on Monday. Council members said the budget cuts "
            "libraries. Libraries will close early. It is what it is. The mayor, who opposed the cuts, "
            "said the budget was approved too fast. -- ",
        ),
        title="Council approves budget",
        language="en",
    ),
    Article(
        paragraphs=("Storms hit the coast. Storms hit the coast again! Fishermen stayed home.",),
        title="",
        language="en",
    ),
    Article(
        paragraphs=("Le conseil a voté le budget lundi. Les bibliothèques fermeront plus tôt.",),
        title="Le budget voté",
        language="fr",
    ),
]


def plain_term_statistics(article: Article) -> np.ndarray:
    """Centrality, term spread, lead overlap and title coverage, sentence by sentence, from stem strings."""
    document = prepare(article)
    language = document.language
    terms = [content_terms(sentence.text, language) for sentence in document.sentences]
    heading = " ".join(filter(None, (article.title, article.subtitle)))
    title = set(content_terms(heading, language))
    frequency: dict[str, int] = {}
    for sentence_terms in terms:
        for term in sentence_terms:
            frequency[term] = frequency.get(term, 0) + 1
    norm = float(np.sqrt(sum(value * value for value in frequency.values())))
    count = len(terms)
    out = np.zeros((count, 4))
    lead = set(terms[0])
    for index, sentence_terms in enumerate(terms):
        distinct = set(sentence_terms)
        if not distinct:
            out[index, 2] = 1.0 if index == 0 else 0.0
            continue
        dot = sum(sentence_terms.count(term) * frequency[term] for term in distinct)
        squares = sum(sentence_terms.count(term) ** 2 for term in distinct)
        out[index, 0] = dot / (np.sqrt(squares) * norm)
        out[index, 1] = sum(sum(term in set(other) for other in terms) for term in distinct) / (
            len(distinct) * count
        )
        out[index, 2] = 1.0 if index == 0 else len(distinct & lead) / len(distinct)
        out[index, 3] = len(distinct & title) / len(title) if title else 0.0
    return out


@pytest.mark.parametrize("article", ARTICLES)
def test_term_ids_match_the_plain_statistics(article: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    columns = slice(6, 10)
    plain = plain_term_statistics(article)
    assert np.allclose(sentence_features(prepare(article))[:, columns], plain, rtol=1e-12, atol=0)
    # A cache too small for one article is cleared and refilled: the same figures, to the bit.
    warm = sentence_features(prepare(article))
    monkeypatch.setattr(features, "_STEM_CACHE_SIZE", 3)
    assert sentence_features(prepare(article)).tobytes() == warm.tobytes()
    features._TERM_CACHES.clear()
    assert sentence_features(prepare(article)).tobytes() == warm.tobytes()


def test_assembling_nothing_matches_the_general_path() -> None:
    """With nothing chosen, assemble keeps the whole text as the general path would (its one kept piece)."""
    for text in [*random_texts(5_000), "", " ", "\n\t ", " Word. "]:
        spans: list[tuple[int, int]] = []
        compression._keep(text, 0, len(text), spans)
        if spans:
            plain = compression.Compressed(
                text=compression.join_pieces([text[start:end] for start, end in spans]),
                spans=tuple((7 + start, 7 + end) for start, end in spans),
                removed=(),
            )
        else:
            plain = compression.Compressed(text=text, spans=((7, 7 + len(text)),), removed=())
        assert compression.assemble(text, [], 7) == plain, repr(text)


def test_lowercasing_keeps_whitespace_apart() -> None:
    """features.py cuts the lowered text at whitespace and counts the chunks as ``text.split()``'s: true when
    no character's lowercase form adds, removes or moves whitespace (checked on every code point)."""
    for code in range(0x110000):
        char = chr(code)
        lowered = char.lower()
        if char.isspace():
            assert lowered == char, hex(code)
        else:
            assert lowered and not any(c.isspace() for c in lowered), hex(code)


def test_term_ids_from_several_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads sharing the term cache (and a cache so small it is replaced all the time) get the same
    features as one thread alone."""
    documents = [prepare(article) for article in ARTICLES]
    expected = [sentence_features(document).tobytes() for document in documents]
    monkeypatch.setattr(features, "_STEM_CACHE_SIZE", 40)

    def run(seed: int) -> bool:
        order = random.Random(seed).choices(range(len(documents)), k=200)
        return all(sentence_features(documents[i]).tobytes() == expected[i] for i in order)

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(run, range(8)))
