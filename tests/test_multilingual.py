"""Sane summaries in Russian, French, German and Spanish (texts written by us)."""

import pytest

from newsbrief.engines import available_engines, is_installed
from newsbrief.models import Article, Length
from newsbrief.pipeline import summarize_article

STORIES = {
    "ru": (
        "Городской совет утвердил бюджет",
        [
            "Городской совет в понедельник утвердил новый бюджет, который увеличивает расходы на школы на четыре процента.",
            "Депутаты спорили о бюджете почти шесть часов.",
            "Городской совет утвердил новый бюджет, увеличив расходы на школы на четыре процента, сообщили депутаты.",
            "Учителя приветствовали решение, а водители жалуются на плохие дороги.",
        ],
    ),
    "fr": (
        "Le conseil municipal adopte le budget",
        [
            "Le conseil municipal a adopté lundi un nouveau budget qui augmente de quatre pour cent les dépenses pour les écoles.",
            "Les élus ont débattu du budget pendant près de six heures.",
            "Le conseil municipal a adopté un nouveau budget augmentant de quatre pour cent les dépenses pour les écoles, selon les élus.",
            "Les enseignants ont salué la décision, tandis que les automobilistes se plaignent des routes.",
        ],
    ),
    "de": (
        "Stadtrat beschließt den Haushalt",
        [
            "Der Stadtrat hat am Montag einen neuen Haushalt beschlossen, der die Ausgaben für Schulen um vier Prozent erhöht.",
            "Die Abgeordneten stritten fast sechs Stunden lang über den Haushalt.",
            "Der Stadtrat hat einen neuen Haushalt beschlossen und erhöht die Ausgaben für Schulen um vier Prozent, sagten die Abgeordneten.",
            "Lehrer begrüßten die Entscheidung, während Autofahrer über schlechte Straßen klagen.",
        ],
    ),
    "es": (
        "El concejo aprueba el presupuesto",
        [
            "El concejo municipal aprobó el lunes un nuevo presupuesto que aumenta en un cuatro por ciento el gasto en escuelas.",
            "Los concejales discutieron el presupuesto durante casi seis horas.",
            "El concejo municipal aprobó un nuevo presupuesto que aumenta en un cuatro por ciento el gasto en escuelas, según los concejales.",
            "Los maestros celebraron la decisión, mientras los conductores se quejan de las carreteras.",
        ],
    ),
}
ENGINES = [info.key for info in available_engines() if is_installed(info.key) and info.key != "lead.v1"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("language", list(STORIES))
def test_summary_in_the_articles_language_without_repeating_itself(engine: str, language: str) -> None:
    title, paragraphs = STORIES[language]
    article = Article(paragraphs=(" ".join(paragraphs),), title=title)
    summary = summarize_article(article, engine=engine, length=Length.sentences(2))
    assert summary.language == language
    chosen = [sentence.text for sentence in summary.sentences]
    assert len(chosen) == 2
    assert paragraphs[0] in chosen  # the lead with the decision
    assert paragraphs[2] not in chosen  # the same fact again: stemmed terms in this language overlap
