"""``embedlab text``, ``embedlab index``, ``embedlab muvera`` and ``embedlab eval retrieval``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from embedlab.cli._common import group
from embedlab.cli._common import guard as _guard
from embedlab.cli._common import print_scores as _print_scores
from embedlab.exceptions import InvalidInputError

__all__ = ["eval_app", "index_app", "muvera_app", "text_app"]

text_app = group("Encode text with a packaged model.")
index_app = group("Build and search vector indexes.")
muvera_app = group("MUVERA fixed-dimensional encodings of multi-vector sets.")
eval_app = typer.Typer()  # its commands join `embedlab eval` (embedlab.cli.eval)


@text_app.command("encode")
@_guard
def text_encode(
    corpus: Annotated[
        Path,
        typer.Argument(
            help="BEIR JSONL (_id, title, text; .gz ok) or a text file, one text per line.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Embedding file (.parquet, .npy, .txt).")
    ],
    model: Annotated[str, typer.Option("--model", help="Packaged model or folder.")] = "minilm",
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 64,
    max_seq_length: Annotated[
        int | None, typer.Option("--max-seq-length", min=1, help="Tokens kept (model's own).")
    ] = None,
    normalize: Annotated[bool, typer.Option("--normalize/--no-normalize")] = True,
    truncate_dim: Annotated[
        int | None, typer.Option("--truncate-dim", min=1, help="Keep the first D dimensions.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Encoding cache ($EMBEDLAB_CACHE).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not cache.")] = False,
    tokens: Annotated[
        bool,
        typer.Option("--tokens", help="Per-token unit vectors to a MultiVector .npz instead."),
    ] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the output.")] = False,
) -> None:
    """Encode texts into an embedding file (all-MiniLM-L6-v2 by default, offline).

    With --tokens, every text's token vectors (special tokens kept, each of unit length) go to a
    multi-vector .npz for MaxSim / MUVERA.

    Example: embedlab text encode corpus.jsonl.gz -o corpus.parquet
    """
    import numpy as np

    from embedlab.datasets._texts import read_texts
    from embedlab.io import EmbeddingSet
    from embedlab.text import SentenceEncoder
    from embedlab.text._cache import default_cache_dir
    from embedlab.utils.fileio import check_output_path

    check_output_path(output, overwrite=overwrite)
    if tokens and output.suffix != ".npz":  # every output check before any text is read
        raise InvalidInputError(f"--tokens writes a .npz file; got {output.name!r}.")
    if not tokens:
        EmbeddingSet.check_path(output)
    ids, texts = read_texts(corpus)
    if not texts:
        raise InvalidInputError(f"{corpus.name} holds no text.")
    enc = SentenceEncoder(
        model,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        normalize=normalize,
        truncate_dim=truncate_dim,
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
    )
    id_array = np.asarray(ids, dtype=object if ids and isinstance(ids[0], str) else np.int64)
    if tokens:
        from embedlab.io import MultiVector

        mv = enc.encode_tokens(texts)
        MultiVector(mv.vectors, mv.offsets, id_array).save(output, overwrite=overwrite)
        typer.echo(f"{len(mv):,} texts, {len(mv.vectors):,} token vectors to {output}", err=True)
        return
    vectors = enc.encode(texts)
    es = EmbeddingSet(
        ids=id_array,
        vectors=vectors,
        metadata={**enc.metadata(), "source": str(corpus)},
    )
    es.save(output, overwrite=overwrite)
    typer.echo(f"{len(es):,} texts encoded ({es.dim} dimensions) to {output}", err=True)


def _positional_names(ids: Any) -> tuple[Any, Any]:
    """Index ids for an EmbeddingSet's ids: themselves when integer, else positions + names."""
    import numpy as np

    arr = np.asarray(ids)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64), None
    return np.arange(len(arr), dtype=np.int64), np.asarray([str(v) for v in arr])


@index_app.command("build")
@_guard
def index_build(
    embeddings: Annotated[Path, typer.Argument(help="Embedding file.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Index file.")],
    spec: Annotated[
        str,
        typer.Option(
            "--spec",
            help="Flat, SQ8, BFlat, MRL<D>,<spec> (NumPy) or a FAISS factory string "
            "(HNSW32, IVF256,PQ32, faiss:SQ8).",
        ),
    ] = "Flat",
    metric: Annotated[str, typer.Option("--metric", help="ip, cosine or l2.")] = "cosine",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the output.")] = False,
) -> None:
    """Build an index over an embedding file (trained on the same vectors) and save it.

    Example: embedlab index build corpus.parquet -o corpus.idx --spec "IVF256,PQ32"
    """
    from embedlab.io import EmbeddingSet
    from embedlab.retrieval.index import make_index
    from embedlab.utils.fileio import check_output_path

    check_output_path(output, overwrite=overwrite)
    es = EmbeddingSet.load(embeddings)
    ids, names = _positional_names(es.ids)
    index = make_index(spec, es.dim, metric).train(es.vectors).add(es.vectors, ids=ids)
    if names is not None:
        index.names = names
    index.save(output, overwrite=overwrite)
    typer.echo(f"{index!r} written to {output}", err=True)


