"""``embedlab graph``: graph statistics (graphlet orbit adjacencies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli._common import group, guard, resolve_edges
from embedlab.exceptions import InvalidInputError

__all__ = ["app"]

app = group("Graph statistics: graphlet orbits.")


@app.command("orbits")
@guard
def graph_orbits(
    edges: Annotated[
        str, typer.Argument(help="Edge list or dataset name.", metavar="EDGES", show_default=False)
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Output folder, written whole.", show_default=False),
    ],
    max_hop: Annotated[
        int, typer.Option("--max-hop", min=1, max=3, help="Largest hop inside the graphlet.")
    ] = 3,
    top_k: Annotated[
        int | None,
        typer.Option("--top-k", min=1, help="Keep the k largest entries per row (2-3 hops)."),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Drop 2-3 hop entries below this.")
    ] = None,
    max_gib: Annotated[
        float, typer.Option("--max-gib", help="Refuse above this much memory for 2-3 hops.")
    ] = 4.0,
    dtype: Annotated[str, typer.Option("--dtype", help="int64 or float32 values.")] = "int64",
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Threads.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the folder.")] = False,
) -> None:
    """Count the 28 graphlet orbit adjacencies (GRADCO) of a graph.

    Writes one scipy .npz per matrix (A_h{hop}_o{o1}_o{o2}.npz), node_ids.npy (row order) and
    manifest.json (file, hop, orbits, nnz, sum per matrix).

    Example: embedlab graph orbits cora -o cora-orbits --max-hop 2
    """
    import numpy as np
    import scipy.sparse as sp

    from embedlab.graph import Graph
    from embedlab.graph.orbits import orbit_adjacency

    if dtype not in ("int64", "float32"):
        raise typer.BadParameter(f"must be int64 or float32; got {dtype!r}.", param_hint="--dtype")
    from embedlab.utils.fileio import atomic_dir

    if output.exists() and not output.is_dir():
        raise InvalidInputError(f"{output} exists and is not a folder.")
    if output.exists() and not overwrite:  # refuse early, before counting
        held = "already holds orbit matrices" if (output / "manifest.json").exists() else "exists"
        raise InvalidInputError(f"{output} {held}; pass --overwrite.")
    path, source = resolve_edges(edges)
    graph = Graph.from_edgelist(path)
    mats = orbit_adjacency(
        graph,
        max_hop=max_hop,
        top_k=top_k,
        threshold=threshold,
        max_bytes=max_gib * 2**30,
        dtype=np.dtype(dtype),
        n_jobs=threads,
    )
    entries = []
    with atomic_dir(output, overwrite=overwrite) as tmp:
        for (hop, o1, o2), m in mats.items():
            name = f"A_h{hop}_o{o1}_o{o2}.npz"
            sp.save_npz(tmp / name, sp.csr_matrix(m))
            entries.append(
                {
                    "file": name,
                    "hop": hop,
                    "orbits": [o1, o2],
                    "nnz": int(m.nnz),
                    "sum": m.sum().item(),
                }
            )
        np.save(tmp / "node_ids.npy", graph.node_ids)
        manifest = {
            "source": source,
            "n_nodes": graph.n_nodes,
            "max_hop": max_hop,
            "top_k": top_k,
            "threshold": threshold,
            "matrices": entries,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    typer.echo(f"{len(entries)} orbit adjacencies of {graph.n_nodes} nodes written to {output}")
