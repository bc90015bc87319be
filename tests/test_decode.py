import os

import pytest

from newsbrief.errors import BinaryInput, EmptyInput, UndecodableInput
from newsbrief.extract.decode import decode_bytes

RUSSIAN = "Министры обороны России провели встречу с министром обороны Нигера. Стороны договорились расширить сотрудничество."
FRENCH = "Le ministre a déclaré à la presse que les négociations reprendraient après la rentrée, à Genève."
GERMAN = "Die Größe der Übung überraschte Beobachter in München und Köln."
SPANISH = "El niño comió piña en España. ¿Qué pasó después? Nadie lo sabe, señor."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        pytest.param(RUSSIAN, "cp1251", id="windows-1251"),
        pytest.param(RUSSIAN, "koi8-r", id="koi8-r"),
        pytest.param(RUSSIAN, "utf-8", id="utf-8"),
        pytest.param(RUSSIAN, "utf-8-sig", id="utf-8-bom"),
        pytest.param(RUSSIAN, "utf-16", id="utf-16-bom"),
        pytest.param(FRENCH, "latin-1", id="latin-1-fr"),
        pytest.param(GERMAN, "latin-1", id="latin-1-de"),
        pytest.param(SPANISH, "cp1252", id="cp1252-es"),
    ],
)
def test_common_encodings_decode_exactly(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)) == text


def test_declared_charset_is_used_when_it_decodes() -> None:
    assert decode_bytes(RUSSIAN.encode("koi8-r"), declared="koi8-r") == RUSSIAN


def test_wrong_declared_charset_falls_back_to_detection() -> None:
    assert decode_bytes(RUSSIAN.encode("cp1251"), declared="no-such-charset") == RUSSIAN


@pytest.mark.parametrize(
    ("data", "error"),
    [
        pytest.param(b"", EmptyInput, id="empty"),
        pytest.param(b"  \n\t ", EmptyInput, id="whitespace"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", BinaryInput, id="png"),
        pytest.param(os.urandom(4096) + b"\x00", BinaryInput, id="random-with-nul"),
        pytest.param(bytes(range(1, 9)) * 100, BinaryInput, id="control-bytes"),
        pytest.param(
            RUSSIAN.encode("utf-8")[:41] + RUSSIAN.encode("utf-8")[42:], UndecodableInput, id="broken-utf8"
        ),
    ],
)
def test_refuses_what_is_not_text(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_bytes(data)


def test_a_web_page_with_one_stray_byte_stays_utf8() -> None:
    from newsbrief.extract import extract_text

    body = "<p>Zoë Müller sagte am Montag, die Brücke über den Fluss werde im Frühling eröffnet. </p>" * 3
    page = (
        "<html><head><meta charset='utf-8'><title>Brücke</title></head><body><article>" + body
    ).encode() + b"\xff"
    page += "<p>Die Arbeiten dauerten zwei Jahre länger als geplant, sagte die Stadträtin.</p></article></body></html>".encode()
    text = extract_text(page, "https://example.org/a")
    assert "Zoë Müller" in text and "länger" in text


def test_extract_text_never_raises() -> None:
    from newsbrief.extract import extract_text

    for junk in (b"", b"\x00\x01\x02" * 100, b"<html></html>", "Встреча".encode()[:-1] * 50):
        assert isinstance(extract_text(junk, None), str)
