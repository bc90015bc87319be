"""One summary request: which engine, how long, what style. Parsed and bounded here, and only here.

``SummaryOptions`` is what the pipeline takes, what the summary cache keys on, what batch ships to workers
and what a Summary records. ``OPTIONS`` is the one table of the request's parameters: the CLI builds its
flags from it, the API its query parameters and body fields, and the README documents it (a test checks
that they agree), as datasette's ``SETTINGS`` drive its CLI, validation and docs.

    SummaryOptions.parse(words=60, style="paragraph", engine="lead.v1", defaults=SummaryDefaults())
    SummaryOptions.parse(defaults=SummaryDefaults(engine="newsbrief.v3", sentences=3))   # all defaults
    options.key()                                                   # the cache key part, stable text
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from newsbrief.compression import COMPRESSOR
from newsbrief.errors import BadLength, InvalidInput
from newsbrief.models import LENGTH_BOUNDS, Length, LengthUnit, Style

# Engine names are short registry keys ("newsbrief.v3"); a longer one is a mistake or an attack.
ENGINE_NAME_MAX = 64


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One parameter of a summary request, as every interface offers it."""

    name: str
    kind: type
    help: str
    minimum: float | None = None
    maximum: float | None = None
    minimum_open: bool = False  # the minimum itself is not allowed (a ratio of 0)
    choices: tuple[str, ...] = ()
    max_length: int | None = None


def _length_spec(unit: LengthUnit, kind: type, help_text: str) -> OptionSpec:
    low, high, open_low = LENGTH_BOUNDS[unit]
    return OptionSpec(unit.value, kind, help_text, minimum=low, maximum=high, minimum_open=open_low)


OPTIONS: tuple[OptionSpec, ...] = (
    _length_spec(LengthUnit.SENTENCES, int, "Number of sentences (default 3)."),
    _length_spec(LengthUnit.WORDS, int, "At most this many words."),
    _length_spec(LengthUnit.RATIO, float, "Share of the sentences, e.g. 0.2."),
    _length_spec(LengthUnit.SECONDS, float, "Reading-time budget in seconds."),
    OptionSpec(
        "style",
        str,
        "Key points (bullets), a paragraph, or one headline sentence.",
        choices=tuple(style.value for style in Style),
    ),
    OptionSpec(
        "engine", str, "Engine name, e.g. lead.v1 (see `newsbrief engines`).", max_length=ENGINE_NAME_MAX
    ),
    OptionSpec(
        "compress",
        str,
        "Shorten each sentence by removing asides, datelines and chrome (auto: on for bullets and "
        "headline, off for paragraph and for engines that show sentences as they are, like lead.v1).",
        choices=("auto", "on", "off"),
    ),
)
OPTIONS_BY_NAME = {spec.name: spec for spec in OPTIONS}
LENGTH_OPTIONS = tuple(unit.value for unit in LengthUnit)


DEFAULT_ENGINE = "newsbrief.v3"
DEFAULT_SENTENCES = 3
DEFAULT_READING_WPM = 230


@dataclass(frozen=True, slots=True)
class SummaryDefaults:
    """What a request that says nothing gets, and the reading speed behind ``seconds`` budgets
    (``Settings.summary`` at the edges; these built-in values otherwise)."""

    engine: str = DEFAULT_ENGINE
    sentences: int = DEFAULT_SENTENCES
    reading_wpm: int = DEFAULT_READING_WPM


BUILT_IN_DEFAULTS = SummaryDefaults()


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """The engine (its registry key), the length budget and the style of one summary."""

    engine: str
    length: Length
    style: Style = Style.BULLETS
    # None: the default for the style and engine (see ``compresses``).
    compress: bool | None = None

    @classmethod
    def parse(
        cls,
        *,
        defaults: SummaryDefaults,
        sentences: int | None = None,
        words: int | None = None,
        ratio: float | None = None,
        seconds: float | None = None,
        style: str | Style | None = None,
        engine: str | None = None,
        compress: str | bool | None = None,
    ) -> SummaryOptions:
        """Options from what a user gave (None: not given); errors say what is wrong in user terms.

        Raises:
            BadLength: more than one length, or one outside its bounds.
            InvalidInput: an unknown style or compress value, or an engine name that cannot be one.
            UnknownEngine: no engine of that name.
        """
        given = {
            LengthUnit.SENTENCES: sentences,
            LengthUnit.WORDS: words,
            LengthUnit.RATIO: ratio,
            LengthUnit.SECONDS: seconds,
        }
        chosen = [(unit, value) for unit, value in given.items() if value is not None]
        if len(chosen) > 1:
            raise BadLength(f"give one length, not {' and '.join(unit.value for unit, _ in chosen)}")
        length = Length(*chosen[0]) if chosen else Length.sentences(defaults.sentences)
        return cls(
            engine=resolve_engine_name(engine or defaults.engine),
            length=length,
            style=parse_style(style),
            compress=parse_compress(compress),
        )

    @property
    def compresses(self) -> bool:
        """Whether the summary's sentences are compressed: as asked, else on for key points and headlines
        of engines that allow it. A paragraph reads as prose, where clipped sentences jar; Lead-N is a
        baseline that shows the article's sentences as they are."""
        if self.compress is not None:
            return self.compress
        if self.style is Style.PARAGRAPH:
            return False
        from newsbrief.engines import get_engine  # the registry loads engines; options stay importable alone

        return get_engine(self.engine).info.compress

    def as_dict(self) -> dict[str, Any]:
        """The options a summary records (its ``options`` field): length, style and the compressor (its
        version, so a new compressor is a new cache key), or None when sentences are shown whole."""
        return {
            "length": {"unit": self.length.unit.value, "value": self.length.value},
            "style": self.style.value,
            "compressor": COMPRESSOR if self.compresses else None,
        }

    def key(self) -> str:
        """The options part of the summary cache key: the same text for the same options."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))


def parse_style(style: str | Style | None) -> Style:
    if style is None:
        return Style.BULLETS
    try:
        return Style(style)
    except ValueError:
        raise InvalidInput(f"style must be one of {', '.join(s.value for s in Style)}") from None


_COMPRESS_VALUES = {"auto": None, "on": True, "off": False}


def parse_compress(compress: str | bool | None) -> bool | None:
    """``auto`` (or None) -> None, the style's default; ``on``/``off`` (or a bool) -> that."""
    if compress is None or isinstance(compress, bool):
        return compress
    try:
        return _COMPRESS_VALUES[compress]
    except KeyError:
        raise InvalidInput(f"compress must be one of {', '.join(_COMPRESS_VALUES)}") from None


def resolve_engine_name(name: str) -> str:
    """The registry key of engine ``name`` (UnknownEngine when there is none)."""
    if len(name) > ENGINE_NAME_MAX:
        raise InvalidInput(f"an engine name has at most {ENGINE_NAME_MAX} characters")
    from newsbrief.engines import get_engine  # the registry loads engines; options stay importable alone

    return get_engine(name).info.key
