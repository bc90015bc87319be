"""Turning inputs (bytes, HTML, text dumps) into Articles."""

from newsbrief.extract.decode import decode_bytes
from newsbrief.extract.html import extract_text, looks_like_html, parse_html
from newsbrief.extract.textdump import parse_text

__all__ = ["decode_bytes", "extract_text", "looks_like_html", "parse_html", "parse_text"]
