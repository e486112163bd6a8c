"""Time TorchRec's ``MCHManagedCollisionModule`` remapping raw int64 IDs to table rows (peer venv).

What a TorchRec user runs for a zero-collision table on CPU: the module in training mode, one
feature, every batch through ``forward`` (profile = record and insert with LRU eviction, then
remap). Usage: python torchrec_mch.py IDS.npy ZCH_SIZE BATCH  -> JSON on stdout.
"""

import json
import sys
import time

import numpy as np
import torch
from torchrec.modules.mc_modules import LRU_EvictionPolicy, MCHManagedCollisionModule
from torchrec.sparse.jagged_tensor import JaggedTensor


def main(path: str, zch_size: int, batch: int) -> None:
    torch.set_num_threads(2)
    ids = torch.from_numpy(np.load(path))
    mc = MCHManagedCollisionModule(
        zch_size=zch_size,
        device=torch.device("cpu"),
        eviction_policy=LRU_EvictionPolicy(),
        eviction_interval=1,
    )
    mc.train()
    out = torch.empty_like(ids)

    def one_pass() -> float:
        t0 = time.perf_counter()
        for s in range(0, len(ids), batch):
            v = ids[s : s + batch]
            jt = JaggedTensor(values=v, lengths=torch.ones(len(v), dtype=torch.int32))
            out[s : s + batch] = mc({"f": jt})["f"].values()
        return time.perf_counter() - t0

    insert_s = one_pass()
    rows_insert = out.clone()
    lookup_s = one_pass()
    miss = int((out == zch_size - 1).sum())
    distinct_rows = int(torch.unique(out).numel())
    print(
        json.dumps(
            {
                "insert_s": insert_s,
                "lookup_s": lookup_s,
                "distinct_rows": distinct_rows,
                "default_row_hits": miss,
                "stable": bool((rows_insert == out).all()),
                "torchrec": __import__("torchrec").__version__,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
