"""Wire datelines at the start of a story: one rule for every form, so that key points and compression
strip them the same way.

A dateline is a place, optional qualifiers (a region or country, a date), an optional agency credit in
brackets, then a dash or the story glued to the credit:

    VIENNA — Iran said ...                                  place in capitals, dash
    NEW YORK (Reuters) - Stocks fell ...                    place, agency, dash
    DUBAI, United Arab Emirates — Dubai's ruler ...         place, region, dash
    LONDON, March 3 (AP) — The Bank ...                     place, date, agency, dash
    Sanaa, Yemen (CNN) -- The rebels ...                    a place in title case needs the agency
    (CNN)Three people were hurt ...                         the agency alone, glued to the story

What it must not take: "The United Nations (UN) Security Council met" (no dash after the bracket),
"US — China talks" (two letters are an acronym more often than a city), "Apple — the company — said"
(the story must go on with a capital, a digit or a quote).
"""

from __future__ import annotations

import re

_WORD = r"[^\W\d_][\w.'’-]*"
# What may follow the place after commas: a region or country ("United Arab Emirates", "D.C.", "Calif."),
# or a date ("March 3", "Jan. 5", "3 March", "2026").
_QUALIFIER = rf"(?:{_WORD}(?:\s+{_WORD}){{0,3}}|\d{{1,2}}\.?\s+{_WORD}|{_WORD}\s+\d{{1,2}}|\d{{4}})"
_DASH = r"(?:--|—|–|-)"
_DATELINE = re.compile(
    rf"(?P<place>{_WORD}(?:\s+{_WORD}){{0,3}})?"
    rf"(?P<qualifiers>(?:,\s*{_QUALIFIER}){{0,2}})\s*"
    r"(?P<agency>\([^\W\d_][\w.&' -]{0,30}\))?"
    rf"(?P<separator>\s*{_DASH}\s+|(?<=\))(?=[^\W\d_]))"
)
# A place in capitals without an agency: at least this many letters ("ROME", "GAZA"; not "US", "EU").
_MIN_CAPITAL_PLACE_LETTERS = 3


def dateline_end(text: str) -> int:
    """Where the dateline opening ``text`` ends (the index of the story's first character); 0 when the
    text opens with none."""
    match = _DATELINE.match(text)
    if match is None or match.end() >= len(text) or not _is_dateline(match):
        return 0
    rest = text[match.end() :]
    # The story must go on after the dateline with a capital letter, a digit or a quote.
    return match.end() if rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "\"“'‘«" else 0


def _is_qualifier(words: list[str]) -> bool:
    """A region in capitalised words ("United Arab Emirates"), or a date ("March 3", "3 марта", "2026")."""
    return words[0][0].isdigit() or all(word[0].isupper() or word[0].isdigit() for word in words)


def _is_dateline(match: re.Match[str]) -> bool:
    place, agency = match["place"], match["agency"]
    if not all(_is_qualifier(piece.split()) for piece in match["qualifiers"].split(",")[1:]):
        return False  # "LONDON, the capital —" is a sentence, not a dateline
    if place is None:  # "(CNN) -- " or "(CNN)Three": the agency alone, nothing may stand before it
        return agency is not None and not match["qualifiers"]
    words = place.split()
    if agency is not None:
        # "Sanaa, Yemen (CNN)" or "Washington (Reuters)": every word of the place capitalised.
        return all(word[0].isupper() for word in words)
    # Without an agency only a place in capitals is a dateline, and only before a dash with spaces.
    letters = sum(character.isalpha() for character in place)
    return place.isupper() and letters >= _MIN_CAPITAL_PLACE_LETTERS and match["separator"].strip() != ""
