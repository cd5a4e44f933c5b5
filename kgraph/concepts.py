"""Concepts: candidate phrases normalised across the corpus, scored and selected.

From the ``candidates`` and ``acronyms`` tables of :mod:`kgraph.extract` this stage
makes the ``concepts`` and ``mentions`` tables:

1. Normalise each candidate: strip leading words that carry no meaning
   (``novel``, ``proposed``, ...), expand acronyms defined in the corpus
   (``IRL`` → ``inverse reinforcement learning``, plural forms included), merge
   British/American spellings and hyphen/space/closed-compound variants that the
   corpus holds both of, apply the user's thesaurus and stoplist, and drop generic
   academic words (``paper``, ``approach``, ``result``, ...).
2. Score each concept in each paper (``mentions.score``, ``rank``) by frequency,
   a title bonus, a weak first-position term, specificity across the corpus (idf)
   and phrase length.
3. Score each concept for the corpus (``concepts.score``: how central it is in the
   papers that mention it, summed) and select the graph's concept nodes: found in at
   least ``min_df`` papers, capped at ``max_concepts`` by score.
4. Link each multi-word concept to the shorter concepts its words form
   (``broader``), and mark focus terms and everything narrower than them.
"""
from __future__ import annotations

import csv
import functools
import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .errors import InputError
from .extract import Extraction, _is_acronym, _singular, normalise_key

# Words that add nothing when they open a phrase ("novel method" is a method).
LEADING_FILLERS = frozenset(
    """novel new proposed existing various several different many other such same certain given
    specific particular recent current previous prior further additional respective corresponding
    numerous diverse extensive comprehensive unique main major key typical conventional traditional
    standard common popular well-known widely-used so-called overall entire whole
    effective efficient simple powerful promising significant substantial important crucial
    considerable remarkable superior strong competitive impressive state-of-the-art""".split()
)

# Generic academic words: a concept made only of these (and fillers) is dropped.
GENERIC_WORDS = frozenset(
    """paper article work study approach method methodology technique result finding model
    performance experiment experimental empirical evaluation problem task framework way use case
    number set type kind form part lot example instance effect impact aspect issue fact idea promise nature choice sense
    question goal aim purpose contribution advantage benefit limitation challenge literature field
    area domain end state art term order level range variety amount degree extent manner basis
    context insight implication setting scenario property step component strategy solution tool
    baseline improvement analysis investigation application system procedure mechanism scheme
    design development research researcher author introduction conclusion discussion section
    detail overview review survey need ability capability quality value point time year day
    paradigm practice principle notion concept account terms respect regard light addition
    thing something anything everything one ones lack presence absence existence
    numerical extensive comprehensive thorough significant wide broad large small great high low
    good better best first second third last final novel new recent further various different
    many several such other same experiment experiments demonstrate show data dataset datasets
    effectiveness efficiency advance advancement progress contrast gap perspective understanding
    potential connection implementation assumption observation accuracy process class reason
    outcome output input version variant feature characteristic factor element item tradeoff
    trade off success failure attempt effort focus attention interest role situation condition
    evidence support emphasis difference similarity relationship relation comparison combination
    majority minority total average mean sum size length width depth scale rate""".split()
)

MULTIWORD_GENERIC = frozenset(
    {"state of the art", "large number", "wide range", "wide variety", "great deal", "first time",
     "large amount", "other hand", "recent year", "case study", "real world", "paper", "et al"}
)

