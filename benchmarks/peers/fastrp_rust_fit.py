"""Time the Rust ``fastrp.fit_csr`` alone on a CSR graph saved as .npz (peer venv).

Usage: python fastrp_rust_fit.py GRAPH.npz DIM REPEATS -> JSON {"fit_s": [...]} on stdout.
"""

import json
import sys
import time

import fastrp
import numpy as np


def main(path: str, dim: int, repeats: int) -> None:
    z = np.load(path)
    indptr, indices = z["indptr"].astype(np.int64), z["indices"].astype(np.int64)
    data = np.ones(len(indices))
    n = len(indptr) - 1
    times = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        fastrp.fit_csr(
            indptr,
            indices,
            data,
            n,
            dim=dim,
            weights=[0.0, 0.0, 1.0, 6.67],
            seed=0,
            undirected=False,
        )
        times.append(time.perf_counter() - t0)
    print(json.dumps({"fit_s": times[1:]}))  # the first run warms up


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
