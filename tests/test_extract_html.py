"""HTML extraction beyond trafilatura: site furniture dropped, deep nesting and huge scripts survived."""

from __future__ import annotations

from newsbrief.extract import extract_text
from newsbrief.extract.boilerplate import is_boilerplate, strip_boilerplate
from newsbrief.extract.html import extract_page
from tests.site import PARAGRAPHS, article_page


def test_furniture_lines_are_dropped_and_prose_about_them_kept() -> None:
    for line in (
        "Follow The Harbour Courier on Twitter and Facebook.",
        "Sign up for our daily newsletter",
        "Thanks for signing up!",
        "Copyright © 2026 Harbour Courier. All rights reserved.",
        "Published 18 November 2026",
        "2026-11-19T08:57:40+01:00",
        "22 de novembro de 2026 às 20:13",
        "Reading time: 4 min",
        "Related: Ferry fares rise again",
        "Write to Ana Ruiz at ana.ruiz@courier.example",
        "- Print Article",
    ):
        assert is_boilerplate(line), line
    for line in (
        "Following the vote, the council said it would sign up two more ferry operators by March.",
        "Residents can subscribe to alerts about the works, the authority said on Tuesday.",
        "Watchmakers and shipwrights both have workshops on the old pier.",
    ):
        assert not is_boilerplate(line), line


def test_a_list_of_other_stories_after_the_article_is_cut() -> None:
    lines = [*PARAGRAPHS, "Most read", "Ferry fares rise again", "Lighthouse keeper retires after 40 years"]
    assert strip_boilerplate(lines) == list(PARAGRAPHS)
    # The same label early in the text is not a tail: nothing after it is dropped.
    early = ["Related", *PARAGRAPHS]
    assert strip_boilerplate(early) == list(PARAGRAPHS)


def test_an_article_is_never_stripped_to_nothing() -> None:
    assert strip_boilerplate(["Comments"]) == ["Comments"]


def test_page_furniture_inside_the_article_element_is_not_in_the_text() -> None:
    furniture = (
        "<p>Sign up for our daily newsletter</p><p>Copyright © 2026 Harbour Courier. All rights reserved.</p>"
    )
    page = article_page(paragraphs=(*PARAGRAPHS, "Follow The Harbour Courier on Twitter and Facebook."))
    text = extract_text(page.replace("</article>", furniture + "</article>").encode())
    assert "12,000 passengers" in text
    assert "newsletter" not in text
    assert "Copyright" not in text
    assert "Follow The Harbour Courier" not in text


def test_an_article_nested_deeper_than_256_levels_is_found() -> None:
    page = article_page()
    deep = page.replace("<article>", "<div>" * 300 + "<article>").replace(
        "</article>", "</article>" + "</div>" * 300
    )
    extracted = extract_page(deep.encode())
    assert extracted.verdict.is_article
    assert extracted.article is not None
    assert len(extracted.article.paragraphs) == len(PARAGRAPHS)


def test_a_page_with_megabytes_of_inline_script_data_keeps_its_article() -> None:
    state = "<script>window.__STATE__ = '" + "x" * 11_000_000 + "';</script>"
    extracted = extract_page(article_page(head=state).encode())
    assert extracted.verdict.is_article
    assert extracted.article is not None
    assert "12,000 passengers" in extracted.article.text


def test_structured_data_survives_the_script_trimming() -> None:
    padding = "<script>var padding = '" + "y" * 200_000 + "';</script>"
    head = (
        padding
        + '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
    )
    extracted = extract_page(article_page(paragraphs=PARAGRAPHS[:1], head=head).encode())
    assert extracted.verdict.reason is not None
    assert extracted.verdict.reason.value == "paywall"


def test_a_page_with_a_few_stray_nul_bytes_is_still_a_page() -> None:
    page = article_page().encode().replace(b"<footer>", b"\x00<footer>\x00")
    extracted = extract_page(page)
    assert extracted.verdict.is_article
    assert extracted.article is not None
    assert "\x00" not in extracted.article.text
