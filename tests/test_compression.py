"""Sentence compression (compression.py): the safety list, spans into the article, language handling.

The safety list holds sentences written for this test (news-like, not from any dataset). Each says which
pieces may go (``removable``: the rules must offer them and the vetoes let them through) and which words
must stay (``kept``: negations, conditions, numbers and dates, quotations, attributions, the subject and the
verb). The kept words are checked with DELETE_ALL, a model that removes every candidate the vetoes allow, so
the guarantee holds whatever the learned model decides.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from newsbrief.compression import (
    COMPRESSOR,
    DELETE_ALL,
    KEEP_NONE,
    MIN_KEPT_WORDS,
    REASONS,
    compress,
    join_pieces,
)


@dataclass(frozen=True)
class Case:
    sentence: str
    removable: tuple[str, ...]  # pieces the compressor may delete (exact text, without the commas)
    kept: tuple[str, ...]  # words that must survive any deletion


CASES = (
    # Datelines, wire credits, chrome.
    Case(
        "LONDON (Reuters) - The Bank of England held rates on Thursday.",
        ("LONDON (Reuters) -",),
        ("on Thursday",),
    ),
    Case("(CNN)Three people were hurt when a bus overturned in Ohio.", ("(CNN)",), ("Three people",)),
    Case(
        "NAIROBI, Kenya (AP) -- Heavy rain has flooded parts of the capital.",
        ("NAIROBI, Kenya (AP) --",),
        ("flooded",),
    ),
    Case(
        "Scroll down for video A farmer has rescued a lamb stuck in a frozen pond.",
        ("Scroll down for video",),
        ("A farmer", "rescued", "lamb"),
    ),
    Case(
        "By . Daily Mail Reporter . The council voted to close the library next spring.",
        ("By . Daily Mail Reporter .",),
        ("next spring", "voted"),
    ),
    Case(
        "The singer, pictured, has cancelled her tour of Asia.", (", pictured",), ("The singer", "cancelled")
    ),
    Case("The new bridge (pictured) opens to traffic in June.", ("(pictured)",), ("in June",)),
    # Leading connectives and phrases.
    Case("Meanwhile, the army moved its tanks closer to the border.", ("Meanwhile,",), ("the army", "moved")),
    Case(
        "In addition to these discussions, the ministers signed a trade pact.",
        ("In addition to these discussions,",),
        ("signed", "trade pact"),
    ),
    Case("However, the mayor rejected the proposal for a new stadium.", ("However,",), ("rejected",)),
    Case("In a statement, the airline apologised to its passengers.", ("In a statement,",), ("apologised",)),
    Case(
        "Speaking at a rally in the city centre, the senator promised lower taxes for families.",
        ("Speaking at a rally in the city centre,",),
        ("promised", "lower taxes"),
    ),
    # Relative clauses, appositives, asides, participle phrases.
    Case(
        "The painter, who lived in a small village near the coast, left his house to the town.",
        (", who lived in a small village near the coast",),
        ("The painter", "left his house"),
    ),
    Case(
        "The company, a maker of garden tools, has closed its last factory.",
        (", a maker of garden tools",),
        ("has closed", "factory"),
    ),
    Case(
        "Maria Lopez, 34, was named head coach of the national team.",
        (", 34",),
        ("Maria Lopez", "was named"),
    ),
    Case(
        "The museum -- a landmark since the war -- will reopen after repairs.",
        ("-- a landmark since the war --",),
        ("will reopen",),
    ),
    Case(
        "Firefighters fought the blaze through the night, leaving the building a blackened shell.",
        (", leaving the building a blackened shell",),
        ("Firefighters fought the blaze",),
    ),
    Case(
        "The storm hit the coast, which had been evacuated by the authorities.",
        (", which had been evacuated by the authorities",),
        ("The storm hit the coast",),
    ),
    Case(
        "The vaccine (developed in Sweden) is being offered to older patients.",
        ("(developed in Sweden)",),
        ("is being offered", "older patients"),
    ),
    # Negations are never removed.
    Case(
        "The driver, who was not wearing a seatbelt, was thrown from the car.",
        (),
        ("not wearing a seatbelt",),
    ),
    Case("The minister, however, never answered the question.", (), ("never answered",)),
    Case(
        "The club signed the striker, without paying a transfer fee.",
        (),
        ("without paying",),
    ),
    Case(
        "The suspect, who denied the charges, was remanded in custody.",
        (),
        ("denied the charges",),
    ),
    Case("The school, which hasn't reopened, is being used as a shelter.", (), ("hasn't reopened",)),
    # Conditions are never removed.
    Case(
        "The strike will go ahead, unless the company raises its offer.",
        (),
        ("unless the company raises its offer",),
    ),
    Case(
        "If the dam fails, thousands of homes will be flooded.",
        (),
        ("If the dam fails",),
    ),
    Case(
        "The loan will be repaid, provided the harvest is good.",
        (),
        ("provided the harvest is good",),
    ),
    # Numbers and dates the claim depends on are never removed.
    Case(
        "On Tuesday, the court ordered the release of the prisoners.",
        (),
        ("On Tuesday",),
    ),
    Case(
        "The company, which employs 4,000 people, posted a loss.",
        (),
        ("4,000 people",),
    ),
    Case("The tower (built in 1889) is the city's best-known sight.", (), ("1889",)),
    Case(
        "The fund, worth two billion dollars, will be spent on schools.",
        (),
        ("two billion dollars",),
    ),
    Case(
        "After three weeks of talks, the parties agreed on a coalition.",
        (),
        ("three weeks",),
    ),
    # Attributions are never removed: the claim would become a fact.
    Case("The fire was started deliberately, police said.", (), ("police said",)),
    Case(
        "According to the report, the river is the most polluted in Europe.",
        (),
        ("According to the report",),
    ),
    Case(
        "The minister, officials said, will resign before the election.",
        (),
        ("officials said",),
    ),
    Case(
        "The bank, reportedly, is preparing to sell its insurance arm.",
        (),
        ("reportedly",),
    ),
    Case(
        "The player allegedly struck a fan, leaving the stadium in chaos, witnesses told reporters.",
        (),
        ("allegedly", "witnesses told reporters"),
    ),
    Case(
        "The outbreak, experts believe, began in a market.",
        (),
        ("experts believe",),
    ),
    # Quotations are never cut into.
    Case(
        '"We will rebuild, whatever it costs," the governor told the crowd.',
        (),
        ("We will rebuild, whatever it costs", "the governor told"),
    ),
    Case(
        "“The team, which I love, deserves better,” the coach said.",
        (),
        ("The team, which I love, deserves better", "the coach said"),
    ),
    Case(
        "She called the plan 'a disaster, frankly, for everyone' and left the room.",
        (),
        ("a disaster, frankly, for everyone",),
    ),
    # The result stays a sentence: lists and subjects are kept.
    Case(
        "The visitors came from France, the Netherlands and Belgium.",
        (),
        ("the Netherlands and Belgium",),
    ),
    Case(
        "Smith, the mayor, and Jones met the protesters on the bridge.",
        (),
        ("the mayor", "Jones met"),
    ),
    Case("Yes, prices rose.", (), ("prices rose",)),
    # Commas that are no piece boundary (found reading compressed CNN dev key points; written anew here).
    Case("The new app is an engaging, useful guide for hikers.", (), ("an engaging, useful guide",)),
    Case(
        "At a ceremony in Denver, Colorado, the governor signed the bill.",
        (),
        ("Colorado", "the governor signed"),
    ),
    Case(
        "The road was closed, the transport agency, which manages it, said.",
        (),
        ("the transport agency", "said"),
    ),
    Case("Two men were arrested, including a teenager, police said.", (), (", police said",)),
    Case('As the critic put it, "the film is a triumph."', (), ("As the critic put it",)),
    Case("Winning a fair, lasting peace is the aim of the talks.", (), ("Winning a fair, lasting peace",)),
    Case(
        "Rebels seized the town, taking the mayor, Ali Hassan, and his staff.",
        (),
        ("taking the mayor, Ali Hassan",),
    ),
    Case(
        "The guard said he warned Jones, who, witnesses said, ran away.",
        (),
        ("who, witnesses said, ran away",),
    ),
    Case(
        "Just as the talks resumed, the army launched a new offensive.",
        (),
        ("the army launched a new offensive",),
    ),
    Case(
        "While the city slept, the river rose over its banks.",
        ("While the city slept,",),
        ("the river rose",),
    ),
    # Found in a second reading: pieces that carry the outcome, a hedge, the correction of a belief, a
    # viewpoint; a list of participles; a comma only before an attribution.
    Case(
        "The climber fell into a crevasse and was given up for dead -- only to walk out two days later.",
        (),
        ("only to walk out",),
    ),
    Case(
        "Rulers are using the threat of unrest -- real or perceived -- to silence critics, the group alleges.",
        (),
        ("real or perceived",),
    ),
    Case(
        "Residents heard a loud bang -- caused by a burst gas main -- and feared a bombing, the mayor said.",
        (),
        ("caused by a burst gas main",),
    ),
    Case(
        "From a legal perspective, there was no reason to detain the reporter.",
        (),
        ("From a legal perspective",),
    ),
    Case(
        "The storm battered the island: flattening homes, uprooting trees, cutting power and closing roads.",
        (),
        ("cutting power and closing roads",),
    ),
    Case(
        "The channel, meanwhile, announced that the host would be suspended for a week.",
        ("meanwhile",),
        ("The channel announced",),
    ),
    # Hedges that qualify the rest of the sentence stay.
    Case(
        "The plant (it may be the largest in Asia) will open soon.",
        (),
        ("it may be the largest in Asia",),
    ),
    # Written after reading 100 compressed CNN key points (docs/benchmarks.md, issue 14): a hedging or
    # scoping opening stays, a clause conceded before "but" is no appositive, "pictured" takes its commas.
    Case("In some ways, the strike at the port has already begun, officials said.", (), ("In some ways",)),
    Case("To some extent, the new rules have slowed the rise in rents.", (), ("To some extent",)),
    Case("In this case, the family will pay less than $40 for the trip.", (), ("In this case",)),
    Case(
        "Sure, the club sold the old stadium, but its fans kept coming to the new one.",
        (),
        ("the club sold the old stadium", "but its fans"),
    ),
    Case(
        "The chart, above, shows the fall in river levels across the region.",
        (", above,",),
        ("The chart shows",),
    ),
    # Scope-aware vetoes: a relative clause, an appositive or a participle phrase states its own side claim
    # and goes whole with its numbers, dates and attributions; a negation or a condition in it, an
    # attribution of the main claim, the source's description or a referent of a later pronoun stays.
    Case(
        "The fisherman, who was jailed in 2005 for smuggling, has opened a seafood restaurant in the harbour.",
        (", who was jailed in 2005 for smuggling",),
        ("The fisherman has opened a seafood restaurant",),
    ),
    Case(
        "Tom Baker, a 45-year-old father of two, won the regional lottery draw last weekend.",
        (", a 45-year-old father of two",),
        ("Tom Baker won", "last weekend"),
    ),
    Case(
        "The storm swept across the northern islands, leaving 12 people injured.",
        (", leaving 12 people injured",),
        ("The storm swept across the northern islands",),
    ),
    Case(
        "The singer, who told reporters she was scared, left the stage early.",
        (", who told reporters she was scared",),
        ("The singer left the stage early",),
    ),
    Case(
        "The injured hiker was flown to a hospital in the city, where doctors treated her for a broken leg.",
        (", where doctors treated her for a broken leg",),
        ("was flown to a hospital",),
    ),
    Case(
        "The striker scored twice in the cup match, his first goals in a decade.",
        (", his first goals in a decade",),
        ("The striker scored twice in the cup match",),
    ),
    Case(
        "The ferry left the harbour, when the wind picked up along the coast.",
        (", when the wind picked up along the coast",),
        ("The ferry left the harbour",),
    ),
    Case("The bridge, which was never finished, has become a tourist attraction.", (), ("never finished",)),
    Case(
        "The final will go ahead on Saturday, depending on the weather.",
        (),
        ("depending on the weather",),
    ),
    Case(
        "He was released on bail, pending an appeal to the high court.",
        (),
        ("pending an appeal",),
    ),
    Case(
        "The ministry raised its growth forecast, citing stronger exports.",
        (),
        ("citing stronger exports",),
    ),
    Case(
        "The leak came from a cracked pipe, a cause the company confirmed.",
        (),
        ("a cause the company confirmed",),
    ),
    Case(
        "The fire was started on purpose, said Anna Berg, the head of the fire service.",
        (),
        ("said Anna Berg, the head of the fire service",),
    ),
    Case(
        "The two climbers have been found alive, a park ranger said in a radio interview on Friday.",
        (),
        ("a park ranger said in a radio interview",),
    ),
    Case(
        "The new rules caught the farmers off guard, judging by their angry letters to the minister.",
        (),
        ("judging by their angry letters",),
    ),
    Case(
        "The band played the old hits, the slow songs and, of course, the famous encore.",
        (),
        ("of course, the famous encore",),
    ),
    Case(
        "Fishing is a dying trade along this coast, where, a union claims, one boat sinks every week.",
        (),
        ("a union claims, one boat sinks every week",),
    ),
    Case(
        "Heading into the governor's address on Monday to a joint session of Parliament, both sides should quickly agree to a truce.",
        (),
        ("both sides should quickly agree to a truce",),
    ),
    Case(
        "Many believe that since the senator backed Jones, the party will now support him.",
        (),
        ("the party will now support him",),
    ),
    Case(
        "The longer the talks went on over the long winter, the harder the compromise became.",
        (),
        ("the harder the compromise became",),
    ),
    Case(
        "With the discovery of an old bone in a cave in Spain, a young student has changed our view of early farming.",
        (),
        ("a young student has changed our view",),
    ),
    Case(
        "Mr Lee, whose daughter lives abroad, said she would return for the trial.",
        (),
        ("whose daughter lives abroad",),
    ),
    Case(
        "The gunman acted alone, as investigators had suspected from the start.",
        (),
        ("as investigators had suspected",),
    ),
    Case(
        "The town will always be a crossroads, as its long and troubled history so clearly shows.",
        (),
        ("as its long and troubled history so clearly shows",),
    ),
    Case(
        "Benefits are paid in full, when the claimant lives alone.",
        (),
        ("when the claimant lives alone",),
    ),
    Case(
        "The bonus will be paid, as long as the budget allows it.",
        (),
        ("as long as the budget allows it",),
    ),
    Case(
        "Officials closed the road, after the old bridge was damaged on Monday.",
        (),
        ("on Monday",),
    ),
    Case(
        "The company cut its prices, while its rivals refused to follow.",
        (),
        ("refused to follow",),
    ),
    # A dash before a conjunction opens a coordinated clause (often the news itself) or a co-subject.
    Case(
        "The board game was invented in a Dutch village in the 1950s -- and now its makers are suing a toy giant.",
        (),
        ("now its makers are suing a toy giant",),
    ),
    Case(
        "The mayor -- and her two deputies -- resigned over the parking scandal.",
        (),
        ("and her two deputies", "resigned"),
    ),
)


def _id(case: Case) -> str:
    return case.sentence[:40]


def test_the_safety_list_has_forty_sentences() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_kept_words_survive_every_allowed_deletion(case: Case) -> None:
    result = compress(case.sentence, language="en", model=DELETE_ALL)
    for words in case.kept:
        # Case-blind: the first kept word is capitalised.
        assert words.lower() in result.text.lower(), (
            f"{words!r} was removed: {result.text!r} ({result.removed})"
        )


@pytest.mark.parametrize("case", [case for case in CASES if case.removable], ids=_id)
def test_removable_pieces_are_offered(case: Case) -> None:
    result = compress(case.sentence, language="en", model=DELETE_ALL)
    removed = [removal.text.strip(" ,") for removal in result.removed]
    for piece in case.removable:
        assert piece.strip(" ,") in removed, f"{piece!r} not removed: {result.removed}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_result_is_still_a_sentence(case: Case) -> None:
    result = compress(case.sentence, language="en", model=DELETE_ALL)
    first_letter = next(char for char in result.text if char.isalpha())
    assert first_letter.isupper()
    assert result.text[-1] == case.sentence.rstrip()[-1]  # the final stop (or quote) is kept
    assert len(result.text.split()) >= min(MIN_KEPT_WORDS, len(case.sentence.split()))
    assert not result.text.startswith((",", " ")) and "  " not in result.text and " ," not in result.text


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_spans_point_into_the_article(case: Case) -> None:
    article = "First sentence here. " + case.sentence + " Last one."
    offset = article.index(case.sentence)
    result = compress(case.sentence, language="en", offset=offset, model=DELETE_ALL)
    joined = join_pieces([article[start:end] for start, end in result.spans])
    assert joined[1:] == result.text[1:]
    assert joined[:1].upper() == result.text[:1].upper()
    for removal in result.removed:
        assert article[removal.start : removal.end] == removal.text
        assert removal.reason in REASONS
    pieces = sorted([*result.spans, *(removal.span for removal in result.removed)])
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(pieces))  # no overlap


def test_the_shipped_model_keeps_the_vetoes() -> None:
    for case in CASES:
        result = compress(case.sentence, language="en")
        assert all(words.lower() in result.text.lower() for words in case.kept), case.sentence
        assert result.compressor == COMPRESSOR == "compress.v3"


def test_keep_none_removes_only_page_furniture() -> None:
    result = compress(
        "(CNN)Meanwhile, the army, which is tired, moved north.", language="en", model=KEEP_NONE
    )
    assert result.text == "Meanwhile, the army, which is tired, moved north."
    assert [removal.reason for removal in result.removed] == ["wire_credit"]


def test_an_unchanged_sentence_is_one_span() -> None:
    sentence = "The council approved the budget."
    result = compress(sentence, language="en", offset=100)
    assert result.text == sentence
    assert result.spans == ((100, 100 + len(sentence)),)
    assert result.removed == ()


def test_other_languages_get_only_language_neutral_deletions() -> None:
    french = "PARIS (AFP) - Le maire, qui a été réélu en mars, a inauguré le nouveau pont."
    result = compress(french, language="fr", model=DELETE_ALL)
    assert result.text == "Le maire, qui a été réélu en mars, a inauguré le nouveau pont."
    german = "Der Minister (ein Sozialdemokrat) trat am Montag zurück."
    assert compress(german, language="de", model=DELETE_ALL).text == german


def test_french_brackets_pass_the_french_vetoes() -> None:
    kept = "Le projet (sans précédent) a été adopté par les députés."
    assert compress(kept, language="fr", model=DELETE_ALL).text == kept
    dropped = compress(
        "Le projet (porté par la gauche) a été adopté par les députés.", language="fr", model=DELETE_ALL
    )
    assert dropped.text == "Le projet a été adopté par les députés."
