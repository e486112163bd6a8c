"""node2vec by PecanPy (SparseOTF walks + gensim Word2Vec), as its CLI runs it (peer venv).

Usage: python pecanpy_node2vec.py EDGES.tsv OUT.npy N_NODES DIM WALKS LENGTH WINDOW P Q THREADS SEED
-> JSON {"load_s", "walk_s", "train_s", "total_s"} on stdout; OUT.npy holds the vectors of nodes
0..N_NODES-1 (the edge file uses those integer ids).
"""

import json
import sys
import time

import numpy as np
from gensim.models import Word2Vec
from pecanpy.pecanpy import SparseOTF


def main(edges, out, n_nodes, dim, walks, length, window, p, q, threads, seed):
    t0 = time.perf_counter()
    g = SparseOTF(p=p, q=q, workers=threads, verbose=False, random_state=seed)
    g.read_edg(edges, weighted=False, directed=False)
    t1 = time.perf_counter()
    corpus = g.simulate_walks(walks, length)
    t2 = time.perf_counter()
    model = Word2Vec(
        corpus,
        vector_size=dim,
        window=window,
        sg=1,
        min_count=0,
        workers=threads,
        epochs=1,
        seed=seed,
    )  # exactly PecanPy's embed() call
    t3 = time.perf_counter()
    np.save(out, np.stack([model.wv[str(i)] for i in range(n_nodes)]))
    print(
        json.dumps({"load_s": t1 - t0, "walk_s": t2 - t1, "train_s": t3 - t2, "total_s": t3 - t0})
    )


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], *map(int, a[2:7]), float(a[7]), float(a[8]), int(a[9]), int(a[10]))