@index_app.command("search")
@_guard
def index_search(
    index_path: Annotated[Path, typer.Argument(help="Index file.", show_default=False)],
    queries: Annotated[Path, typer.Argument(help="Query embedding file.", show_default=False)],
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="Results per query.")] = 10,
    nprobe: Annotated[int | None, typer.Option("--nprobe", min=1, help="IVF lists.")] = None,
    ef_search: Annotated[
        int | None, typer.Option("--ef-search", min=1, help="HNSW search depth.")
    ] = None,
) -> None:
    """Search an index with every query vector; one JSON line per query on stdout.

    Each line: {"query": id, "ids": [...], "scores": [...]} (document names when the index was
    built from string ids).

    Example: embedlab index search corpus.idx queries.parquet -k 10
    """
    from embedlab.io import EmbeddingSet
    from embedlab.retrieval.index import load_index

    index = load_index(str(index_path))
    es = EmbeddingSet.load(queries)
    params: dict[str, Any] = {}
    if nprobe is not None:
        params["nprobe"] = nprobe
    if ef_search is not None:
        params["efSearch"] = ef_search
    dist, ids = index.search(es.vectors, k, **params)
    names = getattr(index, "names", None)
    out = sys.stdout
    for qid, drow, irow in zip(es.ids.tolist(), dist.tolist(), ids.tolist(), strict=True):
        keep = [j for j, i in enumerate(irow) if i >= 0]
        hits = [irow[j] for j in keep]
        if names is not None:
            hits = [str(names[i]) for i in hits]
        out.write(json.dumps({"query": qid, "ids": hits, "scores": [drow[j] for j in keep]}))
        out.write("\n")


