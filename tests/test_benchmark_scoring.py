"""The keyphrase benchmark's scoring: Porter stemming, phrase matching, P/R/F1 at k.

These run in the project venv: the peer extractors (yake, pytextrank, textacy)
are imported only when their system runs, so nothing here needs them.
"""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import keyphrases as bench  # noqa: E402  (benchmarks/keyphrases.py)

# Pairs from Martin Porter's published test vocabulary (voc.txt -> output.txt).
PORTER_CASES = {
    "caresses": "caress", "ponies": "poni", "ties": "ti", "cats": "cat", "feed": "feed",
    "agreed": "agre", "plastered": "plaster", "bled": "bled", "motoring": "motor", "sing": "sing",
    "conflated": "conflat", "troubled": "troubl", "sized": "size", "hopping": "hop", "tanned": "tan",
    "falling": "fall", "hissing": "hiss", "fizzed": "fizz", "failing": "fail", "filing": "file",
    "happy": "happi", "sky": "sky", "relational": "relat", "conditional": "condit",
    "rational": "ration", "digitizer": "digit", "differentli": "differ", "vietnamization": "vietnam",
    "predication": "predic", "operator": "oper", "feudalism": "feudal", "decisiveness": "decis",
    "hopefulness": "hope", "callousness": "callous", "sensibiliti": "sensibl", "triplicate": "triplic",
    "formative": "form", "formalize": "formal", "electrical": "electr", "goodness": "good",
    "revival": "reviv", "allowance": "allow", "inference": "infer", "airliner": "airlin",
    "gyroscopic": "gyroscop", "adjustable": "adjust", "defensible": "defens", "irritant": "irrit",
    "replacement": "replac", "adjustment": "adjust", "dependent": "depend", "adoption": "adopt",
    "communism": "commun", "activate": "activ", "homologous": "homolog", "effective": "effect",
    "bowdlerize": "bowdler", "probate": "probat", "rate": "rate", "cease": "ceas",
    "controll": "control", "roll": "roll",
    # Martin Porter's own departures from the 1980 paper, kept in his hosted code
    "conformabli": "conform", "archaeology": "archaeolog",
}


def test_porter_stemmer_matches_the_reference_vocabulary():
    got = {word: bench.porter_stem(word) for word in PORTER_CASES}
    assert got == PORTER_CASES


def test_short_words_and_empty_string_are_left_alone():
    assert [bench.porter_stem(w) for w in ["", "a", "is", "as"]] == ["", "a", "is", "as"]


def test_phrases_match_after_lowercasing_stemming_and_splitting_on_punctuation():
    key = bench.normalize_phrase
    assert key("Model Predictive Controllers") == key("model predictive control")
    assert key("belief-set") == key("belief set") == key("belief - set")
    assert key("Lob's Theorem") == key("Lob theorem")
    assert key("neural network") != key("network")  # exact phrase, not overlap


def test_normalize_phrase_rejects_non_strings():
    with pytest.raises(ValueError, match="must be a string"):
        bench.normalize_phrase(None)


def test_duplicate_predictions_are_removed_before_the_cut():
    # "networks" and "network" are one prediction, so "graph" still makes the top 2
    p, r, f1 = bench.score_document(["networks", "network", "graph"], ["network", "graph"], k=2)
    assert (p, r, f1) == (1.0, 1.0, 1.0)


def test_precision_recall_f1_on_a_hand_case():
    gold = ["neural network", "graph embedding", "link prediction", "never in text"]
    predicted = ["neural networks", "the model", "graph embeddings", "dataset", "training"]
    # top 5: 2 of 5 right; 2 of the 4 gold found (the absent one still counts)
    p, r, f1 = bench.score_document(predicted, gold, k=5)
    assert p == pytest.approx(2 / 5)
    assert r == pytest.approx(2 / 4)
    assert f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    # top 1: one right
    assert bench.score_document(predicted, gold, k=1) == pytest.approx((1.0, 0.25, 0.4))


