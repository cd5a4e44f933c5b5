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

_latex = None


# what pylatexenc changes; a word without any of these comes out as it went in
_LATEX_SPECIAL = re.compile(r"[\\$%{}~`'&#^_]|--|[!?]`")
_ESCAPED = re.compile(r"\\[\\${}%]")
_WORD = re.compile(r"\S+")
# a control word (\alpha, \ie) takes the spaces after it, and maybe the word after them
_ENDS_IN_CONTROL_WORD = re.compile(r"\\[A-Za-z]+$")


def _latex_to_text(text: str) -> str:
    """LaTeX in ``text`` turned into Unicode, a few words at a time.

    pylatexenc reads its input a character at a time (about 6 ms for an
    abstract), so only the runs of words that hold something it would change go
    through it; the rest is copied. A run goes on past a space while a brace
    group or ``$...$`` is open, after a control word (``\\alpha beta``) or a
    backslash, before ``{`` or ``[`` (an argument) and while the next word holds
    something to change, so no construct is split. On the evaluation corpora this
    gives the same text as one sentence at a time (itself better than one pass over
    the whole abstract, which sometimes left ``$O(L)$`` untouched) in half the time.
    """
    out, pos = [], 0
    for special in _LATEX_SPECIAL.finditer(text):
        if special.start() < pos:
            continue  # within a run already undone
        start = special.start()
        while start > pos and not text[start - 1].isspace():  # back to the start of its word
            start -= 1
        end, last = start, ""
        depth = dollars = 0
        for w in _WORD.finditer(text, start):
            word = w.group()
            if end > start and not (depth or dollars % 2 or text[end - 1] == "\\"
                                    or _ENDS_IN_CONTROL_WORD.search(last) or word[0] in "{["
                                    or _LATEX_SPECIAL.search(word)):
                break
            plain = _ESCAPED.sub("", word) if "\\" in word else word
            depth += plain.count("{") - plain.count("}")
            dollars += plain.count("$")
            end, last = w.end(), word
        out += [text[pos:start], _pylatexenc(text[start:end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _pylatexenc(text: str) -> str:
    global _latex
    if _latex is None:
        from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

        # \today is the day of the run and \maketitle a title block (with that date, or a title
        # an earlier text set with \title): text no abstract says; left out, so the same text
        # always cleans the same
        macros = get_default_latex_context_db()
        macros.add_context_category("kgraph", prepend=True, macros=[
            MacroTextSpec("today", simplify_repl=""), MacroTextSpec("maketitle", simplify_repl="")])
        # math_mode="text" keeps inline $...$ readable (x^2 stays x^2, \alpha becomes α).
        _latex = LatexNodes2Text(latex_context=macros, math_mode="text", strict_latex_spaces=False)
    # A bare % starts a LaTeX comment and would swallow the rest of the abstract.
    text = re.sub(r"(?<!\\)%", r"\\%", text)
    try:
        return _latex.latex_to_text(text)
    except Exception:  # malformed LaTeX: keep the text, drop the markup characters
        return text.replace("\\", " ").replace("{", "").replace("}", "")


#: Most characters of a title or abstract that are parsed (:func:`text_to_parse`). spaCy
#: refuses texts over 1,000,000 characters and its parser needs about 2.5 MB of memory per
#: 1,000 of them (measured: 100,000 characters, 3 s and 270 MB more; 1,000,000, 32 s and
#: 2.5 GB); an abstract is about 1,500, a whole paper pasted in 40,000-60,000.
MAX_PARSE_CHARS = 100_000


#: A run of more characters than this without a space is broken into pieces this long before
#: the parse. No word is that long (the longest in the example and evaluation corpora: a URL
#: of 119), and spaCy's tokenizer takes time quadratic in such a run's length when it is made
#: of punctuation or symbols, which it splits off one at a time: 3,000 "=" take 1.9 s, 30,000
#: "&" 100 s; 200 take 10 ms at most.
_MAX_RUN = 200
_LONG_RUN = re.compile("[^ ]{%d,}" % (_MAX_RUN + 1))


def _broken(run: re.Match) -> str:
    text = run.group()
    return " ".join(text[i : i + _MAX_RUN] for i in range(0, len(text), _MAX_RUN))


def text_to_parse(text: str) -> str:
    """:func:`clean_text` of ``text``, cut after at most :data:`MAX_PARSE_CHARS` characters (at a space).

    Only a text longer than that loses anything: its end (:func:`kgraph.sources.read_papers`
    notes such a record, and the papers table keeps the whole text). A run of over 200
    characters without a space is broken into pieces of 200 (see ``_MAX_RUN``).
    """
    limit = MAX_PARSE_CHARS
    text = _cleaned(text[: 2 * limit])  # the part that can end up parsed, with room for markup
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > 0 else limit]


def parsed_length(text: str) -> int:
    """The length of ``text`` as :func:`text_to_parse` sees it before its cut: cleaned (markup
    that cleaning removes does not count; a long run gains its spaces), so the parse leaves part
    of ``text`` out when this is over :data:`MAX_PARSE_CHARS`. A text of up to a quarter of the
    limit is not cleaned (its own length: cleaning mostly shortens a text; at most it about triples
    one, NFC's largest expansion, and a long run gains a space in 200), nor one of over twice the
    limit (its own length: the parse takes less than it in any case)."""
    limit = MAX_PARSE_CHARS
    if len(text) <= limit // 4 or len(text) > 2 * limit:
        return len(text)
    return len(_cleaned(text))


def _cleaned(text: str) -> str:
    text = clean_text(text)  # (its only white space: single spaces)
    return _LONG_RUN.sub(_broken, text) if len(text) > _MAX_RUN else text


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
    return " ".join(text.split())  # whitespace collapsed (str.split and re's \s agree on it)
