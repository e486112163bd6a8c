"""What a user of the PyPI package ``fastrp`` (Rust) runs: read the edge list, embed, write.

Runs in the peer venv (numpy, scipy, pandas, fastrp). Usage:
    python fastrp_rust_cli.py EDGES.txt.gz OUT.npy DIM
"""

import sys

import fastrp
import numpy as np
import pandas as pd
import scipy.sparse as sp


def main(edges: str, out: str, dim: int) -> None:
    df = pd.read_csv(edges, sep=" ", header=None, comment="#", names=["u", "v"], dtype=np.int64)
    ids, codes = np.unique(np.r_[df.u.to_numpy(), df.v.to_numpy()], return_inverse=True)
    m = len(df)
    rows, cols = codes[:m], codes[m:]
    n = len(ids)
    adj = sp.csr_matrix((np.ones(2 * m), (np.r_[rows, cols], np.r_[cols, rows])), shape=(n, n))
    adj.sum_duplicates()
    adj.data[:] = 1.0
    emb = fastrp.fit_csr(
        adj.indptr,
        adj.indices,
        adj.data,
        n,
        dim=dim,
        weights=[0.0, 0.0, 1.0, 6.67],
        seed=0,
        undirected=False,
    )
    np.save(out, np.asarray(emb, dtype=np.float32))
    np.save(out.replace(".npy", ".ids.npy"), ids)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