@eval_app.command("retrieval")
@_guard
def eval_retrieval(
    dataset: Annotated[
        str,
        typer.Option(
            "--dataset", help="BEIR data set name under $EMBEDLAB_DATA/retrieval, or a folder."
        ),
    ],
    encoder: Annotated[str, typer.Option("--encoder", help="Packaged model or folder.")] = "minilm",
    split: Annotated[str, typer.Option("--split", help="qrels split.")] = "test",
    compression: Annotated[
        str | None,
        typer.Option(
            "--compression",
            help="An index spec: SQ8, BFlat, PQ<M>, MRL<D>, MRL<D>,SQ8 ... (default: Flat).",
        ),
    ] = None,
    rescore: Annotated[
        int | None,
        typer.Option("--rescore", min=1, help="Re-rank this many candidates with float32."),
    ] = None,
    max_seq_length: Annotated[int, typer.Option("--max-seq-length", min=1)] = 256,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 64,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Encoding cache ($EMBEDLAB_CACHE).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not cache.")] = False,
    multivector: Annotated[
        bool, typer.Option("--multivector", help="Token vectors and MaxSim (Chamfer).")
    ] = False,
    muvera: Annotated[
        str | None,
        typer.Option("--muvera", help="With --multivector: FDE R,k_sim,d_proj, then rerank."),
    ] = None,
    candidates: Annotated[
        int, typer.Option("--candidates", min=1, help="FDE candidates re-ranked by MaxSim.")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the MUVERA matrices.")] = 0,
    run_out: Annotated[
        Path | None,
        typer.Option(
            "--run-out",
            help="Also write the run in TREC format (qid Q0 docid rank score tag), for "
            "trec_eval / pytrec_eval.",
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --run-out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Evaluate dense retrieval on a BEIR data set: nDCG@10, Recall@100, MRR@10, MAP.

    Metrics with pytrec_eval's semantics; documents are title + " " + text, cosine similarity.
    --rescore R re-ranks the first R candidates of --compression with float32 vectors.
    With --multivector: every token vector (unit length, special tokens kept) and brute-force
    MaxSim; adding --muvera R,k_sim,d_proj searches MUVERA encodings for --candidates documents
    and re-ranks them by exact MaxSim.

    Example: embedlab eval retrieval --dataset scifact --compression binary --rescore 40 --json
    """
    from embedlab.bench.retrieval import evaluate_dense_retrieval, evaluate_multivector_retrieval
    from embedlab.datasets._beir import retrieval_dataset_path
    from embedlab.text._cache import default_cache_dir
    from embedlab.utils.fileio import check_output_path

    if rescore is not None and compression is None:
        raise typer.BadParameter(
            "re-ranks a compressed shortlist; give --compression too.", param_hint="--rescore"
        )
    if run_out is not None:
        check_output_path(run_out, overwrite=overwrite)
    common: dict[str, Any] = {
        "encoder": encoder,
        "split": split,
        "max_seq_length": max_seq_length,
        "batch_size": batch_size,
        "cache_dir": None if no_cache else (cache_dir or default_cache_dir()),
    }
    if multivector or muvera:
        if compression is not None or rescore is not None:
            raise InvalidInputError("--multivector does not combine with --compression/--rescore.")
        fde = _parse_muvera(muvera) if muvera else None
        res = evaluate_multivector_retrieval(
            dataset, muvera=fde, candidates=candidates, seed=seed, run_out=run_out, **common
        )
        label = f"MUVERA {muvera}, {candidates} candidates" if muvera else "MaxSim"
        name = retrieval_dataset_path(dataset).name
        _print_scores(res, as_json, f"Retrieval: {encoder} tokens on {name} ({split}, {label})")
        return
    res = evaluate_dense_retrieval(
        dataset, compression=compression, rescore=rescore, run_out=run_out, **common
    )
    label = compression or "float32"
    if rescore:
        label += f", rescore {rescore}"
    name = retrieval_dataset_path(dataset).name
    _print_scores(res, as_json, f"Retrieval: {encoder} on {name} ({split}, {label})")


def _parse_muvera(spec: str) -> tuple[int, int, int]:
    try:
        r, k, dp = (int(v) for v in spec.split(","))
    except ValueError:
        raise typer.BadParameter(
            f"expected R,k_sim,d_proj such as 20,5,16; got {spec!r}.", param_hint="--muvera"
        ) from None
    return r, k, dp


@muvera_app.command("encode")
@_guard
def muvera_encode(
    multivectors: Annotated[
        Path, typer.Argument(help="MultiVector .npz (text encode --tokens).", show_default=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Embedding file.")],
    kind: Annotated[str, typer.Option("--kind", help="documents or queries.")] = "documents",
    muvera: Annotated[str, typer.Option("--muvera", help="R,k_sim,d_proj.")] = "20,5,16",
    projection: Annotated[
        str, typer.Option("--projection", help="ams, dense or identity.")
    ] = "ams",
    final_dim: Annotated[
        int | None, typer.Option("--final-dim", min=1, help="Count-Sketch to this size.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed for queries and docs.")] = 0,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the output.")] = False,
) -> None:
    """Fixed-dimensional encodings (MUVERA) of multi-vector sets, to an embedding file.

    Encode documents and queries with the same --muvera, --projection, --final-dim and --seed.

    Example: embedlab muvera encode docs.npz -o docs_fde.parquet --kind documents
    """
    from embedlab.io import EmbeddingSet, MultiVector
    from embedlab.retrieval.muvera import MuveraFDE
    from embedlab.utils.fileio import check_output_path

    if kind not in ("documents", "queries"):
        raise typer.BadParameter(
            f"must be documents or queries; got {kind!r}.", param_hint="--kind"
        )
    r, k, dp = _parse_muvera(muvera)
    check_output_path(output, overwrite=overwrite)
    mv = MultiVector.load(multivectors)
    fde = MuveraFDE(
        num_repetitions=r,
        num_simhash=k,
        projection=projection,
        projection_dim=dp,
        final_projection="countsketch" if final_dim else None,
        final_dim=final_dim,
        random_state=seed,
    ).fit(mv.dim)
    codes = fde.transform_documents(mv) if kind == "documents" else fde.transform_queries(mv)
    import numpy as np

    ids = mv.ids if mv.ids is not None else np.arange(len(mv), dtype=np.int64)
    params = {"muvera": [r, k, dp], "projection": projection, "final_dim": final_dim, "kind": kind}
    EmbeddingSet(
        ids=ids, vectors=codes, metadata={"method": "muvera", "parameters": params, "seed": seed}
    ).save(output, overwrite=overwrite)
    typer.echo(f"{len(mv):,} {kind} encoded to {codes.shape[1]:,} dimensions in {output}", err=True)