def test_precision_divides_by_the_predictions_made_when_fewer_than_k():
    assert bench.score_document(["graph"], ["graph", "tree"], k=10) == pytest.approx((1.0, 0.5, 2 / 3))


def test_no_predictions_or_no_match_scores_zero():
    assert bench.score_document([], ["graph"], k=5) == (0.0, 0.0, 0.0)
    assert bench.score_document(["tree"], ["graph"], k=5) == (0.0, 0.0, 0.0)


def test_gold_phrases_equal_after_stemming_count_once():
    assert bench.score_document(["graph"], ["graph", "graphs"], k=5) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("k", [0, -1, 2.5])
def test_bad_k_is_refused(k):
    with pytest.raises(ValueError, match="positive integer"):
        bench.score_document(["graph"], ["graph"], k=k)


def test_evaluate_macro_averages_each_measure_over_documents():
    records = [
        {"id": "a", "keyphrases": ["graph", "tree"]},
        {"id": "b", "keyphrases": ["forest"]},
        {"id": "c", "keyphrases": ["river"]},  # no prediction at all
    ]
    predictions = {"a": ["graphs", "trees"], "b": ["forest", "lake"]}
    scores = bench.evaluate(predictions, records, ks=[2])
    assert scores["P@2"] == pytest.approx((1.0 + 0.5 + 0.0) / 3)
    assert scores["R@2"] == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert scores["F1@2"] == pytest.approx((1.0 + 2 / 3 + 0.0) / 3)  # mean of per-document F1


def test_evaluate_refuses_an_empty_corpus():
    with pytest.raises(ValueError, match="no records"):
        bench.evaluate({}, [])


def test_gold_in_text_share_counts_gold_found_in_title_and_abstract():
    records = [{"id": "a", "title": "Graph neural networks", "abstract": "We study link prediction.",
                "keyphrases": ["graph neural network", "link predictions", "protein folding"]}]
    assert bench.gold_in_text_share(records) == pytest.approx(2 / 3)


def test_load_records_names_the_line_of_a_bad_record(tmp_path):
    data = tmp_path / "kp.jsonl"
    data.write_text(json.dumps({"id": "a", "title": "T", "abstract": "A", "keyphrases": []}) + "\n"
                    + json.dumps({"id": "b", "title": "T"}) + "\n")
    with pytest.raises(ValueError, match=r"kp.jsonl:2: missing field\(s\) abstract, keyphrases"):
        bench.load_records(data)


def test_a_system_that_cannot_run_is_reported_in_the_table(tmp_path, monkeypatch, capsys):
    data = tmp_path / "kp.jsonl"
    data.write_text(json.dumps({"id": "a", "title": "Graphs", "abstract": "On graphs.", "keyphrases": ["graph"]}) + "\n")
    monkeypatch.setitem(bench.SYSTEMS, "yake", ("YAKE", bench.extract_yake, ("no_such_module_for_test",)))
    assert bench.main([str(data), "--only", "yake"]) == 1
    out = capsys.readouterr().out
    assert "| YAKE (not run: module 'no_such_module_for_test' is not installed" in out
    assert "1 documents, 1 gold keyphrases (100.0% occur" in out


def test_markdown_table_prints_percentages_and_speed():
    metrics = {"P@5": 0.5, "R@5": 0.25, "F1@5": 1 / 3, "P@10": 0.4, "R@10": 0.5, "F1@10": 0.444}
    table = bench.markdown_table([("TF-IDF", metrics, 12.34, "")])
    assert table.splitlines()[0] == "| system | P@5 | R@5 | F1@5 | P@10 | R@10 | F1@10 | docs/s |"
    assert table.splitlines()[2] == "| TF-IDF | 50.0 | 25.0 | 33.3 | 40.0 | 50.0 | 44.4 | 12.3 |"
