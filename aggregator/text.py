"""Small text helpers shared by the stages."""

from __future__ import annotations

import re
import unicodedata

import lxml.etree
import lxml.html
from charset_normalizer import from_bytes


def normalise_label(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key for matching labels written by people."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", bare).strip()


def decode_text(data: bytes) -> str:
    """Bytes from a source as text: UTF-8 (with or without BOM) first, else the likeliest encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("cp1252", errors="replace")


def slugify(text: str, max_length: int = 80) -> str:
    return normalise_label(text).replace(" ", "-")[:max_length].strip("-")


FRENCH_MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}


def french_date(text: str) -> str:
    """An ISO date (AAAA, AAAA-MM or AAAA-MM-JJ) from the ways French sites write dates; '' if none."""
    key = normalise_label(text)
    if match := re.fullmatch(r"(\d{4}) (\d{1,2}) (\d{1,2})(?:t.*| .*)?", key):
        return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}"
    if match := re.fullmatch(r"(\d{1,2}) (\d{1,2}) (\d{4})", key):
        return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
    if match := re.fullmatch(r"(?:(?:le )?(\d{1,2})(?:er)? )?([a-z]+) (\d{4})", key):
        month = FRENCH_MONTHS.get(match[2])
        if month:
            return f"{match[3]}-{month:02d}-{int(match[1]):02d}" if match[1] else f"{match[3]}-{month:02d}"
    if match := re.fullmatch(r"(\d{4}) (\d{1,2})", key):
        return f"{match[1]}-{int(match[2]):02d}"
    if re.fullmatch(r"\d{4}", key):
        return key
    return ""


def strip_html(fragment: str) -> str:
    """The text of an HTML fragment, scripts and styles dropped."""

    if "<" not in fragment:
        return fragment
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return re.sub(r"<[^>]+>", " ", fragment)
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    return " ".join(root.text_content().split())
