"""Language of each text, detected offline (py3langid ships its model in the package).

A text too short to judge (a title, a tag) takes the record's declared language; a longer one
takes the detected language when the detector is confident, else the declared one too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

#: Languages a French aggregator meets; limiting the set makes short texts far more reliable.
LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl", "br", "oc", "ca", "eu")
#: Below this many letters, a text keeps the record's language.
MIN_LETTERS = 40
#: Probability (normalised) below which the detector's answer is not trusted.
MIN_CONFIDENCE = 0.9


@cache
def _identifier() -> Any:
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True, langs=list(LANGUAGES))


def detect(text: str, default: str = "fr") -> str:
    """A BCP 47 primary tag for the text, or ``default`` when it is too short or unclear."""
    letters = sum(c.isalpha() for c in text)
    if letters < MIN_LETTERS:
        return default
    language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return default
    return str(language)
