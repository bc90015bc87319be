"""Bytes to text: BOMs, strict UTF-8, then charset detection (charset-normalizer) for legacy encodings."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from newsbrief.errors import BinaryInput, EmptyInput, UndecodableInput

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes other than tab/newline/carriage return/form feed: text files hardly ever hold them.
_CONTROL_BYTES = bytes(range(9)) + bytes(range(14, 32)).replace(b"\x1b", b"")
# Web pages (decoded with repair_utf8) may carry a few stray NUL bytes; binary files have far more.
_MAX_STRAY_NUL_SHARE = 0.001
_STRAY_NULS = 32
# More than this share of control bytes means binary data, not text with a few stray bytes.
_MAX_CONTROL_SHARE = 0.01
# Text with at least this many well-formed multi-byte UTF-8 characters per broken one was meant as UTF-8:
# legacy single-byte text almost never forms valid UTF-8 sequences by chance, so detection would only
# produce mojibake. Better to say the input is broken than to summarize garbage.
_UTF8_EVIDENCE_RATIO = 2
# charset-normalizer's "chaos" (mess) above this is noise, not text.
_MAX_CHAOS = 0.2
# A declared charset whose text is messier than this is wrong (charset-normalizer's mess ratio: 0 clean,
# 1 garbage; real Latin-1 or windows-1251 prose scores under 0.1, Cyrillic read as Latin-1 scores ~1).
_MAX_DECLARED_MESS = 0.2
_MESS_SAMPLE_CHARS = 100_000
# Candidates this close to the cleanest one count as equally clean.
_CHAOS_TOLERANCE = 0.05
# Legacy encodings of the web, most used first (Western, Cyrillic, Central European, then the rest).
_COMMON_ENCODINGS = (
    "cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp1250", "iso8859_2",
    "cp1253", "iso8859_7", "cp1254", "iso8859_9", "cp1257", "cp1256", "cp1255", "gb18030", "big5",
    "shift_jis", "euc_jp", "euc_kr", "cp874",
)  # fmt: skip


def decode_bytes(data: bytes, declared: str | None = None, *, repair_utf8: bool = False) -> str:
    """Decode bytes: a BOM first, then UTF-8, then a declared charset if it decodes, then detection.

    Raises:
        EmptyInput: no bytes.

    ``repair_utf8`` replaces a few broken sequences in text that is otherwise UTF-8 (web pages often carry
    one stray byte; guessing another charset for the whole page would garble every accented letter) instead
    of refusing it, as files given on the command line are.
        BinaryInput: NUL or control bytes, or nothing text-like.
        UndecodableInput: broken UTF-8, or bytes no encoding fits.
    """
    if not data.strip():
        raise EmptyInput("the input is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_with(data, encoding)
    if repair_utf8 and 0 < data.count(b"\x00") <= max(_STRAY_NULS, len(data) * _MAX_STRAY_NUL_SHARE):
        data = data.replace(b"\x00", b"")  # a web page with a few stray NULs is still a page
    _refuse_binary(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    if _mostly_utf8(data):
        if repair_utf8:
            return data.decode("utf-8", errors="replace")
        raise UndecodableInput(f"the input is invalid UTF-8 ({utf8_error.reason} at byte {utf8_error.start})")
    if declared:
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declared charset: detection decides
        else:
            # A single-byte charset decodes any bytes, so a wrong declaration (Cyrillic bytes labelled
            # Latin-1, a common CMS default) does not fail: it produces mojibake, which the mess ratio sees.
            if mess_ratio(text[:_MESS_SAMPLE_CHARS]) <= _MAX_DECLARED_MESS:
                return text
    return _detect(data)


def _decode_with(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UndecodableInput(
            f"the input starts with a {encoding} byte-order mark but is not {encoding}: "
            f"{error.reason} at byte {error.start}"
        ) from None


def _refuse_binary(data: bytes) -> None:
    if b"\x00" in data:
        raise BinaryInput("the input looks binary (it contains NUL bytes), not text")
    sample = data[:65536]
    controls = sum(sample.count(byte) for byte in _CONTROL_BYTES)
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise BinaryInput("the input looks binary (control bytes), not text")


def _mostly_utf8(data: bytes) -> bool:
    decoded = data.decode("utf-8", errors="replace")
    broken = decoded.count("\ufffd")
    wellformed = sum(1 for character in decoded if ord(character) > 127) - broken
    return wellformed >= _UTF8_EVIDENCE_RATIO * broken


def _detect(data: bytes) -> str:
    encoding = _pick_encoding(data[:200_000])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise UndecodableInput(f"the input is not valid UTF-8 and not valid {encoding}") from None


def _pick_encoding(sample: bytes) -> str:
    """The most common legacy encoding among the cleanest candidates charset-normalizer finds.

    On short texts charset-normalizer often ranks an exotic code page (mac_turkish for German) first
    although a common one decodes the bytes just as cleanly; web text is overwhelmingly in the common ones.
    """
    candidates = [match for match in from_bytes(sample) if match.chaos <= _MAX_CHAOS]
    if not candidates:
        raise UndecodableInput("the input is not valid UTF-8 and no other text encoding fits it")
    cleanest = min(match.chaos for match in candidates)
    plausible = [match.encoding for match in candidates if match.chaos <= cleanest + _CHAOS_TOLERANCE]
    common = [encoding for encoding in _COMMON_ENCODINGS if encoding in plausible]
    return common[0] if common else plausible[0]
