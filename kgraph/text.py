"""Text cleanup before parsing: LaTeX, HTML entities and inline markup undone.

Only the text handed to spaCy is cleaned; the ``papers`` table keeps what the
user gave, so exports show titles exactly as written.

Examples
--------
>>> clean_text(r"the Schr\\"odinger equation and {\\tt CGR}")
'the Schrödinger equation and CGR'
>>> clean_text("AT&amp;T and <i>in vivo</i>")
'AT&T and in vivo'
"""
from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"</?(?:i|b|em|strong|sub|sup|span|p|br|tt|code|mml:[a-z]+|jats:[a-z]+)(?:\s[^<>]*)?/?>", re.I)
_LATEX_HINT = re.compile(r"[\\$]|\{")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")

_latex = None


def _latex_to_text(text: str) -> str:
    global _latex
    if _latex is None:
        from pylatexenc.latex2text import LatexNodes2Text

        # math_mode="text" keeps inline $...$ readable (x^2 stays x^2, \alpha becomes α).
        _latex = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
    # A bare % starts a LaTeX comment and would swallow the rest of the abstract.
    text = re.sub(r"(?<!\\)%", r"\\%", text)
    try:
        return _latex.latex_to_text(text)
    except Exception:  # malformed LaTeX: keep the text, drop the markup characters
        return text.replace("\\", " ").replace("{", "").replace("}", "")


def clean_text(text: str) -> str:
    """Return ``text`` with markup undone, ready for the parser.

    HTML entities are decoded, inline HTML/JATS tags removed, LaTeX accents and
    font commands turned into Unicode (pylatexenc), control characters dropped and
    whitespace collapsed.
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub("", text)
    if _LATEX_HINT.search(text):
        text = _latex_to_text(text)
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()
