"""Fixtures shared by the CLI tests: a tiny BEIR folder."""

import json

import pytest

DOCS = [
    ("d1", "Graph embeddings", "Random walks and skip-gram learn node vectors."),
    (
        "d2",
        "Vector search",
        "Product quantisation compresses vectors for nearest neighbour search.",
    ),
    ("d3", "Recommenders", "Embedding tables map categorical ids to vectors."),
    ("d4", "Proteins", "Protein interaction networks have graphlet structure."),
]
QUERIES = [("q1", "how to compress vectors for search"), ("q2", "node embeddings from walks")]


@pytest.fixture
def beir(tmp_path):
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": i, "title": t, "text": x}) + "\n" for i, t, x in DOCS)
    )
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": i, "text": x}) + "\n" for i, x in QUERIES)
    )
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td2\t1\nq2\td1\t1\n")
    return folder
