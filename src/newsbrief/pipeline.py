"""The pipeline every interface calls: Article -> Document -> scores -> selection -> Summary."""

from __future__ import annotations

import dataclasses
import time

from newsbrief.compression import Compressed, CompressorModel, compress, model_for
from newsbrief.engines import WritingEngine, get_engine
from newsbrief.errors import NoSentences
from newsbrief.models import Article, Document, Length, Style, Summary, SummarySentence
from newsbrief.options import BUILT_IN_DEFAULTS, DEFAULT_READING_WPM, SummaryDefaults, SummaryOptions
from newsbrief.selection import Units, budget_for, expected_sentences, select_sentences
from newsbrief.text.language import detect_language
from newsbrief.text.segment import has_words, segment_article
from newsbrief.text.trim import dateline_length

# A one-sentence headline is scored against a one-line, mostly abstractive reference, where the optional
# deletions the key-point threshold (0.4) allows cost ROUGE. Over the 900 training one-liners (XSum and
# XL-Sum, 3-fold x 5 seeds, newsbrief.v3's headline trees) ROUGE-1 is 19.64 at 0.4, 19.81 at 0.8, 19.86 at
# 0.85 and 19.88 at 0.9 or with no optional deletion at all. 0.85 still drops what the model is nearly sure
# of, an opening connective above all ("Meanwhile, ..." keeps a sentence out of a headline, selection.py),
# at no measurable cost; page furniture goes whatever the threshold.
HEADLINE_COMPRESSION_THRESHOLD = 0.85


def with_language(article: Article) -> Article:
    """The article with its language detected when it has none."""
    if article.language is not None:
        return article
    return dataclasses.replace(article, language=detect_language(article.text))


def readable(article: Article) -> Article:
    """The one door every article passes before it is stored or summarized: it must have words (else
    NoSentences), and gets its language detected when it has none."""
    if not has_words(article.text):
        raise NoSentences("the article has no sentences to summarize (no words found)")
    return with_language(article)


def prepare(article: Article) -> Document:
    """Detect the language when unknown and split the article into sentences.

    Raises:
        NoSentences: the article has no words at all.
    """
    article = readable(article)
    return Document(article=article, sentences=segment_article(article))


def make_summary(
    article: Article, options: SummaryOptions, *, reading_wpm: int = DEFAULT_READING_WPM
) -> Summary:
    """Summarize one article: the pipeline every interface calls.

    Args:
        article: the extracted article.
        options: engine, length budget and style (``SummaryOptions.parse`` checks what users give).
        reading_wpm: the reading speed behind a ``seconds`` budget.

    Returns:
        The Summary, with each sentence's paragraph and span in ``article.text``, and when compressed, the
        spans of the kept pieces and what was removed.
    """
    scorer = get_engine(options.engine)
    if isinstance(scorer, WritingEngine):  # it writes its own sentences (llm.v1), gated, or falls back
        return scorer.write(
            prepare(article),
            options,
            reading_wpm=reading_wpm,
            extractive=lambda fallback: make_summary(article, fallback, reading_wpm=reading_wpm),
        )
    started = time.perf_counter()
    document = prepare(article)
    budget = budget_for(
        options.length, options.style, sentence_count=len(document.sentences), reading_wpm=reading_wpm
    )
    points = expected_sentences(budget, document)
    scores = scorer.score(document, options.style, sentences=points)
    shown = ShownSentences(
        document,
        compress=options.compresses,
        trim=scorer.info.trim_datelines,
        points=points,
        style=options.style,
    )
    units = Units(
        key_points=scorer.info.compress and options.style is not Style.PARAGRAPH,
        headline=scorer.info.compress and options.style is Style.HEADLINE,
        title=article.title,
    )
    chosen = select_sentences(
        document,
        scores,
        budget,
        remove_redundancy=scorer.info.remove_redundancy,
        shown=shown.text,
        units=units,
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    return Summary(
        sentences=tuple(shown.summary_sentence(i, scores.scores[i], scores.features_of(i)) for i in chosen),
        style=options.style,
        engine=scorer.info.key,
        engine_version=scorer.info.version,
        options=options.as_dict(),
        content_hash=article.content_hash,
        language=document.language,
        elapsed_ms=elapsed_ms,
        title=article.title,
    )


def summarize_article(
    article: Article,
    *,
    engine: str | None = None,
    length: Length | None = None,
    style: Style = Style.BULLETS,
    compress: bool | None = None,
    defaults: SummaryDefaults = BUILT_IN_DEFAULTS,
) -> Summary:
    """``make_summary`` with the options as keywords; what is not given comes from ``defaults`` (the
    built-in ones unless given: the environment is read only at the edges, e.g. ``newsbrief.summarize``)."""
    options = SummaryOptions(
        engine=engine or defaults.engine,
        length=length or Length.sentences(defaults.sentences),
        style=style,
        compress=compress,
    )
    return make_summary(article, options, reading_wpm=defaults.reading_wpm)


def compressor_for(style: Style, points: int) -> CompressorModel:
    """The compression model for a summary of ``points`` sentences in ``style`` (a headline's is stricter)."""
    model = model_for(points)
    if style is Style.HEADLINE:
        return dataclasses.replace(model, threshold=HEADLINE_COMPRESSION_THRESHOLD)
    return model


class ShownSentences:
    """What a summary shows of each sentence, computed when selection first asks (compression costs about
    as much as scoring, so only the sentences selection looks at are compressed)."""

    def __init__(
        self, document: Document, *, compress: bool, trim: bool, points: int = 3, style: Style = Style.BULLETS
    ) -> None:
        self._document = document
        self._compress = compress
        self._model = compressor_for(style, points)  # ``points``: about how many sentences it will have
        self._trim = trim
        self._cache: dict[int, Compressed] = {}

    def shown(self, index: int) -> Compressed:
        """Sentence ``index`` as shown: compressed, or whole (less a wire dateline when trimming)."""
        found = self._cache.get(index)
        if found is None:
            sentence = self._document.sentences[index]
            if self._compress:
                found = compress(
                    sentence.text,
                    language=self._document.language,
                    offset=sentence.start,
                    model=self._model,
                )
            else:
                skip = dateline_length(sentence.text) if self._trim else 0
                found = Compressed(
                    text=sentence.text[skip:], spans=((sentence.start + skip, sentence.end),), removed=()
                )
            self._cache[index] = found
        return found

    def text(self, index: int) -> str:
        return self.shown(index).text

    def summary_sentence(self, index: int, score: float, features: dict[str, float]) -> SummarySentence:
        sentence = self._document.sentences[index]
        shown = self.shown(index)
        # Uncompressed, the span is the shown text's (a trimmed dateline is outside it, as before
        # compression existed); compressed, it is the whole sentence and ``spans`` says what is shown.
        start = sentence.start if self._compress else shown.spans[0][0]
        return SummarySentence(
            text=shown.text,
            index=sentence.index,
            paragraph=sentence.paragraph,
            start=start,
            end=sentence.end,
            score=round(score, 6),
            features={name: round(value, 6) for name, value in features.items()},
            spans=shown.spans,
            removed=shown.removed,
        )
