"""All orbit adjacencies by the PyPI package ``gradco`` (C++; peer venv).

Usage: python gradco_orbits.py GRAPH.npz OUT.npz -> JSON {"count_s", "total_s"} on stdout.
GRAPH.npz holds a symmetric, loop-free CSR (``indptr``, ``indices``); OUT.npz gets one COO triple
per matrix, named ``h{hop}_{o1}_{o2}_{rows|cols|vals}``, in the input's node order.
"""

import contextlib
import io
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from gradco import Counter


def main(path, out):
    z = np.load(path)
    n = len(z["indptr"]) - 1
    a = sp.csr_matrix((np.ones(len(z["indices"])), z["indices"], z["indptr"]), shape=(n, n))
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # gradco prints its timings
        counter = Counter(a)
        counter.count()
    t1 = time.perf_counter()
    arrays = {}
    for hop, o1, o2, m in counter.generate_orbit_adjacencies():
        m = sp.coo_array(m)
        m.sum_duplicates()
        key = f"h{hop}_{o1}_{o2}"
        arrays[key + "_rows"], arrays[key + "_cols"], arrays[key + "_vals"] = m.row, m.col, m.data
    np.savez(out, **arrays)
    print(json.dumps({"count_s": t1 - t0, "total_s": time.perf_counter() - t0}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
