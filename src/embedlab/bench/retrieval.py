"""Dense retrieval on a BEIR data set: encode, index with a compression spec, rescore, score.

The experiment behind ``embedlab eval retrieval`` (one configuration) and ``embedlab bench
retrieval`` (:class:`RetrievalBench`, a table of configurations). Documents are
``title + " " + text`` (sentence-transformers' BEIR convention), similarity is cosine, and the
scores are pytrec_eval's nDCG@k, Recall@k, MRR@k and MAP@k
(:class:`~embedlab.eval.retrieval.RetrievalEvaluation`).

* :func:`evaluate_dense_retrieval`: one sentence vector per text, searched through an index
  built from a spec of :mod:`embedlab.retrieval.spec` (``None`` = exact float32, ``"SQ8"``,
  ``"BFlat"``, ``"PQ32"``, ``"MRL128"``, ``"MRL256,SQ8"`` ...), optionally re-ranked by exact
  float32 scores of the top ``rescore`` candidates;
* :func:`evaluate_multivector_retrieval`: every token vector and exact MaxSim (Chamfer), or
  MUVERA encodings searched for ``candidates`` documents, then re-ranked by MaxSim.

Cost: encoding dominates (cached under ``cache_dir``); the exact search is one
``[n_queries, n_docs]`` pass of blocked matrix products.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.bench._base import BenchTask
from embedlab.exceptions import InvalidInputError

__all__ = [
    "RetrievalBench",
    "evaluate_dense_retrieval",
    "evaluate_multivector_retrieval",
    "write_trec_run",
]

#: the cut-offs every result reports
K_VALUES = (10, 100)


def _encoder(encoder: str, max_seq_length: int, batch_size: int, cache_dir: Any) -> Any:
    from embedlab.text import SentenceEncoder

    return SentenceEncoder(
        encoder, batch_size=batch_size, max_seq_length=max_seq_length, cache_dir=cache_dir
    )


def write_trec_run(
    run: dict[Any, list[Any]], path: str | Path, *, tag: str = "embedlab", overwrite: bool = False
) -> Path:
    """Write a ranked run in the TREC format trec_eval reads.

    One line per retrieved document, ``qid Q0 docid rank score tag``, best first; the score is
    ``k - rank + 1`` (strictly decreasing, so trec_eval's sort by score keeps our order).

    Parameters
    ----------
    run : dict of query id to list of document ids
        Each query's documents, best first.
    path : path-like
        The output file (written atomically).
    tag : str, default="embedlab"
        The run's name (no whitespace).
    overwrite : bool, default=False
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_trec_run({"q1": ["d3", "d1"]}, pathlib.Path(tempfile.mkdtemp()) / "r.trec")
    >>> print(out.read_text(), end="")
    q1 Q0 d3 1 2 embedlab
    q1 Q0 d1 2 1 embedlab
    """
    from embedlab.utils.fileio import atomic_path

    if not tag or any(c.isspace() for c in tag):
        raise InvalidInputError(f"A TREC run tag has no whitespace; got {tag!r}.")
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        for qid, docs in run.items():
            n = len(docs)
            for rank, doc in enumerate(docs, start=1):
                fh.write(f"{qid} Q0 {doc} {rank} {n - rank + 1} {tag}\n")
    return Path(path)


def evaluate_dense_retrieval(
    dataset: str | Path,
    *,
    encoder: str = "minilm",
    split: str = "test",
    compression: str | None = None,
    rescore: int | None = None,
    max_seq_length: int = 256,
    batch_size: int = 64,
    cache_dir: str | Path | None = None,
    k: int = 100,
    run_out: str | Path | None = None,
) -> dict[str, float]:
    """Dense retrieval on a BEIR data set, one configuration.

    Parameters
    ----------
    dataset : str or Path
        A BEIR data set name under ``$EMBEDLAB_DATA/retrieval`` or a BEIR-layout folder.
    encoder : str, default="minilm"
        A packaged model or a sentence-transformers folder.
    split : str, default="test"
        The qrels split.
    compression : str or None, default=None
        An index spec (:mod:`embedlab.retrieval.spec`); ``None`` is exact float32. Parsed
        before anything is read, built once for the encoder's dimension before anything is
        encoded (FAISS refuses what it cannot build only then).
    rescore : int or None, default=None
        Re-rank this many candidates by exact float32 scores.
    max_seq_length : int, default=256
        Tokens kept per text.
    batch_size : int, default=64
        Texts per encoder batch.
    cache_dir : path or None, default=None
        Cache of the encodings (``None``: no cache).
    k : int, default=100
        Documents retrieved per query.
    run_out : path or None, default=None
        Also write the run in TREC format (:func:`write_trec_run`); the file must not exist.

    Returns
    -------
    dict of str to float
        ``ndcg@10``, ``recall@10``, ``mrr@10``, ``map@10`` and the same at 100.

    Examples
    --------
    >>> evaluate_dense_retrieval("scifact", compression="BFlat", rescore=40)  # doctest: +SKIP
    {'ndcg@10': 0.62..., ...}
    """
    _, ((res, run),) = _dense_runs(
        dataset,
        [(compression, rescore)],
        encoder=encoder,
        split=split,
        max_seq_length=max_seq_length,
        batch_size=batch_size,
        cache_dir=cache_dir,
        k=k,
    )
    if run_out is not None:
        write_trec_run(run, run_out, tag=f"embedlab-{compression or 'Flat'}")
    return res


def _dense_runs(
    dataset: str | Path,
    configs: Sequence[tuple[str | None, int | None]],
    *,
    encoder: str,
    split: str,
    max_seq_length: int,
    batch_size: int,
    cache_dir: str | Path | None,
    k: int,
) -> tuple[int, list[tuple[dict[str, float], dict[Any, list[Any]]]]]:
    """Return the vector dimension and (metrics, run) of every (compression, rescore) config.

    Every spec is checked before anything is read or encoded; the data set is read and
    encoded once for all configs.
    """
    from embedlab.datasets import load_beir
    from embedlab.eval.retrieval import RetrievalEvaluation, dense_retrieval_run
    from embedlab.retrieval.spec import make_index, parse_spec

    for compression, _ in configs:
        if compression is not None:
            parse_spec(compression)  # a malformed spec, before anything is read
    ds = load_beir(dataset, split=split)
    enc = _encoder(encoder, max_seq_length, batch_size, cache_dir)
    for compression, _ in configs:
        if compression is not None:
            make_index(compression, enc.dim)  # what FAISS refuses, before anything is encoded
    docs = enc.encode(ds.documents())
    queries = enc.encode(ds.queries)
    ev = RetrievalEvaluation(ds.qrels, k_values=K_VALUES)
    out = []
    for compression, rescore in configs:
        run = dense_retrieval_run(
            queries,
            docs,
            ds.corpus_ids,
            ds.query_ids,
            k=k,
            compression=compression,
            rescore=rescore,
        )
        out.append((ev(run), run))
    return docs.shape[1], out


def evaluate_multivector_retrieval(
    dataset: str | Path,
    *,
    encoder: str = "minilm",
    split: str = "test",
    muvera: tuple[int, int, int] | None = None,
    candidates: int = 100,
    seed: int = 0,
    max_seq_length: int = 256,
    batch_size: int = 64,
    cache_dir: str | Path | None = None,
    k: int = 100,
    run_out: str | Path | None = None,
) -> dict[str, float]:
    """Multi-vector retrieval on a BEIR data set: exact MaxSim, or MUVERA then MaxSim.

    Parameters
    ----------
    dataset : str or Path
        A BEIR data set name or folder.
    encoder : str, default="minilm"
        A packaged model or a sentence-transformers folder.
    split : str, default="test"
        The qrels split.
    muvera : (R, k_sim, d_proj) or None, default=None
        Search MUVERA fixed-dimensional encodings (repetitions, SimHash bits, projection size)
        for ``candidates`` documents and re-rank them by exact MaxSim; ``None``: brute-force
        MaxSim over every document.
    candidates : int, default=100
        FDE candidates re-ranked per query.
    seed : int, default=0
        Seed of the MUVERA matrices.
    max_seq_length : int, default=256
        Tokens kept per text.
    batch_size : int, default=64
        Texts per encoder batch.
    cache_dir : path or None, default=None
        Cache of the encodings.
    k : int, default=100
        Documents retrieved per query.
    run_out : path or None, default=None
        Also write the run in TREC format (:func:`write_trec_run`).

    Returns
    -------
    dict of str to float
        The metrics of :func:`evaluate_dense_retrieval`.
    """
    from embedlab.datasets import load_beir
    from embedlab.eval.retrieval import RetrievalEvaluation
    from embedlab.retrieval.muvera import MuveraFDE, MuveraRetriever, chamfer_search

    enc = _encoder(encoder, max_seq_length, batch_size, cache_dir)
    fde = None
    if muvera is not None:  # every parameter checked before the (long) token encoding
        r, k_sim, dp = muvera
        fde = MuveraFDE(num_repetitions=r, num_simhash=k_sim, projection_dim=dp, random_state=seed)
        fde.fit(enc.token_dim)
        if not isinstance(candidates, int) or candidates < 1:
            raise InvalidInputError(f"'candidates' must be an int >= 1; got {candidates!r}.")
    ds = load_beir(dataset, split=split)
    docs = enc.encode_tokens(ds.documents())
    queries = enc.encode_tokens(ds.queries)
    if fde is not None:
        _, pos = MuveraRetriever(fde, candidates=candidates).fit(docs).search(queries, k)
    else:
        _, pos = chamfer_search(queries, docs, k)
    ids = np.asarray(ds.corpus_ids, dtype=object)
    run = {q: list(ids[p[p >= 0]]) for q, p in zip(ds.query_ids, pos, strict=True)}
    if run_out is not None:
        write_trec_run(
            run, run_out, tag="embedlab-muvera" if fde is not None else "embedlab-maxsim"
        )
    return RetrievalEvaluation(ds.qrels, k_values=K_VALUES)(run)


class RetrievalBench(BenchTask):
    """Compression and rescoring on a BEIR data set, one row per configuration.

    ``run(dataset="scifact", configs=CONFIGS, **options)`` evaluates each ``(compression,
    rescore)`` pair with :func:`evaluate_dense_retrieval` (``options`` are its keywords) and
    adds the bytes per document vector; ``markdown`` renders the table.

    Examples
    --------
    >>> bench = RetrievalBench()
    >>> print(bench.markdown({"dataset": "tiny", "rows": {"float32": {
    ...     "ndcg@10": 0.5, "recall@100": 1.0, "bytes_per_vector": 1536}}}))
    | tiny | nDCG@10 | Recall@100 | bytes/vector |
    |---|---|---|---|
    | float32 | 0.500 | 1.000 | 1536 |
    """

    name = "retrieval"
    title = "Dense retrieval on BEIR: compression and float32 rescoring"
    #: the default configurations: (spec or None for float32, rescore depth or None)
    CONFIGS: ClassVar[tuple[tuple[str | None, int | None], ...]] = (
        (None, None),
        ("SQ8", None),
        ("BFlat", None),
        ("BFlat", 40),
        ("BFlat", 100),
        ("PQ32", None),
        ("PQ32", 40),
        ("MRL128", None),
        ("MRL256", None),
    )

    def run(
        self,
        *,
        dataset: str | Path = "scifact",
        configs: Sequence[tuple[str | None, int | None]] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """Evaluate every configuration; the data set is read and encoded once for all."""
        from embedlab.retrieval.spec import make_index

        configs = list(self.CONFIGS if configs is None else configs)
        for _, rescore in configs:
            if rescore is not None and (not isinstance(rescore, int) or rescore < 1):
                raise InvalidInputError(f"a rescore depth is an int >= 1; got {rescore!r}.")
        settings = {
            "encoder": "minilm",
            "split": "test",
            "max_seq_length": 256,
            "batch_size": 64,
            "cache_dir": None,
            "k": 100,
            **options,
        }
        dim, results = _dense_runs(dataset, configs, **settings)
        rows: dict[str, Any] = {}
        for (compression, rescore), (res, _) in zip(configs, results, strict=True):
            size = make_index(compression or "Flat", dim).code_size_bytes
            label = (compression or "float32") + (f" + rescore {rescore}" if rescore else "")
            rows[label] = {**res, "bytes_per_vector": size}
        return {"dataset": str(dataset), "rows": rows}

    def markdown(self, results: dict[str, Any]) -> str:
        """One line per configuration: nDCG@10, Recall@100 and bytes per vector."""
        lines = [
            f"| {results['dataset']} | nDCG@10 | Recall@100 | bytes/vector |",
            "|---|---|---|---|",
        ]
        for label, row in results["rows"].items():
            size = row.get("bytes_per_vector")
            lines.append(
                f"| {label} | {row['ndcg@10']:.3f} | {row['recall@100']:.3f} | "
                f"{'-' if size is None else size} |"
            )
        return "\n".join(lines)