# British spellings, rewritten to the American form only when the corpus has both.
_US_RULES = [
    (re.compile(r"isation"), "ization"),
    (re.compile(r"ise(s|d|r|rs)?$"), r"ize\1"),
    (re.compile(r"yse(s|d|r|rs)?$"), r"yze\1"),
    (re.compile(r"our(s|al|ally|ed|ing)?$"), r"or\1"),
    (re.compile(r"elling"), "eling"),
    (re.compile(r"elled"), "eled"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
]


@dataclass
class ConceptSettings:
    """Settings of the concept stage (the relevant part of :class:`kgraph.config.BuildConfig`)."""

    min_df: int = 2
    max_concepts: int | None = None
    thesaurus: dict[str, str] = field(default_factory=dict)  # key -> replacement key ("" drops)
    thesaurus_labels: dict[str, str] = field(default_factory=dict)  # replacement key -> label
    stopwords: frozenset = frozenset()
    focus: list[str] = field(default_factory=list)
    title_weight: float = 2.0
    position_exponent: float = 0.1
    single_word_factor: float = 0.5
    keep_generic: bool = False  # select generic words (generic_words) as graph nodes too


# ---------------------------------------------------------------------------
# user files


def term_keys(term: str) -> list[str]:
    """Keys a user's term may stand for: as written, and with its last word singular.

    Concept keys have singular heads (``neural network``); a user writing
    ``neural networks`` in a thesaurus, stoplist or ``--focus`` means the same.
    """
    key = normalise_key(term)
    if not key:
        return []
    words = key.split(" ")
    single = " ".join(words[:-1] + [_singular(words[-1])])
    return [key] if single == key else [single, key]


def read_thesaurus(path: str | Path) -> tuple[dict[str, str], dict[str, str]]:
    """Read a VOSviewer thesaurus file: tab-separated, header ``label`` and ``replace by``.

    Returns ``(mapping, labels)``: ``mapping`` maps a concept key to the key of
    its replacement (``""`` to drop the term); ``labels`` gives the replacement's
    label as written in the file.

    Raises
    ------
    InputError
        If the file cannot be read or lacks the two columns.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read thesaurus ({exc.__class__.__name__}: {exc})", file=str(path)) from exc
    rows = list(csv.reader(text.splitlines(), delimiter="\t"))
    if not rows:
        raise InputError("thesaurus is empty (expected a header 'label<TAB>replace by')", file=str(path))
    header = [h.strip().lower() for h in rows[0]]
    if "label" not in header or "replace by" not in header:
        raise InputError("thesaurus header must have columns 'label' and 'replace by' (tab-separated)",
                         file=str(path), record=1)
    li, ri = header.index("label"), header.index("replace by")
    mapping: dict[str, str] = {}
    labels: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) <= li:
            raise InputError("row has no label", file=str(path), record=n)
        label = row[li].strip()
        repl = row[ri].strip() if len(row) > ri else ""
        keys = term_keys(label)
        if not keys:
            continue
        rkeys = term_keys(repl)
        rkey = rkeys[0] if rkeys else ""
        for key in keys:
            mapping[key] = rkey
        if rkey:
            labels[rkey] = repl
    return mapping, labels


def read_stopwords(path: str | Path) -> frozenset:
    """Read a stoplist: one term a line (``#`` starts a comment). Returns concept keys."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read stopwords ({exc.__class__.__name__}: {exc})", file=str(path)) from exc
    return frozenset(k for l in lines for k in term_keys(l.split("#", 1)[0]))


# ---------------------------------------------------------------------------
# normalisation of candidate keys


def _strip_fillers(key: str, display: str) -> tuple[str, str]:
    if key.startswith("state of the art ") and display.lower().startswith("state of the art "):
        key, display = key[17:], display[17:]  # "state of the art performance" is performance
    first, _, rest = key.partition(" ")
    if not rest or (first not in LEADING_FILLERS and display.partition(" ")[0].lower() not in LEADING_FILLERS):
        return key, display  # one word, or no filler in front
    kw, dw = key.split(" "), display.split(" ")
    if len(kw) != len(dw):  # hyphenated words: the display has fewer spaces than the key
        while len(dw) > 1 and (dw[0].lower() in LEADING_FILLERS or kw[0] in LEADING_FILLERS):
            n = normalise_key(dw[0]).count(" ") + 1  # the key words of this display word
            if n >= len(kw) or " ".join(kw[:n]) != normalise_key(dw[0]):
                break
            kw, dw = kw[n:], dw[1:]
        return " ".join(kw), " ".join(dw)
    while len(kw) > 1 and (kw[0] in LEADING_FILLERS or dw[0].lower() in LEADING_FILLERS):
        kw, dw = kw[1:], dw[1:]
    return " ".join(kw), " ".join(dw)


def _fit_pattern(key: str, pattern: str) -> str:
    """Keep the noun/modifier pattern aligned with the key's words after rewriting."""
    n = key.count(" ") + 1
    if len(pattern) == n:
        return pattern
    if len(pattern) > n:  # leading words were stripped
        return pattern[-n:]
    return "A" * (n - 1) + "N"


def is_generic(key: str) -> bool:
    """True for a key made only of generic academic words (``experimental result``)."""
    if key in MULTIWORD_GENERIC:
        return True
    return all(w in GENERIC_WORDS or w in LEADING_FILLERS for w in key.split(" "))


@functools.lru_cache(maxsize=200_000)
def _us_spelling(word: str) -> str:
    for pat, rep in _US_RULES:
        new = pat.sub(rep, word)
        if new != word:
            return new
    return word


# the letters a British spelling needs before any of _US_RULES can change a word
_US_HINT = re.compile(r"isation|ise|yse|our|elling|elled|tre|ogue")


def _merge_variants(keys: Counter) -> dict[str, str]:
    """Map keys to a variant the corpus also holds: US spelling, closed compounds.

    ``behaviour model``/``behavior model``, ``data set``/``dataset`` and a plural
    the tagger missed/its singular become one key (the more frequent form) only
    when both occur.
    """
    if not keys:
        return {}
    ks = pd.Series(list(keys))
    # the key without spaces, less the s of a plural the tagger took for a proper noun
    # ("Boltzmann Generators"): a last word of 4+ letters ending in s but not ss, us, is
    group = ks.str.replace(" ", "", regex=False)
    cut = ks.str.contains(r"(?:^| )[^ ]{2,}[^ sui]s$", regex=True).to_numpy(dtype=bool)
    group = group.where(~cut, group.str.slice(stop=-1)).to_numpy(dtype=object, copy=True)
    for i in np.flatnonzero(ks.str.contains(_US_HINT.pattern, regex=True).to_numpy(dtype=bool)).tolist():
        words = [_us_spelling(w) for w in ks.iat[i].split(" ")]
        last = words[-1]
        if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
            words[-1] = last[:-1]
        group[i] = "".join(words)
    shared = pd.Series(group).duplicated(keep=False).to_numpy(dtype=bool)
    groups: dict[str, list[str]] = defaultdict(list)
    for g, k in zip(group[shared].tolist(), ks[shared].tolist()):
        groups[g].append(k)
    out = {}
    for members in groups.values():
        best = max(members, key=lambda k: (keys[k], -len(k), k))
        for k in members:
            if k != best:
                out[k] = best
    return out


def _most_common(frame: pd.DataFrame, by: str, value: str) -> dict:
    """``{group: its most frequent value}``, ties to the smallest value; no Python per-group calls."""
    n = frame.groupby([by, value], sort=False).size().reset_index(name="_n")
    n = n.sort_values([by, "_n", value], ascending=[True, False, True]).drop_duplicates(by)
    return dict(zip(n[by].tolist(), n[value].tolist()))


def _acronym_maps(acronyms: pd.DataFrame) -> tuple[dict, dict, dict]:
    """Global and per-paper maps from an acronym key to its long form key.

    The corpus-wide meaning of an acronym is the definition most papers give (ties
    to the smallest key); a paper that defines an acronym itself keeps its own
    meaning, and a rare meaning never renames the common one.
    """
    if acronyms.empty:
        return {}, {}, {}
    a = acronyms.assign(skey=acronyms["short"].map(normalise_key))
    # one vote per paper: a paper that spells a definition out twice does not count twice
    counts = a.drop_duplicates(["paper_id", "skey", "long_key"]).groupby(["skey", "long_key"]).size()
    counts = counts.reset_index(name="n")
    counts = counts.sort_values(["skey", "n", "long_key"], ascending=[True, False, True])
    best = counts.drop_duplicates("skey")
    glob = dict(zip(best["skey"], best["long_key"]))
    # the short form as written, for aliases
    shorts = _most_common(a, "skey", "short")
    local = {(p, s): l for p, s, l in zip(a["paper_id"], a["skey"], a["long_key"])}
    # an acronym must not map onto itself or onto a phrase that contains it
    glob = {s: l for s, l in glob.items() if s != l and s not in l.split(" ")}
    return glob, local, shorts


_KEY_SEPARATORS = re.compile(r"[\s\-‐‑–]+")


def _expand(key: str, display: str, amap: dict, long_disp: dict) -> tuple[str, str]:
    """``key``/``display`` with the acronyms of ``amap`` spelled out.

    Only a word written as an acronym is one: ``SHOT`` is, the ``shot`` of
    ``few-shot`` is not.
    """
    words = key.split(" ")
    if amap.keys().isdisjoint(words):
        return key, display
    dwords = display.split(" ")
    if len(dwords) != len(words):
        dwords = _KEY_SEPARATORS.split(display)
        if len(dwords) != len(words):
            return key, display
    if not any(w in amap and _is_acronym(d) for w, d in zip(words, dwords)):
        return key, display
    nk, nd = [], []
    for w, d in zip(words, dwords):
        if w in amap and _is_acronym(d):
            nk.append(amap[w])
            nd.append(long_disp.get(amap[w], amap[w]))
        else:
            nk.append(w)
            nd.append(d)
    return " ".join(nk), " ".join(nd)


def _split_of_phrases(cand: pd.DataFrame) -> pd.DataFrame:
    """Keep "X of Y" whole only where the corpus also writes it as one unit.

    ``chain of thought`` stays one concept when some paper writes
    ``chain-of-thought``; otherwise ``number of samples`` becomes ``number`` and
    ``samples``.
    """
    has_of = cand["pattern"].str.contains("O", regex=False).to_numpy(dtype=bool)
    if not has_of.any():
        return cand
    code = pd.factorize(cand["key"])[0]
    unit = np.bincount(code[~has_of], minlength=code.max() + 1) > 0
    at_of = np.flatnonzero(has_of)
    # ... or writes it as a name, a capital on every word but "of": "Internet of Things"
    named = cand["display"].iloc[at_of].str.fullmatch(r"[^\W\d_a-z]\S*(?: (?:of|the|[^\W\d_a-z]\S*))+")
    unit[code[at_of[named.to_numpy(dtype=bool)]]] = True  # a name anywhere is a name in titles too
    keep = unit[code[at_of]]
    if keep.all():
        return cand
    of = cand.iloc[at_of]
    keys = of["key"].tolist()
    split = has_of.copy()
    split[at_of[keep]] = False
    rows = []
    for pid, key, display, in_title, position, sent_start, pattern, whole in zip(
        of["paper_id"].tolist(), keys, of["display"].tolist(), of["in_title"].tolist(), of["position"].tolist(),
        of["sent_start"].tolist(), of["pattern"].tolist(), keep.tolist(),
    ):
        if whole:
            continue
        at = pattern.index("O")
        kw = key.split(" ")
        dparts = display.split(" of ", 1)
        if len(dparts) != 2:
            dparts = [" ".join(kw[:at]), " ".join(kw[at + 1 :])]
        rows.append((pid, " ".join(kw[:at]), dparts[0], in_title, position, sent_start, pattern[:at]))
        rows.append((pid, " ".join(kw[at + 1 :]), dparts[1], in_title, position + at + 1, False, pattern[at + 1 :]))
    parts = pd.DataFrame(rows, columns=cand.columns).astype(cand.dtypes.to_dict())
    parts = parts[parts["key"].str.len() > 0]
    return pd.concat([cand[~split], parts], ignore_index=True)


def _verbal_gerunds(cand: pd.DataFrame) -> pd.DataFrame:
    """Cut a gerund marked ``V`` by the chunker where the corpus uses it mostly as a verb.

    ``for detecting anomalies`` gives *anomaly*, ``for training data`` stays *training
    data*: a gerund is a noun of the corpus when other phrases end in it (*object
    tracking*, *deep learning*, *training* alone) in at least two places and at least
    as often as it stands where a verb may (marked ``V``); a verb otherwise. The
    letter ``V`` becomes ``A`` (first) or ``N`` (last) where the word stays.
    """
    pattern = cand["pattern"]
    first = pattern.str.startswith("V").to_numpy(dtype=bool)
    last = pattern.str.endswith("V").to_numpy(dtype=bool)
    if not (first.any() or last.any()):
        return cand
    marked = first | last
    heads = cand["key"][~marked].str.rsplit(" ", n=1).str[-1].value_counts()
    v_first = cand["key"][first].str.split(" ", n=1).str[0]
    v_last = cand["key"][last].str.rsplit(" ", n=1).str[-1]
    verbs = pd.concat([v_first, v_last]).value_counts()
    verbs = verbs.reindex(heads.index, fill_value=0).to_numpy()
    nouns = set(heads.index[(heads.to_numpy() >= 2) & (heads.to_numpy() >= verbs)].tolist())
    cand = cand.copy()
    keys, displays, patterns = cand["key"].tolist(), cand["display"].tolist(), pattern.tolist()
    positions = cand["position"].to_numpy(copy=True)
    starts = cand["sent_start"].to_numpy(dtype=bool, copy=True)
    for i in np.flatnonzero(marked).tolist():
        kw, dw, pat = keys[i].split(" "), displays[i].split(" "), patterns[i]
        # a display word may be several key words ("Fine-tuning"); the marked gerund is one
        if pat[0] == "V" and len(kw) > 1:
            if kw[0] in nouns or len(dw) < 2 or normalise_key(dw[0]) != kw[0]:
                pat = "A" + pat[1:]
            else:
                kw, dw, pat = kw[1:], dw[1:], pat[1:]
                positions[i] += 1
                starts[i] = False
        if pat[-1:] == "V" and len(kw) > 1:
            if kw[-1] in nouns or len(dw) < 2 or normalise_key(dw[-1]) != kw[-1]:
                pat = pat[:-1] + "N"
            else:
                kw, dw, pat = kw[:-1], dw[:-1], pat[:-1]
        keys[i], displays[i], patterns[i] = " ".join(kw), " ".join(dw), pat.replace("V", "A")
    cand["key"], cand["display"], cand["pattern"] = keys, displays, patterns
    cand["position"], cand["sent_start"] = positions, starts
    return cand


def _alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words`` literally (for pandas' vectorised matching)."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)) if w)


def _any_hit(hit: pd.Series, parent: np.ndarray, n: int) -> np.ndarray:
    """For each of ``n`` texts, whether any of its words is a hit (``parent`` from :func:`_split_words`)."""
    return np.bincount(parent[hit.to_numpy(dtype=bool)], minlength=n) > 0


def normalise_candidates(
    extraction: Extraction, settings: ConceptSettings
) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Rewrite candidate keys to concept keys; drop generic and stoplisted terms.

    Returns the candidates with ``key``/``display`` rewritten and a map from
    concept key to acronyms that stand for it (for ``aliases``).
    """
    cand = _split_of_phrases(_verbal_gerunds(extraction.candidates))
    if cand.empty:
        return cand.copy(), {}
    # Each distinct (key, display) is rewritten once, each distinct key merged, looked
    # up and judged once; only acronyms a paper defines itself need the row's paper.
    pair = cand.groupby(["key", "display"], sort=False).ngroup().to_numpy()
    top = np.maximum.accumulate(pair)  # ngroup numbers pairs in order of first appearance
    first = np.flatnonzero(np.r_[True, top[1:] != top[:-1]])
    ukeys = cand["key"].take(first).reset_index(drop=True)
    udisplays = cand["display"].take(first).reset_index(drop=True)
    keys, displays = ukeys.tolist(), udisplays.tolist()
    # leading fillers: only where the key's first word is one, or the display's in any case
    fillers = _alternation(LEADING_FILLERS)
    filler = (ukeys.str.match(f"(?:{fillers}) ").to_numpy(dtype=bool)
              | udisplays.str.match(f"(?:{fillers})(?: |$)", case=False).to_numpy(dtype=bool)
              | ukeys.str.startswith("state of the art ").to_numpy(dtype=bool))
    for u in np.flatnonzero(filler).tolist():
        keys[u], displays[u] = _strip_fillers(keys[u], displays[u])

    glob, local, shorts = _acronym_maps(extraction.acronyms)
    aliases: dict[str, set[str]] = defaultdict(set)
    row = pair.copy()  # row -> its (key, display) in keys/displays; own acronyms get their own entry
    spelled = [False] * len(displays)  # a display that is not what the text wrote (acronyms spelled out)
    if glob:
        long_disp = _most_common(extraction.acronyms, "long_key", "long_display")
        stripped = list(zip(keys, displays))
        words, parent, _ = _split_words(keys)
        words = pd.Series(words, dtype=object)
        for u in np.flatnonzero(_any_hit(words.isin(glob.keys()), parent, len(keys))).tolist():
            keys[u], displays[u] = _expand(*stripped[u], glob, long_disp)
            spelled[u] = displays[u] != stripped[u][1]
        maybe = _any_hit(words.isin({s for _, s in local}), parent, len(keys))
        rows = np.flatnonzero(maybe[pair] & cand["paper_id"].isin({p for p, _ in local}).to_numpy(dtype=bool))
        for i, pid, u in zip(rows.tolist(), cand["paper_id"].take(rows).tolist(), pair[rows].tolist()):
            k, d = stripped[u]
            words = k.split(" ")
            if any((pid, w) in local for w in words):
                # the paper's own meanings first (only this key's words are looked up)
                amap = {w: local[(pid, w)] if (pid, w) in local else glob[w]
                        for w in words if (pid, w) in local or w in glob}
                k, d = _expand(k, d, amap, long_disp)
                row[i] = len(keys)
                keys.append(k)
                displays.append(d)
                spelled.append(d != stripped[u][1])
        for s, l in glob.items():
            aliases[l].add(shorts.get(s, s.upper()))
        for (_, s), l in local.items():  # a paper's own meaning lists the acronym too
            if s != l and s not in l.split(" "):
                aliases[l].add(shorts.get(s, s.upper()))

    kcode, uniq = pd.factorize(np.array(keys, dtype=object))
    kcode = kcode[row]
    uniq = uniq.tolist()
    variants = _merge_variants(Counter(dict(zip(uniq, np.bincount(kcode, minlength=len(uniq)).tolist()))))
    concept = [variants.get(k, k) for k in uniq] if variants else uniq
    if settings.thesaurus:
        th = settings.thesaurus
        concept = [th.get(k, k) for k in concept]
        repl = {v for v in th.values() if v}
        lab = settings.thesaurus_labels
        for i in np.flatnonzero(np.array([k in repl for k in concept], dtype=bool)[kcode]).tolist():
            row[i] = len(displays)
            displays.append(lab.get(concept[kcode[i]], concept[kcode[i]]))
            spelled.append(True)
        for k, v in th.items():
            if v and k != v:
                aliases[v].add(k)
    ccode, concept = pd.factorize(np.array(concept, dtype=object))
    concept = concept.tolist()
    as_series = pd.Series(concept, dtype=cand["key"].dtype)
    n_words = as_series.str.count(" ").to_numpy(dtype=np.int64) + 1
    # generic: every word generic (a pattern finds the few candidates, is_generic decides)
    plain = _alternation(GENERIC_WORDS | LEADING_FILLERS)
    generic = as_series.str.fullmatch(f"(?:{plain})(?: (?:{plain}))*").to_numpy(dtype=bool, copy=True)
    generic[generic] = [is_generic(k) for k in as_series[generic].tolist()]
    drop = (generic | as_series.isin(MULTIWORD_GENERIC | settings.stopwords).to_numpy(dtype=bool)
            | (as_series.str.len().to_numpy(dtype=np.int64) < 2))
    code = ccode[kcode]
    rows = np.flatnonzero(~drop[code])
    code = code[rows]
    patterns = cand["pattern"].take(rows)
    fitted = patterns.to_numpy(dtype=object, copy=True)
    for i in np.flatnonzero(patterns.str.len().to_numpy() != n_words[code]).tolist():
        fitted[i] = _fit_pattern(concept[code[i]], fitted[i])
    out = cand.iloc[rows].reset_index(drop=True)
    out["key"] = pd.Series(concept).take(code).array
    out["display"] = pd.Series(displays).take(row[rows]).array
    out["pattern"] = fitted
    out["written"] = ~np.array(spelled, dtype=bool)[row[rows]]  # casing votes come only from these
    return out, aliases


# ---------------------------------------------------------------------------
# labels


def _split_words(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """All words of ``texts`` (split on single spaces), the index of the text each came
    from, and where each text's words start (one more entry than ``texts``)."""
    if not texts:
        return [], np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    words = " ".join(texts).split(" ")
    sizes = np.array(list(map(str.count, texts, itertools.repeat(" "))), dtype=np.int64) + 1
    return words, np.repeat(np.arange(len(texts)), sizes), np.r_[0, np.cumsum(sizes)]


def _sorted_unique(values: np.ndarray, counts: bool = False):
    """``np.unique`` of an integer array by sorting (numpy 2's hash-based unique is slower
    here), and with ``counts=True`` how often each value occurs."""
    values = np.sort(values)
    if not len(values):
        return (values, np.zeros(0, dtype=np.int64)) if counts else values
    start = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    if counts:
        return values[start], np.diff(np.r_[start, len(values)])
    return values[start]


_PART_SEPARATORS = r"[\-‐‑–/]"


def _running_text(cand: pd.DataFrame, definitions: pd.DataFrame) -> np.ndarray:
    """Which candidates are running text: mid-sentence in an abstract, as the author wrote them.

    Titles (often Title Case), sentence starts, acronyms kgraph spelled out (``written``
    false) and the one occurrence that defines an acronym in its paper (``definitions``:
    ``paper_id``, ``long_display``; authors capitalise what they abbreviate, *Low-Rank
    Adaptation (LoRA)*, where running text says *low-rank adaptation*) are not.
    """
    body = ~(cand["in_title"].to_numpy(dtype=bool) | cand["sent_start"].to_numpy(dtype=bool))
    if "written" in cand.columns:
        body &= cand["written"].to_numpy(dtype=bool)
    if definitions.empty or not body.any():
        return body
    rows = cand[["paper_id", "display", "position"]].iloc[np.flatnonzero(body)].astype({"paper_id": object})
    rows.index = np.flatnonzero(body)  # positions in cand
    defined = pd.MultiIndex.from_frame(definitions[["paper_id", "long_display"]].astype(object))
    at = rows[pd.MultiIndex.from_frame(rows[["paper_id", "display"]]).isin(defined)]
    first = at.sort_values("position", kind="stable").drop_duplicates(["paper_id", "display"])
    body[first.index.to_numpy()] = False
    return body


def _labels(cand: pd.DataFrame, definitions: pd.DataFrame | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Readable label per key: the commonest surface form, cased as the corpus writes it.

    Only running text votes (:func:`_running_text`), and a word inside a name votes for
    the name only (*Bridge* in *Schrödinger Bridge*). A phrase running text shows at least
    twice, alone or inside a longer phrase, is cased as it is written most there
    (:func:`_phrase_choice`, :func:`_inner_phrases`; of two casings as common, the one with
    fewer capitals); a name it shows less, and never in lower case, as most papers define
    it before an acronym. Otherwise each word takes its form most often written in
    running text: each part of a hyphenated word votes and is cased on its own
    (``chain-of-thought``, ``vision-language model``); a part written as an acronym
    (``GPT``, ``ResNet``) keeps its letters, and a word with no vote stays as written. The long forms of acronym ``definitions`` (``paper_id``,
    ``long_key``, ``long_display``) vote, once each, for the words no candidate wrote.
    Returns ``(labels, casing)``: ``casing`` maps a lower-case word to its form.
    """
    if definitions is None:
        definitions = pd.DataFrame({c: pd.Series(dtype=object) for c in ("paper_id", "long_key", "long_display")})
    body = _running_text(cand, definitions)
    # Votes per spelling: each distinct display votes as often as it occurs, its words in
    # order of first occurrence (a tie goes to the spelling seen first).
    casing = _votes(cand["display"][body], names_vote=False)
    for low, form in _votes(definitions["long_display"].astype(object)).items():
        casing.setdefault(low, form)  # only for words no candidate wrote
    # the commonest display of each key, ties to the smallest
    kcode, keys = pd.factorize(cand["key"])
    dcode, displays = pd.factorize(cand["display"], sort=True)
    pair, n = _sorted_unique(kcode.astype(np.int64) * len(displays) + dcode, counts=True)
    pk, pd_ = pair // len(displays), pair % len(displays)
    best = np.lexsort((pd_, -n, pk))
    best = best[np.r_[True, pk[best][1:] != pk[best][:-1]]]
    top = displays.take(pd_[best]).tolist()
    # each word as the corpus writes it; only labels with a word written otherwise are rebuilt
    words, parent, start = _split_words(top)
    wcode, distinct_words = pd.factorize(np.array(words, dtype=object))
    distinct_words = distinct_words.tolist()
    cased = [_cased(w, casing) for w in distinct_words]
    changed = np.array([c != w for c, w in zip(cased, distinct_words)], dtype=bool)[wcode]
    for i in _sorted_unique(parent[changed]).tolist():
        top[i] = " ".join([cased[c] for c in wcode[start[i] : start[i + 1]].tolist()])
    labels = dict(zip(keys.take(pk[best]).tolist(), top))
    # the phrase as running text writes it, at least twice; a name running text shows less and
    # never in lower case, as most papers define it before an acronym (``Decision Mamba``; not
    # ``Kinetic Energy (KE)``, once written "kinetic energy")
    running = cand.loc[body, ["paper_id", "key", "display"]]
    running = pd.concat([running, _inner_phrases(running, labels)], ignore_index=True)
    shown = _phrase_choice(running, labels, at_least=2)
    defined = _phrase_choice(definitions, labels, "long_key", "long_display")
    open_keys = set(defined["key"].tolist()).difference(shown["key"].tolist())
    rest = running[running["key"].isin(open_keys)]
    plain = {k for k, d in zip(rest["key"].tolist(), rest["display"].tolist()) if not _name_like(d)}
    defined = defined[np.array([k in open_keys and k not in plain for k in defined["key"].tolist()], dtype=bool)]
    phrases = dict(zip(defined["key"].tolist(), defined["display"].tolist()))
    phrases.update(zip(shown["key"].tolist(), shown["display"].tolist()))
    # a name (capitalised in running text, not only where defined) inside a label cased word by
    # word keeps its capitals: "original Segment Anything Model"
    names = {k: v.split(" ") for k, v in zip(shown["key"].tolist(), shown["display"].tolist()) if _name_like(v)}
    if names:
        longest = max(len(v) for v in names.values())
        firsts = {k.split(" ", 1)[0] for k in names}
        for key, label in labels.items():
            if key not in phrases and label.count(" ") >= 2 and not firsts.isdisjoint(key.split(" ")):
                labels[key] = _with_names(label, names, longest)
    labels.update(phrases)
    return labels, casing


def _name_like(display: str) -> bool:
    """Two words or more, each capitalised but for function words (``Internet of Things``)."""
    words = display.split(" ")
    return len(words) >= 2 and all(w[:1].isupper() or w[:1].isdigit() or w in _FUNCTION_WORDS for w in words)


_WORD_PARTS = re.compile(r"([\s\-‐‑–/]+)")


def _recase(form: str, model: str) -> str:
    """``form`` cased as ``model`` (the same phrase, perhaps another number or hyphenation):
    part by part, lower case, capitalised, or as the model writes an acronym or a mixed-case
    part; ``form`` as it is where the parts do not line up."""
    f, m = _WORD_PARTS.split(form), _WORD_PARTS.split(model)
    if len(f) != len(m):
        return form
    out = []
    for fp, mp in zip(f[0::2], m[0::2]):
        if mp.islower() or not mp:
            out.append(fp.lower())
        elif mp[:1].isupper() and mp[1:].islower():
            out.append(fp[:1].upper() + fp[1:].lower())
        else:
            out.append(mp if mp.lower() == fp.lower() else fp)
    joined = [None] * len(f)
    joined[0::2], joined[1::2] = out, f[1::2]
    return "".join(joined)


def _with_names(label: str, names: dict[str, list[str]], longest: int) -> str:
    """``label`` with each run of its words that is the key of one of ``names`` cased as that name."""
    words = label.split(" ")
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + longest), i + 1, -1):  # the longest name first
            run = " ".join(words[i:j])
            name = names.get(normalise_key(run))
            if name is not None:
                words[i:j] = _recase(run, " ".join(name)).split(" ")
                i = j - 1
                break
        i += 1
    return " ".join(words)


def _inner_phrases(rows: pd.DataFrame, keys) -> pd.DataFrame:
    """The runs of two words or more inside longer phrases of ``rows`` whose key is one of
    ``keys``: *low-rank adaptation* as written in *low-rank adaptation methods*. Not inside a
    name, whose capitals are the name's (*Google Speech Commands Dataset*)."""
    long = rows[rows["display"].str.count(" ") >= 2].drop_duplicates()
    out = []
    for pid, display in zip(long["paper_id"].tolist(), long["display"].tolist()):
        if _name_like(display):
            continue
        words = display.split(" ")
        for i in range(len(words) - 1):
            for j in range(i + 2, len(words) + (i > 0)):
                inner = " ".join(words[i:j])
                key = normalise_key(inner)
                if key in keys:
                    out.append((pid, key, inner))
    return pd.DataFrame(out, columns=["paper_id", "key", "display"])


def _phrase_choice(rows: pd.DataFrame, forms: dict[str, str], key: str = "key",
                   display: str = "display", at_least: int = 1) -> pd.DataFrame:
    """How the ``rows`` (running text, or acronym definitions) case each multi-word key:
    each spelling is ``forms[key]`` (the label's words, number and hyphens) cased as
    written (:func:`_recase`: *transformer layers* votes for *transformer layer*); the
    casing the most papers use wins, then the most often written, then the one with fewer
    capitals (a phrase written both ways is no name). Returns ``key``, ``display`` and
    ``total`` occurrences of the key, for keys written ``at_least`` times. *Segment
    Anything Model*, *Internet of Things* and *vision transformer* stay as the field writes
    them, whatever their words are alone (*segment*, *Transformer*)."""
    rows = rows.loc[rows[display].str.contains(" ", regex=False), ["paper_id", key, display]]
    rows.columns = ["paper_id", "key", "display"]
    rows = rows[np.array([k in forms for k in rows["key"].tolist()], dtype=bool)]
    if at_least > 1:
        size = rows.groupby("key", sort=False)["key"].transform("size")
        rows = rows[(size >= at_least).to_numpy()]
    if rows.empty:
        return pd.DataFrame({"key": pd.Series(dtype=object), "display": pd.Series(dtype=object),
                             "total": pd.Series(dtype="int64")})
    pairs = rows[["key", "display"]].drop_duplicates()
    cased = [_recase(forms[k], d) for k, d in zip(pairs["key"].tolist(), pairs["display"].tolist())]
    pairs = pairs.assign(cased=cased)
    rows = rows.merge(pairs, on=["key", "display"], how="left")
    per_paper = rows.groupby(["key", "cased", "paper_id"], sort=False).size().rename("n").reset_index()
    votes = per_paper.groupby(["key", "cased"], sort=True).agg(papers=("n", "size"), n=("n", "sum")).reset_index()
    votes["total"] = votes.groupby("key")["n"].transform("sum")
    votes["capitals"] = votes["cased"].str.count("[A-Z]")
    ranked = votes.sort_values(["key", "papers", "n", "capitals", "cased"], ascending=[True, False, False, True, True])
    best = ranked.drop_duplicates("key").rename(columns={"cased": "display"})
    return best[["key", "display", "total"]].reset_index(drop=True)


def _votes(displays: pd.Series, names_vote: bool = True) -> dict[str, str]:
    """``{lower-case word part: its commonest form}`` over ``displays`` (a tie: the form seen first).

    Each part of a hyphenated word votes on its own. Without ``names_vote`` a capitalised
    word beside another capitalised word is part of a name and has no vote for the word
    alone (*Bridge* in *Schrödinger Bridge*; *U-Net* alone still votes).
    """
    dcode, distinct = pd.factorize(displays)
    texts = pd.Series(distinct, dtype=object).str.replace(" +", " ", regex=True).str.strip().tolist()
    words, parent, _ = _split_words(texts)
    weight = np.bincount(dcode, minlength=len(distinct))[parent]
    if not names_vote and len(words) > 1:
        cap = np.array([w[:1].isupper() for w in words], dtype=bool)
        pair = cap[1:] & cap[:-1] & (parent[1:] == parent[:-1])  # two capitalised words side by side
        weight = np.where(np.r_[pair, False] | np.r_[False, pair], 0, weight)
    # each part of a hyphenated word, with its word's weight
    split = re.compile(_PART_SEPARATORS)
    parts = [[p for p in split.split(w) if p] if split.search(w) else [w] for w in words]
    weight = np.repeat(weight, [len(p) for p in parts])
    words = [p for ps in parts for p in ps]
    vcode, spellings = pd.factorize(np.array(words, dtype=object))
    votes = np.bincount(vcode, weights=weight, minlength=len(spellings)).tolist()
    casing: dict[str, str] = {}
    most: dict[str, float] = {}
    for w, n in zip(spellings.tolist(), votes):
        lw = w.lower()
        if n > most.get(lw, 0):
            casing[lw], most[lw] = w, n
    return casing


def _cased(word: str, casing: dict[str, str]) -> str:
    """``word`` with each part (between hyphens or slashes) cased by ``casing``; acronyms as written."""
    if not re.search(_PART_SEPARATORS, word):
        return _cased_part(word, casing)
    return "".join(p if re.fullmatch(_PART_SEPARATORS, p) else _cased_part(p, casing)
                   for p in re.split(f"({_PART_SEPARATORS})", word))


def _cased_part(part: str, casing: dict[str, str]) -> str:
    if not part or _is_acronym(part):
        return part
    low = part.lower()
    form = casing.get(low)
    if form is not None:
        return form
    form = casing.get(_singular(low))  # a plural kept as written: cased as its singular is
    if form is None or _is_acronym(form):
        return part
    return low if form.islower() else low[:1].upper() + low[1:] if form[1:].islower() else part


_FUNCTION_WORDS = frozenset("of the a an to in on for and or with by from at as via vs".split())


def _is_name(word: str) -> bool:
    return word[:1].isupper() or any(c.isupper() for c in word[1:])


def _hub_part(part: str, before: str | None, settings: ConceptSettings) -> bool:
    words = part.split(" ")
    if words[0] in _FUNCTION_WORDS or words[-1] in _FUNCTION_WORDS or before in _FUNCTION_WORDS:
        return False  # cuts through "chain of thought", "state of the art"
    # a term the thesaurus drops or replaces is no hub of its own
    return not (is_generic(part) or part in settings.stopwords or part in settings.thesaurus or len(part) < 3)


def hub_concepts(
    concepts: pd.DataFrame,
    cand: pd.DataFrame,
    settings: ConceptSettings,
    casing: dict[str, str] | None = None,
    min_parents: int = 2,
) -> dict[str, set[str]]:
    """Shorter concepts implied by the corpus's phrases: ``{hub key: phrases containing it}``.

    The head of an eligible multi-word concept (``flow`` in ``normalizing flow``,
    ``reasoning`` in ``multi-hop reasoning``) and a proper name or acronym used as
    its modifier (``Boltzmann`` in ``Boltzmann generator``; not ``neural`` in
    ``neural network``) are concepts in their own right when at least
    ``min_parents`` different eligible phrases contain them, even if they are
    rarely written alone. So is any other run of nouns in such phrases that the
    corpus also uses as a concept on its own (``graph`` in ``graph neural network``
    once some paper names ``graph`` alone; not the adjective ``neural``). Generic
    and stoplisted words never become hubs.
    """
    casing = casing or {}
    known = set(concepts["concept_id"].tolist())
    eligible = concepts.loc[(concepts["doc_freq"] >= settings.min_df) & concepts["concept_id"].str.contains(" "),
                            "concept_id"]
    eligible = set(eligible)
    if not eligible:
        return {}
    sub = cand[cand["key"].isin(eligible)]
    patterns = _most_common(sub, "key", "pattern")
    parents: dict[str, set[str]] = defaultdict(set)
    for key, pat in patterns.items():
        words = key.split(" ")
        n = len(words)
        for start in range(1, n):  # the phrase's head and the words before it
            part = " ".join(words[start:])
            if not _hub_part(part, words[start - 1], settings):
                continue
            prev, first = casing.get(words[start - 1], ""), casing.get(words[start], "")
            if _is_name(prev) and _is_name(first):
                continue  # cuts through a name: "Monte Carlo", "Markovian Fitting"
            parents[part].add(key)
        for i, w in enumerate(words[:-1]):  # a proper name or acronym used as a modifier
            if pat[i] == "N" and _is_name(casing.get(w, w)) and _hub_part(w, None, settings) and (
                i + 1 < n and not _is_name(casing.get(words[i + 1], words[i + 1]))
            ) and (i == 0 or not _is_name(casing.get(words[i - 1], words[i - 1]))):
                parents[w].add(key)
        for size in range(1, n):  # any other part the corpus also uses as a concept alone
            for start in range(0, n - size):
                part = " ".join(words[start:start + size])
                if part in known and set(pat[start:start + size]) == {"N"} and _hub_part(
                    part, words[start - 1] if start else None, settings
                ):
                    parents[part].add(key)
    return {h: p for h, p in parents.items() if len(p) >= min_parents}


# ---------------------------------------------------------------------------
# specificity: does a concept pull its own company, or co-occur with everything?


def _incidence(mentions: pd.DataFrame, ids: pd.Index, hubs: dict[str, set[str]]):
    """Papers × concepts (in the order of ``ids``) as a binary CSR matrix; a hub is in the papers
    of the phrases that imply it."""
    import scipy.sparse as sp

    paper = pd.factorize(mentions["paper_id"], sort=True)[0].astype(np.int64)
    col = ids.get_indexer(mentions["concept_id"]).astype(np.int64)
    n_papers = int(paper.max()) + 1 if len(paper) else 0
    if hubs:
        pairs = [(h, p) for h, ps in hubs.items() for p in ps]
        h_col = ids.get_indexer([h for h, _ in pairs])
        p_col = ids.get_indexer([p for _, p in pairs])
        link = sp.csr_matrix((np.ones(len(pairs)), (p_col, h_col)), shape=(len(ids), len(ids)))
    keep = col >= 0
    X = sp.csr_matrix((np.ones(int(keep.sum())), (paper[keep], col[keep])), shape=(n_papers, len(ids)))
    if hubs:
        X = X + X @ link
    X.data[:] = 1.0
    X.sum_duplicates()
    X.data[:] = 1.0
    return X


def _kl_rows(C, q: np.ndarray) -> np.ndarray:
    """Kullback–Leibler divergence of each row of ``C`` (normalised) from ``q``; 0 for an empty row."""
    C = C.tocsr()
    total = np.asarray(C.sum(axis=1)).ravel()
    out = np.zeros(C.shape[0])
    rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    p = C.data / total[rows]
    terms = p * np.log(p / q[C.indices])
    np.add.at(out, rows, terms)
    return out


def specificity(mentions: pd.DataFrame, concepts: pd.DataFrame, hubs: dict[str, set[str]] | None = None,
                context: np.ndarray | None = None, draws: int = 8,
                block: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """How much more unevenly each concept's co-occurrences spread over the others than chance's.

    VOSviewer's relevance (van Eck & Waltman 2011), corrected for chance: for concept
    *i*, ``c_ij`` is the number of papers that hold both *i* and context concept *j*
    (``context``: a mask over ``concepts``, by default all of them; a hub is in the
    papers of the phrases that imply it), ``p_i = c_i· / Σ_j c_ij`` the distribution of
    its co-occurrences and ``q`` that of all co-occurrences in the corpus. ``KL_i = Σ_j
    p_ij ln(p_ij / q_j)`` is small for a term that co-occurs with everything, but any
    few papers make an uneven profile, so the score is ``KL_i`` less the mean ``KL`` of
    ``draws`` random sets of as many papers (seeded: the same every run), in nats:
    about 0 for a concept whose papers are as varied as a random draw of papers, more
    the more it keeps to its own topic.

    Returns
    -------
    (ndarray, ndarray)
        The score and the number of papers of each row of ``concepts``.
    """
    ids = pd.Index(concepts["concept_id"])
    X = _incidence(mentions, ids, hubs or {})
    n_papers, n = X.shape
    df = np.asarray(X.sum(axis=0)).ravel().astype(np.int64)
    if not n_papers or not n:
        return np.zeros(n), df
    ctx = np.arange(n) if context is None else np.flatnonzero(context)
    Xc = X[:, ctx].tocsr()
    q = np.asarray(Xc.sum(axis=0)).ravel()
    if not q.sum():
        return np.zeros(n), df
    qn = np.maximum(q, 1e-300) / q.sum()
    # co-occurrences with oneself are not company: each concept's own column is left out
    pos = np.full(n, -1, dtype=np.int64)
    pos[ctx] = np.arange(len(ctx))
    Xt = X.T.tocsr()
    kl = np.zeros(n)
    for lo in range(0, n, block):  # a block of rows at a time: never the whole n × n product
        hi = min(lo + block, n)
        C = (Xt[lo:hi] @ Xc).tocoo()
        C.data[pos[lo + C.row] == C.col] = 0
        C = C.tocsr()
        C.eliminate_zeros()
        kl[lo:hi] = _kl_rows(C, qn)
    # chance: random sets of papers on a grid of sizes, the same draws every run and for the
    # same papers in any order or under any ids (rows put in the order of a digest of their concepts)
    import zlib

    digest = np.array([zlib.crc32(c.encode("utf-8")) for c in ids.tolist()], dtype=np.float64)
    rows = np.repeat(np.arange(n_papers), np.diff(Xc.indptr))
    key = np.bincount(np.repeat(np.arange(n_papers), np.diff(X.indptr)), weights=digest[X.indices],
                      minlength=n_papers)
    Xc = Xc[np.lexsort((np.bincount(rows, minlength=n_papers), key))]
    rng = np.random.default_rng(0)
    sizes = np.unique(np.round(np.geomspace(1, n_papers, num=24)).astype(np.int64))
    null = np.zeros(len(sizes))
    for k, m in enumerate(sizes.tolist()):
        vals = []
        for _ in range(draws):
            prof = np.asarray(Xc[rng.choice(n_papers, size=m, replace=False)].sum(axis=0)).ravel()
            nz = prof > 0
            p = prof[nz] / prof.sum() if nz.any() else prof[nz]
            vals.append(float((p * np.log(p / qn[nz])).sum()))
        null[k] = np.mean(vals)
    expected = np.interp(np.log(np.maximum(df, 1)), np.log(sizes), null)
    return np.round(np.where(kl > 0, kl - expected, 0.0), 6), df


def generic_words(concepts: pd.DataFrame, spec: np.ndarray, papers: np.ndarray, candidates: np.ndarray,
                  reference: int = 10, min_papers: int = 10) -> np.ndarray:
    """Which one-word concepts are generic: no more specific than chance, or than the phrases of their frequency.

    A one-word concept (among ``candidates``, a mask) is generic when its ``spec``
    (:func:`specificity`) is at most 0 (its papers are as varied as a random draw) or
    below the median of the multi-word candidates found in at least half as many
    ``papers`` (at least the ``reference`` most frequent of them):
    *training*, *architecture* or *knowledge* co-occur with everything, where the
    corpus's terms of the same frequency keep to their topic. Phrases are never generic
    here (an expert's terms are phrases; the generic ones are already dropped), nor is
    a word found in fewer than ``min_papers`` papers: too few co-occurrences to tell a
    spread from chance, and too few to make a big hub.
    """
    ids = concepts["concept_id"].to_numpy(dtype=object)
    single = np.array([" " not in c for c in ids.tolist()], dtype=bool)
    multi = np.flatnonzero(candidates & ~single)
    out = np.zeros(len(ids), dtype=bool)
    if not len(multi):
        return out
    order = multi[np.lexsort((ids[multi], -papers[multi]))]  # most papers first
    m_papers, m_spec = papers[order], spec[order]
    for i in np.flatnonzero(candidates & single & (papers >= min_papers)).tolist():
        k = max(int(np.searchsorted(-m_papers, -papers[i] / 2, side="right")), reference)
        out[i] = spec[i] <= 0 or spec[i] < np.median(m_spec[:k])
    return out


# ---------------------------------------------------------------------------
# scoring


def _as_column(values: pd.Index):
    """Values for a new column, typed as pandas types a column of these Python values
    (an object Index of text becomes ``str`` where pandas infers strings)."""
    return values.to_numpy() if values.dtype == object else values


def score_mentions(cand: pd.DataFrame, n_papers: int, settings: ConceptSettings) -> tuple[pd.DataFrame, pd.Series]:
    """Aggregate candidate occurrences to one row per paper × concept, scored and ranked.

    ``score = (count + title_weight·in_title) · idf · (first_position + 1)^-e · length``
    where ``idf = ln((N + 1) / df)``, ``e`` is a weak position exponent (0.1) and
    ``length`` down-weights single words (they are broader than phrases).
    """
    # one integer per paper and per key, in sorted order, so groups are numpy work
    pcode, pids = pd.factorize(cand["paper_id"], sort=True)
    kcode, keys = pd.factorize(cand["key"], sort=True)
    gcode = _sorted_unique(pcode.astype(np.int64) * len(keys) + kcode)
    group = np.searchsorted(gcode, pcode.astype(np.int64) * len(keys) + kcode)
    n_groups = len(gcode)
    count = np.bincount(group, minlength=n_groups).astype("int64")
    in_title = np.bincount(group, weights=cand["in_title"].to_numpy(dtype=bool), minlength=n_groups) > 0
    position = cand["position"].to_numpy()
    first_position = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_position, group, position)
    # up to five distinct surface forms per paper and key, in sorted order
    dcode, displays = pd.factorize(cand["display"], sort=True)
    form = _sorted_unique(group.astype(np.int64) * len(displays) + dcode)
    f_group, f_display = form // len(displays), form % len(displays)
    n_forms = np.bincount(f_group, minlength=n_groups)
    offset = np.r_[0, np.cumsum(n_forms)[:-1]]
    forms = displays.take(f_display[offset]).to_numpy(dtype=object, copy=True)
    multi = np.flatnonzero(n_forms > 1)
    if len(multi):
        shown = np.minimum(n_forms[multi], 5)
        rows = np.repeat(offset[multi], shown) + np.arange(shown.sum()) - np.repeat(np.cumsum(shown) - shown, shown)
        texts = displays.take(f_display[rows]).tolist()
        at = 0
        for g, k in zip(multi.tolist(), shown.tolist()):
            forms[g] = "; ".join(texts[at : at + k])
            at += k
    g_paper, g_key = gcode // len(keys), gcode % len(keys)
    m = pd.DataFrame({
        "paper_id": _as_column(pids.take(g_paper)),
        "key": _as_column(keys.take(g_key)),
        "count": count,
        "in_title": in_title,
        "first_position": first_position.astype(position.dtype),
        "surface_forms": forms,
    })
    df_values = np.bincount(g_key, minlength=len(keys))
    df = pd.Series(df_values.astype("int64"), index=pd.Index(keys, name="key"))
    idf = np.log((n_papers + 1) / df)
    n_words = (keys.str.count(" ").to_numpy() + 1)[g_key]
    tf = m["count"] + settings.title_weight * m["in_title"].astype(float)
    length = np.where(n_words == 1, settings.single_word_factor, 1.0)
    m["score"] = (
        tf * idf.to_numpy()[g_key] * (m["first_position"] + 1.0) ** -settings.position_exponent * length
    )
    # papers in order, then score (highest first), first position and key; ranks count within a paper
    order = np.lexsort((g_key, m["first_position"].to_numpy(), -m["score"].to_numpy(), g_paper))
    m = m.take(order).reset_index(drop=True)
    g_paper = g_paper[order]
    starts = np.flatnonzero(np.r_[True, g_paper[1:] != g_paper[:-1]])
    m["rank"] = np.arange(len(m), dtype="int64") - np.repeat(starts, np.diff(np.r_[starts, len(m)])) + 1
    return m.rename(columns={"key": "concept_id"}), idf


def broader_links(
    keys: Iterable[str], vocabulary: set[str], names: set[str] | None = None
) -> dict[str, list[str]]:
    """Direct broader concepts of each multi-word key.

    A shorter concept in ``vocabulary`` is broader than a phrase when it is the
    phrase's head — its last words (``normalizing flow`` → ``flow``,
    ``inverse reinforcement learning`` → ``reinforcement learning``) — or a name
    or acronym in ``names`` used inside it (``boltzmann generator`` →
    ``boltzmann``). Other parts are not: ``machine learning`` is not a kind of
    ``machine``. Only the longest such parts are direct parents; shorter ones are
    reached through them. With ``names=None`` every contiguous part counts.

    Examples
    --------
    >>> broader_links(["inverse reinforcement learning"], {"reinforcement learning", "learning"})
    {'inverse reinforcement learning': ['reinforcement learning']}
    """
    keys = keys.tolist() if hasattr(keys, "tolist") else list(keys)
    vocabulary = [v for v in vocabulary if isinstance(v, str)]
    if not keys or not vocabulary:
        return {}
    # Words as integers; a part of up to four words as one integer, so every part of
    # every key is looked up at once (longer parts, rare, as text).
    n_keys = len(keys)
    named = [v for v in names if isinstance(v, str)] if names is not None else []
    texts = keys + vocabulary + named
    joined = " ".join(keys)
    words, parent, start = _split_words(texts)
    code, distinct = pd.factorize(np.array(words, dtype=object))
    code = code.astype(np.int64) + 1
    base = len(distinct) + 1
    n = np.diff(start)
    length = np.array(list(map(len, words[: start[n_keys]])), dtype=np.int64)
    offset = np.r_[0, np.cumsum(length + 1)[:-1]]
    wide = 4 if base ** 4 < 2 ** 62 else 2 if base ** 2 < 2 ** 62 else 1

    def encode(first: np.ndarray, size: int) -> np.ndarray:
        out = np.zeros(len(first), dtype=np.int64)
        for j in range(size):
            out = out * base + code[first + j]
        return out

    def codes_of(lo: int, hi: int) -> dict[int, np.ndarray]:
        """Codes of the texts lo..hi-1 (vocabulary or names) by word count."""
        idx = np.arange(lo, hi)
        return {size: _sorted_unique(encode(start[idx[n[idx] == size]], size))
                for size in np.unique(n[idx]).tolist() if size <= wide}

    vocab_codes = codes_of(n_keys, n_keys + len(vocabulary))
    name_codes = codes_of(n_keys + len(vocabulary), len(texts))
    vocab_long, names_long = set(vocabulary), set(named)

    def member(values: np.ndarray, table: np.ndarray | None) -> np.ndarray:
        if table is None or not len(table):
            return np.zeros(len(values), dtype=bool)
        at = np.minimum(np.searchsorted(table, values), len(table) - 1)
        return table[at] == values

    found = []  # (key, size, start, hit) per part size and start
    key_n = n[:n_keys]
    for size in range(1, int(key_n.max()) if n_keys else 1):
        has = np.flatnonzero(key_n > size)
        for at in range(0, int(key_n[has].max()) - size + 1):
            k = has[key_n[has] - size >= at]
            first = start[k] + at
            if size <= wide:
                value = encode(first, size)
                hit = member(value, vocab_codes.get(size))
                if names is not None:
                    hit &= (at + size == key_n[k]) | member(value, name_codes.get(size))
                k, first = k[hit], first[hit]
            else:
                part = [joined[a:b] for a, b in zip(offset[first].tolist(),
                                                     (offset[first + size - 1] + length[first + size - 1]).tolist())]
                hit = np.array([p in vocab_long and (names is None or at + size == key_n[i] or p in names_long)
                                for p, i in zip(part, k.tolist())], dtype=bool)
                k, first = k[hit], first[hit]
            found.append((k, np.full(len(k), size), np.full(len(k), at), first))
    if not found:
        return {}
    key_i, size, at, first = (np.concatenate(x) for x in zip(*found))
    if not len(key_i):
        return {}
    # per key, the longest parts first; a part inside one already found is reached through it
    order = np.lexsort((at, -size, key_i))
    key_i, size, at, first = key_i[order], size[order], at[order], first[order]
    last = first + size - 1
    part = [joined[a:b] for a, b in zip(offset[first].tolist(), (offset[last] + length[last]).tolist())]
    bounds = np.flatnonzero(np.r_[True, key_i[1:] != key_i[:-1], True])
    parents = [[part[b]] for b in bounds[:-1].tolist()]
    for g in np.flatnonzero(np.diff(bounds) > 1).tolist():
        b, e = bounds[g], bounds[g + 1]
        spans = []
        for s, z, sub in zip(at[b:e].tolist(), size[b:e].tolist(), part[b:e]):
            if not any(fs <= s and s + z <= fe for fs, fe, _ in spans):
                spans.append((s, s + z, sub))
        parents[g] = [f[2] for f in sorted(spans, key=lambda f: (f[0], f[1]))]
    return dict(zip([keys[i] for i in key_i[bounds[:-1]].tolist()], parents))


def narrower_closure(concepts: pd.DataFrame, roots: Iterable[str]) -> set[str]:
    """The concepts in ``roots`` and every concept narrower than them, transitively."""
    children: dict[str, list[str]] = defaultdict(list)
    for cid, b in zip(concepts["concept_id"].tolist(), concepts["broader"].tolist()):
        for parent in filter(None, str(b).split("; ")):
            children[parent].append(cid)
    seen: set[str] = set()
    stack = [r for r in roots]
    while stack:
        c = stack.pop()
        if c in seen:
            continue
        seen.add(c)
        stack.extend(children.get(c, ()))
    return seen


def resolve_term(term: str, concepts: pd.DataFrame) -> str | None:
    """The concept_id a user's term names: by key, label or alias (case-insensitive)."""
    keys = term_keys(term)
    ids = set(concepts["concept_id"])
    for key in keys:
        if key in ids:
            return key
    for cid, aliases in zip(concepts["concept_id"], concepts["aliases"]):
        if set(keys) & {normalise_key(a) for a in str(aliases).split("; ") if a}:
            return cid
    return None


def _ancestors(concepts: pd.DataFrame) -> pd.DataFrame:
    """Every (concept_id, ancestor) pair: the broader concepts of each concept, transitively."""
    edges = pd.DataFrame(
        [(c, b) for c, bs in zip(concepts["concept_id"].tolist(), concepts["broader"].tolist())
         for b in str(bs).split("; ") if b],
        columns=["concept_id", "ancestor"],
    )
    closure, frontier = edges, edges
    while not frontier.empty:  # broader concepts have fewer words, so this ends
        step = frontier.merge(edges.rename(columns={"concept_id": "ancestor", "ancestor": "next"}), on="ancestor")
        step = step[["concept_id", "next"]].rename(columns={"next": "ancestor"})
        both = pd.concat([closure, step], ignore_index=True).drop_duplicates()
        frontier = both.iloc[len(closure):]
        closure = both
    return closure.reset_index(drop=True)


def linking_mentions(mentions: pd.DataFrame, concepts: pd.DataFrame, settings: ConceptSettings | None = None,
                     part_weight: float = 0.5) -> pd.DataFrame:
    """What each paper is about, for linking: its mentions, the broader concepts they imply and their parts.

    A mention's weight is ``(count + title_weight·in_title) · (first_position + 1)^-e``
    (the term-frequency part of :func:`score_mentions`, without its idf: the
    projection applies the idf of this expanded table). Every mention also counts,
    with the same weight, as a mention of each of its broader concepts, transitively
    (a paper on ``Boltzmann generator`` is also on ``Boltzmann`` and ``generator``),
    and with ``part_weight`` of it as a mention of every other selected concept its
    phrase contains (``graph neural network`` contains ``graph``), so two papers on
    different Boltzmann methods, or on different graph methods, share a concept
    that explains their link. Weights from several mentions add up.

    The ``mentions`` table itself keeps only what each paper says.

    Returns
    -------
    DataFrame
        ``paper_id, concept_id, score`` (the summed weight), sorted.

    Examples
    --------
    >>> mentions = pd.DataFrame({"paper_id": ["p"], "concept_id": ["graph neural network"], "count": [1],
    ...                          "in_title": [False], "first_position": [0]})
    >>> concepts = pd.DataFrame({"concept_id": ["graph neural network", "neural network", "graph"],
    ...                          "broader": ["neural network", "", ""], "selected": True})
    >>> linking_mentions(mentions, concepts).values.tolist()
    [['p', 'graph', 0.5], ['p', 'graph neural network', 1.0], ['p', 'neural network', 1.0]]
    """
    settings = settings or ConceptSettings()
    if part_weight < 0:
        raise ValueError(f"part_weight must be >= 0, not {part_weight!r}")
    cols = ["paper_id", "concept_id", "score"]
    if mentions.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "score" else object) for c in cols})
    tf = (mentions["count"].astype(float) + settings.title_weight * mentions["in_title"].astype(float))
    tf = tf * (mentions["first_position"].astype(float) + 1.0) ** -settings.position_exponent
    direct = pd.DataFrame({"paper_id": mentions["paper_id"].to_numpy(), "concept_id": mentions["concept_id"].to_numpy(),
                           "score": tf.to_numpy()})
    implied = _ancestors(concepts).assign(factor=1.0)
    if part_weight > 0:
        selected = set(concepts.loc[concepts["selected"].astype(bool), "concept_id"].tolist())
        above: dict[str, set] = defaultdict(set)
        for cid, anc in zip(implied["concept_id"].tolist(), implied["ancestor"].tolist()):
            above[cid].add(anc)
        parts = []
        for cid in pd.unique(mentions["concept_id"]).tolist():
            words = cid.split(" ")
            n = len(words)
            if n < 2:
                continue
            skip = above.get(cid, ())
            for size in range(1, n):
                for start in range(n - size + 1):
                    part = " ".join(words[start:start + size])
                    if part in selected and part not in skip:
                        parts.append((cid, part))
        if parts:
            parts = pd.DataFrame(parts, columns=["concept_id", "ancestor"]).drop_duplicates()
            implied = pd.concat([implied, parts.assign(factor=part_weight)], ignore_index=True)
    spread = direct.merge(implied, on="concept_id")
    spread = pd.DataFrame({"paper_id": spread["paper_id"], "concept_id": spread["ancestor"],
                           "score": spread["score"] * spread["factor"]})
    both = pd.concat([direct, spread], ignore_index=True)
    return both.groupby(["paper_id", "concept_id"], as_index=False, sort=True)["score"].sum()[cols]


def reach_pairs(concepts: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Each (concept, paper) pair where the paper mentions the concept or a concept narrower than it.

    The one place that says what a concept reaches: the ``reach`` column counts these pairs
    and :mod:`kgraph.trends` dates them. ``concepts.broader`` ("; "-joined concept_ids) links
    a concept to its broader ones, followed transitively.

    Returns
    -------
    DataFrame
        ``concept_id`` and ``paper_id``, both categorical (the categories: ``concepts.concept_id``
        and the papers of ``mentions`` in their order there), one row per pair, sorted by the
        concept's row in ``concepts`` and then by paper.

    Examples
    --------
    >>> concepts = pd.DataFrame({"concept_id": ["flow", "normalizing flow"], "broader": ["", "flow"]})
    >>> mentions = pd.DataFrame({"paper_id": ["a", "b"], "concept_id": ["flow", "normalizing flow"]})
    >>> reach_pairs(concepts, mentions).astype(str).values.tolist()
    [['flow', 'a'], ['flow', 'b'], ['normalizing flow', 'b']]
    """
    ids = pd.Index(concepts["concept_id"])
    n = len(ids)
    paper, paper_ids = pd.factorize(mentions["paper_id"])
    paper = paper.astype(np.int64)
    concept = ids.get_indexer(mentions["concept_id"]).astype(np.int64)
    broader = concepts["broader"].reset_index(drop=True)
    parents = broader[broader.str.len() > 0].str.split("; ").explode()
    parents = parents[parents.str.len() > 0]
    if len(parents):
        # every concept's broader concepts, transitively (a parent has fewer words, so this ends)
        edge = _sorted_unique(parents.index.to_numpy(dtype=np.int64) * n + ids.get_indexer(parents))
        up = edge // n
        closure, step = edge, edge
        while len(step):
            child, parent = step // n, step % n
            lo, hi = np.searchsorted(up, parent), np.searchsorted(up, parent, side="right")
            k = hi - lo
            at = np.repeat(lo - np.r_[0, np.cumsum(k)[:-1]], k) + np.arange(int(k.sum()))
            step = _sorted_unique(np.repeat(child, k) * n + edge[at] % n)
            seen = np.searchsorted(closure, step)
            step = step[closure[np.minimum(seen, len(closure) - 1)] != step]
            closure = np.sort(np.r_[closure, step])
        # each mention also counts for every concept above it
        below, above = closure // n, closure % n
        lo, hi = np.searchsorted(below, concept), np.searchsorted(below, concept, side="right")
        k = hi - lo
        at = np.repeat(lo - np.r_[0, np.cumsum(k)[:-1]], k) + np.arange(int(k.sum()))
        paper = np.r_[paper, np.repeat(paper, k)]
        concept = np.r_[concept, above[at]]
    size = max(len(paper_ids), 1)
    pair = _sorted_unique(concept * size + paper)
    return pd.DataFrame({"concept_id": pd.Categorical.from_codes(pair // size, categories=ids),
                         "paper_id": pd.Categorical.from_codes(pair % size, categories=pd.Index(paper_ids))})


def _reach(concepts: pd.DataFrame, mentions: pd.DataFrame) -> pd.Series:
    """Papers that mention each concept or any concept narrower than it (:func:`reach_pairs` counted)."""
    codes = reach_pairs(concepts, mentions)["concept_id"].cat.codes.to_numpy(dtype=np.int64)
    counts = np.bincount(codes, minlength=len(concepts))
    return pd.Series(counts.astype("int64"), index=concepts.index, name="concept_id")


def _names(labels: pd.Series) -> np.ndarray:
    """Which labels are names or acronyms (any capital letter): :func:`_is_name` of each."""
    out = labels.str.contains("[A-Z]", regex=True).to_numpy(dtype=bool, na_value=False)
    other = labels.str.contains(r"[^\x00-\x7f]", regex=True).to_numpy(dtype=bool, na_value=True)
    if other.any():  # non-ASCII text: Python's own idea of a capital
        out = out.copy()
        out[other] = [_is_name(str(l)) for l in labels[other].tolist()]
    return out


def _other_spellings(cand: pd.DataFrame) -> dict[str, set[str]]:
    """Surface forms of each key that are not just case, hyphen or plural variants of it."""
    kd = cand[["key", "display"]].drop_duplicates()
    key, display = kd["key"], kd["display"]
    # normalise_key, vectorised where it is plain: printable ASCII text (no other
    # whitespace than spaces, no other dash than "-"); the rest goes through normalise_key
    plain = ~display.str.contains(r"[^\x20-\x7e]", regex=True).to_numpy(dtype=bool)
    fast = display.str.lower().str.replace("-", " ", regex=False).str.replace(" +", " ", regex=True).str.strip(" ")
    other = (fast.str.rstrip("s") != key.str.rstrip("s")).to_numpy(dtype=bool) & plain
    forms: dict[str, set[str]] = defaultdict(set)
    for k, d in zip(key[other].tolist(), display[other].tolist()):
        forms[k].add(d)
    for k, d in zip(key[~plain].tolist(), display[~plain].tolist()):
        if normalise_key(d).rstrip("s") != k.rstrip("s"):
            forms[k].add(d)
    return forms


def build_concepts(
    papers: pd.DataFrame, extraction: Extraction, settings: ConceptSettings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make the ``concepts`` and ``mentions`` tables from a corpus's extraction.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table (only its length and ids are used).
    extraction : Extraction
        From :func:`kgraph.run.extract`.
    settings : ConceptSettings, optional

    Returns
    -------
    concepts, mentions : DataFrame
        ``mentions`` holds every concept of every paper,
        ``concepts.selected`` marks graph nodes.
    """
    settings = settings or ConceptSettings()
    n_papers = max(len(papers), 1)
    cand, acronym_aliases = normalise_candidates(extraction, settings)
    if cand.empty:
        return _empty_concepts(), _empty_mentions()

    labels, casing = _labels(cand, extraction.acronyms)
    labels.update({k: v for k, v in settings.thesaurus_labels.items() if k in labels})
    label_of = pd.Series(labels)  # one index for both lookups below
    mentions, idf = score_mentions(cand, n_papers, settings)
    mentions.insert(2, "label", mentions["concept_id"].map(label_of))

    # corpus relevance: how central the concept is in each paper that has it
    best = mentions.groupby("paper_id")["score"].transform("max")
    rel = (mentions["score"] / best).groupby(mentions["concept_id"]).sum()
    g = mentions.groupby("concept_id")
    concepts = pd.DataFrame({
        "doc_freq": g.size(),
        "term_freq": g["count"].sum(),
        "score": rel,
    })
    concepts["idf"] = idf.reindex(concepts.index)
    concepts.index.name = "concept_id"
    concepts = concepts.reset_index()
    concepts.insert(1, "label", concepts["concept_id"].map(label_of))

    # hubs: short concepts that many of the corpus's phrases contain
    hubs = hub_concepts(concepts, cand, settings, casing)
    known = set(concepts["concept_id"].tolist())
    new = sorted(h for h in hubs if h not in known)
    if new:
        score_of = concepts.set_index("concept_id")["score"]
        extra = pd.DataFrame({
            "concept_id": new,
            "label": [" ".join(casing.get(w, w) for w in h.split(" ")) for h in new],
            "doc_freq": 0, "term_freq": 0,
            "score": [0.5 * float(score_of.reindex(list(hubs[h])).sum()) for h in new],
            "idf": float(np.log(n_papers + 1)),
        })
        concepts = pd.concat([concepts, extra], ignore_index=True)
    is_hub = concepts["concept_id"].isin(list(hubs))
    eligible = (concepts["doc_freq"] >= settings.min_df) | is_hub
    spec, papers = specificity(mentions, concepts, hubs, context=eligible.to_numpy(dtype=bool))
    concepts["specificity"] = spec
    if not settings.keep_generic:  # generic words are no graph nodes (they stay in mentions)
        eligible &= ~generic_words(concepts, spec, papers, eligible.to_numpy(dtype=bool))
    concepts["selected"] = eligible
    if settings.max_concepts is not None and eligible.sum() > settings.max_concepts:
        top = concepts[eligible].sort_values(["score", "concept_id"], ascending=[False, True])
        keep = set(top["concept_id"].head(settings.max_concepts))
        concepts["selected"] = concepts["concept_id"].isin(keep)

    # other spellings only: not case, hyphen or plural variants of the key itself
    forms = _other_spellings(cand)
    concept_ids = concepts["concept_id"].tolist()
    aliases = np.full(len(concept_ids), "", dtype=object)
    for i, cid in enumerate(concept_ids):
        if cid in acronym_aliases or cid in forms:
            al = set(acronym_aliases.get(cid, ())) | forms.get(cid, set())
            aliases[i] = "; ".join(sorted(al, key=lambda a: (a.lower(), a))[:8])
    concepts["aliases"] = aliases

    vocab = set(concepts.loc[concepts["selected"], "concept_id"])
    names = set(concepts["concept_id"][_names(concepts["label"])].tolist())
    parents = broader_links(concept_ids, vocab, names)
    broader = np.full(len(concept_ids), "", dtype=object)
    if parents:
        broader[pd.Index(concept_ids).get_indexer(list(parents))] = ["; ".join(p) for p in parents.values()]
    concepts["broader"] = broader
    concepts["reach"] = _reach(concepts, mentions)

    focus_ids = [c for c in (resolve_term(t, concepts) for t in settings.focus) if c]
    concepts["focus"] = concepts["concept_id"].isin(narrower_closure(concepts, focus_ids)) if focus_ids else False

    concepts = concepts.sort_values(["selected", "score", "concept_id"], ascending=[False, False, True])
    concepts = concepts[
        ["concept_id", "label", "aliases", "doc_freq", "reach", "term_freq", "score", "idf", "specificity",
         "broader", "selected", "focus"]
    ].reset_index(drop=True)
    mentions = mentions[
        ["paper_id", "concept_id", "label", "count", "in_title", "first_position", "score", "rank", "surface_forms"]
    ]
    return concepts, mentions


def _empty_concepts() -> pd.DataFrame:
    return pd.DataFrame({
        "concept_id": pd.Series(dtype=str), "label": pd.Series(dtype=str), "aliases": pd.Series(dtype=str),
        "doc_freq": pd.Series(dtype="int64"), "term_freq": pd.Series(dtype="int64"),
        "reach": pd.Series(dtype="int64"),
        "score": pd.Series(dtype=float), "idf": pd.Series(dtype=float), "specificity": pd.Series(dtype=float),
        "broader": pd.Series(dtype=str),
        "selected": pd.Series(dtype=bool), "focus": pd.Series(dtype=bool),
    })


def _empty_mentions() -> pd.DataFrame:
    return pd.DataFrame({
        "paper_id": pd.Series(dtype=str), "concept_id": pd.Series(dtype=str), "label": pd.Series(dtype=str),
        "count": pd.Series(dtype="int64"), "in_title": pd.Series(dtype=bool),
        "first_position": pd.Series(dtype="int64"), "score": pd.Series(dtype=float),
        "rank": pd.Series(dtype="int64"), "surface_forms": pd.Series(dtype=str),
    })
