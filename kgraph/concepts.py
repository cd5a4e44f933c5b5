"""Concepts: candidate phrases normalised across the corpus, scored and selected.

From the ``candidates`` and ``acronyms`` tables of :mod:`kgraph.nlp` this stage
makes the ``concepts`` and ``mentions`` tables of DESIGN.md:

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
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .errors import InputError
from .nlp import Extraction, _singular, normalise_key

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
    kw, dw = key.split(" "), display.split(" ")
    if len(kw) != len(dw):  # hyphenated words: the display has fewer spaces than the key
        while len(kw) > 1 and kw[0] in LEADING_FILLERS and dw and dw[0].lower() == kw[0]:
            kw, dw = kw[1:], dw[1:]
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


def _merge_variants(keys: Counter) -> dict[str, str]:
    """Map keys to a variant the corpus also holds: US spelling, closed compounds.

    ``behaviour model``/``behavior model``, ``data set``/``dataset`` and a plural
    the tagger missed/its singular become one key (the more frequent form) only
    when both occur.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        words = [_us_spelling(w) for w in k.split(" ")]
        last = words[-1]
        # a plural the tagger took for a proper noun ("Boltzmann Generators")
        if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
            words[-1] = last[:-1]
        groups["".join(words)].append(k)
    out = {}
    for members in groups.values():
        if len(members) < 2:
            continue
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

    The corpus-wide meaning of an acronym is its most frequent definition; a paper
    that defines an acronym itself keeps its own meaning.
    """
    if acronyms.empty:
        return {}, {}, {}
    a = acronyms.assign(skey=acronyms["short"].map(normalise_key))
    counts = a.groupby(["skey", "long_key"]).size().reset_index(name="n")
    counts = counts.sort_values(["skey", "n", "long_key"], ascending=[True, False, True])
    best = counts.drop_duplicates("skey")
    glob = dict(zip(best["skey"], best["long_key"]))
    # the short form as written, for aliases
    shorts = _most_common(a, "skey", "short")
    local = {(p, s): l for p, s, l in zip(a["paper_id"], a["skey"], a["long_key"])}
    # an acronym must not map onto itself or onto a phrase that contains it
    glob = {s: l for s, l in glob.items() if s != l and s not in l.split(" ")}
    return glob, local, shorts


def _expand(key: str, display: str, amap: dict, long_disp: dict) -> tuple[str, str]:
    words = key.split(" ")
    if not any(w in amap for w in words):
        return key, display
    dwords = display.split(" ")
    if len(dwords) != len(words):
        dwords = words[:]
    nk, nd = [], []
    for w, d in zip(words, dwords):
        if w in amap:
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
    has_of = cand["pattern"].str.contains("O", regex=False)
    if not has_of.any():
        return cand
    units = set(cand.loc[~has_of, "key"])
    split = has_of & ~cand["key"].isin(units)
    if not split.any():
        return cand
    rows = []
    for r in cand[split].itertuples(index=False):
        at = r.pattern.index("O")
        kw = r.key.split(" ")
        dparts = r.display.split(" of ", 1)
        if len(dparts) != 2:
            dparts = [" ".join(kw[:at]), " ".join(kw[at + 1 :])]
        rows.append((r.paper_id, " ".join(kw[:at]), dparts[0], r.in_title, r.position, r.sent_start,
                     r.pattern[:at]))
        rows.append((r.paper_id, " ".join(kw[at + 1 :]), dparts[1], r.in_title, r.position + at + 1, False,
                     r.pattern[at + 1 :]))
    parts = pd.DataFrame(rows, columns=cand.columns).astype(cand.dtypes.to_dict())
    parts = parts[parts["key"].str.len() > 0]
    return pd.concat([cand[~split], parts], ignore_index=True)


def normalise_candidates(
    extraction: Extraction, settings: ConceptSettings
) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Rewrite candidate keys to concept keys; drop generic and stoplisted terms.

    Returns the candidates with ``key``/``display`` rewritten and a map from
    concept key to acronyms that stand for it (for ``aliases``).
    """
    cand = _split_of_phrases(extraction.candidates)
    if cand.empty:
        return cand.copy(), {}
    uniq = cand[["key", "display"]].drop_duplicates()
    uk, ud = uniq["key"].tolist(), uniq["display"].tolist()
    fmap = {(k, d): _strip_fillers(k, d) for k, d in zip(uk, ud)}
    pairs = [fmap[kd] for kd in zip(cand["key"].tolist(), cand["display"].tolist())]
    cand = cand.assign(key=[p[0] for p in pairs], display=[p[1] for p in pairs])

    glob, local, shorts = _acronym_maps(extraction.acronyms)
    aliases: dict[str, set[str]] = defaultdict(set)
    if glob:
        long_disp = _most_common(extraction.acronyms, "long_key", "long_display")
        keys, disps = [], []
        for pid, k, d in zip(cand["paper_id"].tolist(), cand["key"].tolist(), cand["display"].tolist()):
            words = k.split(" ")
            amap = glob
            if any((pid, w) in local for w in words):
                amap = dict(glob)
                amap.update({w: local[(pid, w)] for w in words if (pid, w) in local})
            nk, nd = _expand(k, d, amap, long_disp)
            keys.append(nk)
            disps.append(nd)
        cand = cand.assign(key=keys, display=disps)
        for s, l in glob.items():
            aliases[l].add(shorts.get(s, s.upper()))

    variants = _merge_variants(Counter(cand["key"]))
    if variants:
        cand = cand.assign(key=cand["key"].map(lambda k: variants.get(k, k)))

    if settings.thesaurus:
        th = settings.thesaurus
        cand = cand.assign(key=cand["key"].map(lambda k: th.get(k, k)))
        cand = cand[cand["key"] != ""]
        repl = {v for v in th.values() if v}
        lab = settings.thesaurus_labels
        mask = cand["key"].isin(repl)
        if mask.any():
            cand.loc[mask, "display"] = cand.loc[mask, "key"].map(lambda k: lab.get(k, k))
        for k, v in th.items():
            if v and k != v:
                aliases[v].add(k)

    drop = cand["key"].map(lambda k: is_generic(k) or k in settings.stopwords or len(k) < 2)
    cand = cand[~drop].reset_index(drop=True)
    cand["pattern"] = [_fit_pattern(k, p) for k, p in zip(cand["key"].tolist(), cand["pattern"].tolist())]
    return cand, aliases


