import pytest

from newsbrief.text.language import detect_language

TEXTS = {
    "en": "The minister said on Monday that the talks with the union would continue next week in the capital, "
    "and that she expected an agreement before the end of the month.",
    "ru": "Министр заявил в понедельник, что переговоры с профсоюзом продолжатся на следующей неделе в столице, "
    "и что он ожидает соглашения до конца месяца.",
    "fr": "Le ministre a déclaré lundi que les discussions avec le syndicat se poursuivraient la semaine prochaine "
    "dans la capitale, et qu'il attendait un accord avant la fin du mois.",
    "de": "Der Minister sagte am Montag, dass die Gespräche mit der Gewerkschaft in der nächsten Woche in der "
    "Hauptstadt fortgesetzt werden und dass er vor Ende des Monats eine Einigung erwarte.",
    "es": "El ministro dijo el lunes que las conversaciones con el sindicato continuarán la próxima semana en la "
    "capital, y que espera un acuerdo antes de que termine el mes.",
}


@pytest.mark.parametrize(("language", "text"), list(TEXTS.items()), ids=list(TEXTS))
def test_detects_our_main_languages(language: str, text: str) -> None:
    assert detect_language(text) == language


def test_short_sentences_go_to_the_statistical_identifier() -> None:
    assert detect_language("Встреча прошла в Москве, министр заявил о сотрудничестве.") == "ru"


def test_too_little_text_is_unknown() -> None:
    assert detect_language("OK 123") is None
