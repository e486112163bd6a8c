"""Digests of core results, to compare two source trees byte for byte.

A restructuring must not change any result. Run this once per tree and diff the outputs::

    PYTHONPATH=<old tree>/src python benchmarks/check_same_results.py > old.json
    PYTHONPATH=<new tree>/src python benchmarks/check_same_results.py > new.json
    diff old.json new.json

It covers FastRP, DeepWalk, node2vec and LINE (deterministic mode), RandomWalkPMI, the 28 orbit
matrices, node-classification scores, five index specs and three online-training stream runs,
all on small inputs (about a minute).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np


def results() -> dict[str, np.ndarray]:
    """Every checked result as an array."""
    from embedlab.datasets import load_graph, load_labels, synthetic_drifting_stream
    from embedlab.eval import NodeClassification
    from embedlab.graph import FastRP
    from embedlab.graph.orbits import orbit_adjacency
    from embedlab.registry import EMBEDDERS
    from embedlab.retrieval.index import make_index

    try:  # the driver moved in issue 16
        from embedlab.bench.stream import run_stream
    except ImportError:
        from embedlab.tables.stream import run_stream  # type: ignore[no-redef]

    out: dict[str, np.ndarray] = {}
    g = load_graph("karate")
    out["fastrp"] = FastRP(n_components=32, random_state=0).fit(g).embeddings_
    for name in ("deepwalk", "node2vec", "line"):
        model = EMBEDDERS.get(name)(deterministic=True, random_state=0, n_components=16)
        out[name] = model.fit(g).embeddings_
    pmi = EMBEDDERS.get("random-walk-pmi")(n_components=16, window=3, random_state=0)
    out["random-walk-pmi"] = pmi.fit(g).embeddings_
    adj = orbit_adjacency(g)
    out["orbits"] = np.concatenate([adj[k].toarray().ravel() for k in sorted(adj)])
    scores = NodeClassification(load_labels("karate"), repeats=2, random_state=0)(
        FastRP(n_components=32, random_state=0).fit(g)
    )
    out["node classification"] = np.array([scores[k] for k in sorted(scores)])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 32)).astype(np.float32)
    q = x[:20] + 0.1
    for spec in ("Flat", "SQ8", "BFlat", "HNSW32", "IVF16,Flat"):
        index = make_index(spec, 32, "cosine").train(x).add(x)
        dist, ids = index.search(q, 10)
        out["index " + spec] = np.concatenate([dist.ravel(), ids.ravel().astype(np.float32)])
    stream = synthetic_drifting_stream(20000, random_state=0)
    for table in ("collisionless", "hash", "unified"):
        memory = {} if table == "collisionless" else {"memory_bytes": 200_000}
        r = run_stream(stream, table=table, sync_interval=10, seed=0, **memory)
        out["stream " + table] = np.array([r["auc"], r["logloss"], r["memory_bytes"]])
    return out


def main() -> None:
    """Print one SHA-256 prefix per result."""
    digests = {
        k: hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()[:16]
        for k, v in results().items()
    }
    print(json.dumps(digests, indent=1))


if __name__ == "__main__":
    main()
