"""DeepWalk as people run it today: NumPy uniform walks + gensim ``Word2Vec`` (peer venv).

Usage: python gensim_deepwalk.py GRAPH.npz OUT.npy DIM WALKS LENGTH WINDOW NEGATIVES THREADS SEED
-> JSON {"walk_s", "train_s", "total_s"} on stdout; OUT.npy holds the vectors in node order.
gensim runs at its defaults otherwise (alpha 0.025 -> 0.0001, sample 1e-3, 1 epoch, skip-gram).
"""

import json
import sys
import time

import numpy as np
from gensim.models import Word2Vec


def walks_numpy(indptr, indices, walks, length, seed):
    rng = np.random.default_rng(seed)
    n = len(indptr) - 1
    starts = np.concatenate([rng.permutation(n) for _ in range(walks)])
    out = np.empty((len(starts), length), dtype=np.int64)
    out[:, 0] = cur = starts
    for step in range(1, length):
        deg = indptr[cur + 1] - indptr[cur]
        cur = indices[
            indptr[cur] + np.minimum((rng.random(len(cur)) * deg).astype(np.int64), deg - 1)
        ]
        out[:, step] = cur
    return out


def main(path, out, dim, walks, length, window, negatives, threads, seed):
    z = np.load(path)
    indptr, indices = z["indptr"].astype(np.int64), z["indices"].astype(np.int64)
    t0 = time.perf_counter()
    corpus = walks_numpy(indptr, indices, walks, length, seed).astype(str).tolist()
    t1 = time.perf_counter()
    model = Word2Vec(
        corpus,
        vector_size=dim,
        window=window,
        negative=negatives,
        sg=1,
        min_count=0,
        workers=threads,
        epochs=1,
        seed=seed,
    )
    t2 = time.perf_counter()
    n = len(indptr) - 1
    np.save(out, np.stack([model.wv[str(i)] for i in range(n)]))
    print(json.dumps({"walk_s": t1 - t0, "train_s": t2 - t1, "total_s": t2 - t0}))


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], *map(int, a[2:]))