# ---------------------------------------------------------------------------
# labels


def _labels(cand: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Readable label per key: the commonest surface form, cased as the corpus writes it.

    Title case and sentence starts say nothing about a word's case, so only other
    occurrences vote; a word written capitalised mid-sentence more often than not
    (Boltzmann, Bayesian) keeps its capital in every label.
    """
    body = cand[~cand["in_title"] & ~cand["sent_start"]]
    word_votes: dict[str, Counter] = defaultdict(Counter)
    for d in body["display"].tolist():
        for w in d.split(" "):
            word_votes[w.lower()][w] += 1
            if "-" in w:  # GPT in GPT-4 votes for GPT; Thought in Chain-of-Thought does not
                for part in w.split("-"):
                    if sum(c.isupper() for c in part) >= 2:
                        word_votes[part.lower()][part] += 1
    casing = {lw: c.most_common(1)[0][0] for lw, c in word_votes.items()}
    src = pd.concat([body, cand[cand["in_title"] | cand["sent_start"]]])
    top = (
        src.groupby(["key", "display"], sort=False).size().reset_index(name="n")
        .sort_values(["key", "n", "display"], ascending=[True, False, True])
        .drop_duplicates("key")
    )
    out = {}
    for k, d in zip(top["key"].tolist(), top["display"].tolist()):
        words = d.split(" ")
        out[k] = " ".join(casing.get(w.lower(), w) if not any(c.isupper() for c in w[1:]) else w for w in words)
    return out, casing


_FUNCTION_WORDS = frozenset("of the a an to in on for and or with by from at as via vs".split())


def _is_name(word: str) -> bool:
    return word[:1].isupper() or any(c.isupper() for c in word[1:])


def _hub_part(part: str, before: str | None, settings: ConceptSettings) -> bool:
    words = part.split(" ")
    if words[0] in _FUNCTION_WORDS or words[-1] in _FUNCTION_WORDS or before in _FUNCTION_WORDS:
        return False  # cuts through "chain of thought", "state of the art"
    return not (is_generic(part) or part in settings.stopwords or len(part) < 3)


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
# scoring


def score_mentions(cand: pd.DataFrame, n_papers: int, settings: ConceptSettings) -> tuple[pd.DataFrame, pd.Series]:
    """Aggregate candidate occurrences to one row per paper × concept, scored and ranked.

    ``score = (count + title_weight·in_title) · idf · (first_position + 1)^-e · length``
    where ``idf = ln((N + 1) / df)``, ``e`` is a weak position exponent (0.1) and
    ``length`` down-weights single words (they are broader than phrases).
    """
    g = cand.groupby(["paper_id", "key"], sort=False)
    m = g.agg(
        count=("position", "size"),
        in_title=("in_title", "any"),
        first_position=("position", "min"),
    ).reset_index()
    u = cand.drop_duplicates(["paper_id", "key", "display"]).sort_values(["paper_id", "key", "display"])
    u = u[u.groupby(["paper_id", "key"], sort=False).cumcount() < 5]
    forms: dict = defaultdict(list)
    for pk, d in zip(zip(u["paper_id"].tolist(), u["key"].tolist()), u["display"].tolist()):
        forms[pk].append(d)
    m["surface_forms"] = ["; ".join(forms[pk]) for pk in zip(m["paper_id"].tolist(), m["key"].tolist())]
    df = m.groupby("key").size()
    idf = np.log((n_papers + 1) / df)
    n_words = m["key"].str.count(" ") + 1
    tf = m["count"] + settings.title_weight * m["in_title"].astype(float)
    length = np.where(n_words == 1, settings.single_word_factor, 1.0)
    m["score"] = (
        tf * m["key"].map(idf).to_numpy() * (m["first_position"] + 1.0) ** -settings.position_exponent * length
    )
    m = m.sort_values(["paper_id", "score", "first_position", "key"], ascending=[True, False, True, True])
    m["rank"] = m.groupby("paper_id", sort=False).cumcount() + 1
    return m.rename(columns={"key": "concept_id"}).reset_index(drop=True), idf


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
    out: dict[str, list[str]] = {}
    for key in keys:
        words = key.split(" ")
        n = len(words)
        if n < 2:
            continue
        found = []
        for length in range(n - 1, 0, -1):
            for start in range(0, n - length + 1):
                sub = " ".join(words[start : start + length])
                is_head = start + length == n
                if sub in vocabulary and (is_head or names is None or sub in names):
                    span = (start, start + length)
                    if not any(s <= span[0] and span[1] <= e for s, e, _ in found):
                        found.append((span[0], span[1], sub))
        if found:
            out[key] = [f[2] for f in sorted(found, key=lambda f: (f[0], f[1]))]
    return out


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
        for cid in pd.unique(mentions["concept_id"]):
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


def _reach(concepts: pd.DataFrame, mentions: pd.DataFrame) -> pd.Series:
    """Papers that mention each concept or any concept narrower than it."""
    papers_of: dict[str, set] = defaultdict(set)
    for c, p in zip(mentions["concept_id"].tolist(), mentions["paper_id"].tolist()):
        papers_of[c].add(p)
    reach: dict[str, set] = {}
    # narrower concepts have more words: fill them first, then hand their papers up
    order = sorted(concepts["concept_id"], key=lambda c: -(c.count(" ") + 1))
    broader = dict(zip(concepts["concept_id"].tolist(), concepts["broader"].tolist()))
    for cid in order:
        reach.setdefault(cid, set()).update(papers_of.get(cid, ()))
        for parent in filter(None, broader[cid].split("; ")):
            reach.setdefault(parent, set()).update(reach[cid])
    return concepts["concept_id"].map(lambda c: len(reach.get(c, ()))).astype("int64")


def build_concepts(
    papers: pd.DataFrame, extraction: Extraction, settings: ConceptSettings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make the ``concepts`` and ``mentions`` tables from a corpus's extraction.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table (only its length and ids are used).
    extraction : Extraction
        From :func:`kgraph.nlp.extract`.
    settings : ConceptSettings, optional

    Returns
    -------
    concepts, mentions : DataFrame
        As in DESIGN.md; ``mentions`` holds every concept of every paper,
        ``concepts.selected`` marks graph nodes.
    """
    settings = settings or ConceptSettings()
    n_papers = max(len(papers), 1)
    cand, acronym_aliases = normalise_candidates(extraction, settings)
    if cand.empty:
        return _empty_concepts(), _empty_mentions()

    labels, casing = _labels(cand)
    labels.update({k: v for k, v in settings.thesaurus_labels.items() if k in labels})
    mentions, idf = score_mentions(cand, n_papers, settings)
    mentions.insert(2, "label", mentions["concept_id"].map(labels))

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
    concepts.insert(1, "label", concepts["concept_id"].map(labels))

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
    concepts["selected"] = eligible
    if settings.max_concepts is not None and eligible.sum() > settings.max_concepts:
        top = concepts[eligible].sort_values(["score", "concept_id"], ascending=[False, True])
        keep = set(top["concept_id"].head(settings.max_concepts))
        concepts["selected"] = concepts["concept_id"].isin(keep)

    forms: dict = defaultdict(list)
    kd = cand.drop_duplicates(["key", "display"]).sort_values(["key", "display"])
    for k, d in zip(kd["key"].tolist(), kd["display"].tolist()):
        forms[k].append(d)

    def alias_list(cid: str, label: str) -> str:
        al = set(acronym_aliases.get(cid, ()))
        # other spellings only: not case, hyphen or plural variants of the key itself
        al.update(f for f in forms.get(cid, []) if normalise_key(f).rstrip("s") != cid.rstrip("s"))
        return "; ".join(sorted(al, key=lambda a: (a.lower(), a))[:8])

    concepts["aliases"] = [alias_list(c, l) for c, l in zip(concepts["concept_id"].tolist(),
                                                             concepts["label"].tolist())]

    vocab = set(concepts.loc[concepts["selected"], "concept_id"])
    names = {c for c, l in zip(concepts["concept_id"].tolist(), concepts["label"].tolist()) if _is_name(str(l))}
    parents = broader_links(concepts["concept_id"], vocab, names)
    concepts["broader"] = concepts["concept_id"].map(lambda c: "; ".join(parents.get(c, [])))
    concepts["reach"] = _reach(concepts, mentions)

    focus_ids = [c for c in (resolve_term(t, concepts) for t in settings.focus) if c]
    concepts["focus"] = concepts["concept_id"].isin(narrower_closure(concepts, focus_ids)) if focus_ids else False

    concepts = concepts.sort_values(["selected", "score", "concept_id"], ascending=[False, False, True])
    concepts = concepts[
        ["concept_id", "label", "aliases", "doc_freq", "reach", "term_freq", "score", "idf", "broader",
         "selected", "focus"]
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
        "score": pd.Series(dtype=float), "idf": pd.Series(dtype=float), "broader": pd.Series(dtype=str),
        "selected": pd.Series(dtype=bool), "focus": pd.Series(dtype=bool),
    })


def _empty_mentions() -> pd.DataFrame:
    return pd.DataFrame({
        "paper_id": pd.Series(dtype=str), "concept_id": pd.Series(dtype=str), "label": pd.Series(dtype=str),
        "count": pd.Series(dtype="int64"), "in_title": pd.Series(dtype=bool),
        "first_position": pd.Series(dtype="int64"), "score": pd.Series(dtype=float),
        "rank": pd.Series(dtype="int64"), "surface_forms": pd.Series(dtype=str),
    })
