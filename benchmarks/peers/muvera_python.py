"""Peer: FDE encoding with the PyPI package muvera-python (Rust kernels), in its own venv.

usage: muvera_python.py TOKENS.npz R K_SIM D_PROJ  -> JSON {"documents_s", "queries_s", ...}
TOKENS.npz holds documents (``vectors``, ``offsets``) and queries (``query_vectors``,
``query_offsets``). Times ``encode_documents`` and ``encode_queries`` (the inputs are built as
the package's list of arrays before the clock starts).
"""

import importlib.metadata
import itertools
import json
import sys
import time

import numpy as np
from muvera import _RUST_AVAILABLE, Muvera

path, r, k, dp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with np.load(path) as z:
    vectors, offsets = z["vectors"], z["offsets"]
    qv, qo = z["query_vectors"], z["query_offsets"]
sets = [vectors[a:b] for a, b in itertools.pairwise(offsets)]
queries = [qv[a:b] for a, b in itertools.pairwise(qo)]
enc = Muvera(
    num_repetitions=r,
    num_simhash_projections=k,
    dimension=vectors.shape[1],
    projection_type="ams_sketch",
    projection_dimension=dp,
    fill_empty_partitions=True,
    seed=42,
)
enc.encode_documents(sets[:8])  # warm-up
t0 = time.perf_counter()
docs = enc.encode_documents(sets)
doc_s = time.perf_counter() - t0
t0 = time.perf_counter()
enc.encode_queries(queries)
query_s = time.perf_counter() - t0
print(
    json.dumps(
        {
            "version": importlib.metadata.version("muvera-python"),
            "rust": bool(_RUST_AVAILABLE),
            "documents_s": doc_s,
            "queries_s": query_s,
            "output_dim": int(docs.shape[1]),
        }
    )
)
