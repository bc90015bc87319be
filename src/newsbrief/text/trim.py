"""Trimming non-content from the edges of a sentence (the span shrinks, still pointing into the text)."""

from __future__ import annotations

import re

# A wire-style dateline opening a story: an optional place ("LONDON", "Sanaa, Yemen") and the agency in
# brackets ("(CNN)", "(Reuters)") followed by a dash or glued to the story, or a capitalised place and a dash.
# "The United Nations (UN) said" is not one: after the bracket comes neither a dash nor a glued capital.
_DATELINE = re.compile(
    r"^(?:[^\W\d_][\w.'’-]*(?:,?\s[^\W\d_][\w.'’-]*){0,5}\s*)?"
    r"\([^\W\d_][\w.&' -]{0,30}\)\s*(?:(?:--|—|–|-)\s*|(?=[^\W\d_]))"
    r"|^[^\W\d_a-z][^\Wa-z\d]*(?:[ ,.]+[^\Wa-z\d]+){0,4}\s+(?:--|—|–)\s+"
)


def dateline_length(sentence: str) -> int:
    """How many leading characters of a sentence are a dateline (0 when there is none)."""
    match = _DATELINE.match(sentence)
    if match is None or match.end() >= len(sentence):
        return 0
    rest = sentence[match.end() :]
    # The story must go on after the dateline with a capital letter, a digit or a quote.
    return match.end() if rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "\"“'‘«" else 0
