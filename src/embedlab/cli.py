"""The ``embedlab`` command line.

``embedlab <group> <command>``; every ``embed`` command is generated from its estimator's
constructor (PyKEEN's ``models/cli/builders.py`` idea), so a new registered embedder gets a CLI
without new code, and option names are the constructor's parameter names.

Errors: one line on stderr, exit 1 for data or runtime errors, 2 for usage errors; no traceback
(set ``EMBEDLAB_DEBUG=1`` to see one). Outputs are written atomically and never replace an existing
file without ``--overwrite``.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from embedlab._version import __version__
from embedlab.exceptions import EmbedlabError, InvalidInputError

__all__ = ["app", "main"]

logger = logging.getLogger("embedlab.cli")

_UsageError: type[Exception] = type(typer.BadParameter("")).__mro__[1]  # click's UsageError

app = typer.Typer(
    name="embedlab",
    help="Learn, compress, search and evaluate embeddings.\n\n"
    "Example: embedlab embed fastrp blogcatalog -o blog.parquet --n-components 512",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
embed_app = typer.Typer(help="Learn embeddings.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate embeddings.", no_args_is_help=True)
datasets_app = typer.Typer(
    help="Data sets: bundled and under $EMBEDLAB_DATA.", no_args_is_help=True
)
app.add_typer(embed_app, name="embed")
app.add_typer(eval_app, name="eval")
app.add_typer(datasets_app, name="datasets")


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every error into one line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit, _UsageError):
            raise
        except EmbedlabError as exc:
            _fail(str(exc))
        except MemoryError:
            _fail("out of memory; try a smaller --n-components or a smaller graph.")
        except KeyboardInterrupt:
            _fail("interrupted.", 130)
        except Exception as exc:
            if os.environ.get("EMBEDLAB_DEBUG"):
                raise
            _fail(f"{type(exc).__name__}: {exc} (set EMBEDLAB_DEBUG=1 for a traceback)")

    return wrapper


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"embedlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    """Learn, compress, search and evaluate embeddings."""
    from embedlab.utils.progress import set_quiet

    set_quiet(True if quiet else None)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


# --------------------------------------------------------------------------------- inputs
def _resolve_edges(edges: str) -> tuple[Path, str]:
    """An edge-list path, or a dataset name -> (path, description)."""
    p = Path(edges)
    if p.is_file():
        return p, str(p)
    from embedlab.datasets import graph_dataset

    if p.suffix in {".txt", ".gz", ".tsv", ".csv", ".parquet", ".edges"} or os.sep in edges:
        raise InvalidInputError(f"The edge list {edges!r} does not exist.")
    ds = graph_dataset(edges)
    return ds.edges, f"dataset:{ds.name}"


def _parse_floats(text: str, name: str) -> list[float]:
    try:
        values = [float(t) for t in text.replace(" ", "").split(",") if t != ""]
    except ValueError:
        raise typer.BadParameter(
            f"expected comma-separated numbers such as 0,0,1,6.67; got {text!r}.", param_hint=name
        ) from None
    if not values:
        raise typer.BadParameter("expected at least one number.", param_hint=name)
    return values


# --------------------------------------------------------------------------------- embed
_CLI_NAMES = {"random_state": "seed", "n_jobs": "threads"}
_SKIP = {"property_ratio"}  # exposed together with --features


def _option_for(
    param: inspect.Parameter, doc: dict[str, str]
) -> tuple[Any, Any, Callable[[Any], Any]]:
    """(annotation, default, converter) of a CLI option for a constructor parameter."""
    name = param.name
    cli = "--" + _CLI_NAMES.get(name, name).replace("_", "-")
    help_text = doc.get(name, "")
    default = param.default
    if name == "random_state":
        return (Annotated[int, typer.Option(cli, help="Random seed.", min=0)], 0, lambda v: v)
    if name == "n_jobs":
        return (
            Annotated[int | None, typer.Option(cli, help="Threads (default: all cores).", min=1)],
            None,
            lambda v: v,
        )
    if isinstance(default, bool):
        flag = f"{cli}/--no-{cli[2:]}"
        return Annotated[bool, typer.Option(flag, help=help_text)], default, lambda v: v
    if isinstance(default, int):
        return Annotated[int, typer.Option(cli, help=help_text)], default, lambda v: v
    if isinstance(default, float):
        return Annotated[float, typer.Option(cli, help=help_text)], default, lambda v: v
    if isinstance(default, tuple | list):
        shown = ",".join(f"{v:g}" for v in default)
        return (
            Annotated[str, typer.Option(cli, help=help_text + " (comma-separated)")],
            shown,
            lambda v, _n=cli: _parse_floats(v, _n),
        )
    if default is None:  # "auto" on the command line; numbers as int when they are integers

        def conv_auto(v: str) -> Any:
            if v == "auto":
                return None
            for kind in (int, float):
                try:
                    return kind(v)
                except ValueError:
                    pass
            return v

        return Annotated[str, typer.Option(cli, help=help_text)], "auto", conv_auto
    if isinstance(default, str):

        def conv(v: str) -> Any:
            try:
                return float(v)
            except ValueError:
                return v

        return Annotated[str, typer.Option(cli, help=help_text)], default, conv
    raise TypeError(f"no CLI mapping for parameter {name!r}")


def _param_docs(cls: type) -> dict[str, str]:
    """First sentence of each parameter's numpydoc description, as plain text."""
    import re

    doc = inspect.getdoc(cls) or ""
    out: dict[str, str] = {}
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        head = line.split(" : ")[0].strip()
        if " : " not in line or not head.isidentifier() or line.startswith(" "):
            continue
        body = []
        for nxt in lines[i + 1 :]:
            if not nxt.startswith("    "):
                break
            body.append(nxt.strip())
        text = " ".join(body)
        text = re.sub(r":math:`([^`]*)`", r"\1", text).replace("``", "").replace("\\", "")
        out[head] = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0].rstrip(".;")
    return out


def _register_embed_command(name: str, cls: type) -> None:
    sig = inspect.signature(cls)
    docs = _param_docs(cls)
    converters: dict[str, Callable[[Any], Any]] = {}
    params = [
        inspect.Parameter(
            "edges",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[
                str,
                typer.Argument(
                    help="Edge-list file (src dst [weight]; .gz ok) or a dataset name.",
                    show_default=False,
                ),
            ],
        ),
        inspect.Parameter(
            "output",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                Path,
                typer.Option(
                    "--output",
                    "-o",
                    help="Output file: .parquet, .npy or word2vec .txt.",
                    show_default=False,
                ),
            ],
        ),
    ]
    for p in sig.parameters.values():
        if p.name in _SKIP:
            continue
        ann, default, conv = _option_for(p, docs)
        converters[p.name] = conv
        params.append(
            inspect.Parameter(
                p.name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=default
            )
        )
    if "property_ratio" in sig.parameters:
        params.append(
            inspect.Parameter(
                "features",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    Path | None,
                    typer.Option(
                        "--features",
                        help="Node features: an id + vector file (.parquet/.npy/.txt).",
                    ),
                ],
            )
        )
        params.append(
            inspect.Parameter(
                "property_ratio",
                inspect.Parameter.KEYWORD_ONLY,
                default=0.0,
                annotation=Annotated[
                    float,
                    typer.Option(
                        "--property-ratio", help="Share of dimensions taken from --features."
                    ),
                ],
            )
        )
        converters["property_ratio"] = lambda v: v
    for pname, ann, default, text in (
        ("directed", bool, False, "Treat edges as directed."),
        ("weighted", bool, False, "Use the third column as edge weights."),
        ("overwrite", bool, False, "Replace an existing output file."),
        ("quiet", bool, False, "No progress bars."),
    ):
        params.append(
            inspect.Parameter(
                pname,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=Annotated[
                    ann,
                    typer.Option(f"--{pname}", *(["-q"] if pname == "quiet" else []), help=text),
                ],
            )
        )

    @_guard
    def command(**kwargs: Any) -> None:
        _run_embed(name, cls, converters, kwargs)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = name.replace("-", "_")
    summary = (inspect.getdoc(cls) or name).splitlines()[0]
    command.__doc__ = (
        f"{summary}\n\nExample: embedlab embed {name} blogcatalog -o emb.parquet --seed 0"
    )
    embed_app.command(name)(command)


def _run_embed(
    name: str, cls: type, converters: dict[str, Callable[[Any], Any]], kwargs: dict[str, Any]
) -> None:
    from embedlab.graph import Graph
    from embedlab.io import EmbeddingSet
    from embedlab.utils.fileio import check_output_path

    if kwargs.pop("quiet"):
        from embedlab.utils.progress import set_quiet

        set_quiet(True)
    output: Path = kwargs.pop("output")
    overwrite = kwargs.pop("overwrite")
    check_output_path(output, overwrite=overwrite)
    path, source = _resolve_edges(kwargs.pop("edges"))
    directed, weighted = kwargs.pop("directed"), kwargs.pop("weighted")
    features_path = kwargs.pop("features", None)
    params = {k: converters[k](v) for k, v in kwargs.items()}
    est = cls(**params)
    est._validate_params()
    graph = Graph.from_edgelist(path, directed=directed, weighted=bool(weighted))
    fit_kwargs: dict[str, Any] = {}
    if features_path is not None:
        feats = EmbeddingSet.load(features_path)
        fit_kwargs["features"] = feats.vectors[feats.positions(graph.node_ids)]
    est.fit(graph, **fit_kwargs)
    es = est.to_embedding_set(
        source=source,
        graph={
            "n_nodes": graph.n_nodes,
            "n_edges": graph.n_edges,
            "directed": graph.directed,
            "weighted": graph.weighted,
        },
    )
    es.save(output, overwrite=overwrite)
    typer.echo(f"wrote {len(es)} x {es.dim} {name} embeddings of {source} to {output}", err=True)


def _register_all_embedders() -> None:
    from embedlab.registry import EMBEDDERS

    for name in EMBEDDERS.names():
        _register_embed_command(name, EMBEDDERS.get(name))


_register_all_embedders()


# --------------------------------------------------------------------------------- eval
@eval_app.command("node-classification")
@_guard
def eval_node_classification(
    embeddings: Annotated[
        Path, typer.Argument(help="Embedding file (.parquet/.npy/.txt).", show_default=False)
    ],
    labels: Annotated[
        str,
        typer.Option(
            "--labels", help="Labels file (node label) or dataset name.", show_default=False
        ),
    ],
    train_ratios: Annotated[
        str, typer.Option("--train-ratios", help="Training fractions.")
    ] = "0.1,0.5,0.9",
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Seeded splits per ratio.")] = 5,
    c: Annotated[float, typer.Option("--c", help="Inverse L2 regularisation C.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the splits.")] = 0,
    penalize_intercept: Annotated[
        bool,
        typer.Option(
            "--penalize-intercept/--free-intercept",
            help="Regularise the intercept as liblinear (the DeepWalk protocol behind the "
            "published figures) or leave it free as scikit-learn's lbfgs.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """One-vs-rest logistic regression, DeepWalk protocol (top-k labels), Micro/Macro-F1.

    Example: embedlab eval node-classification blog.parquet --labels blogcatalog --c 0.1
    """
    import numpy as np

    from embedlab.datasets import load_labels
    from embedlab.eval import NodeClassification
    from embedlab.io import EmbeddingSet

    ratios = _parse_floats(train_ratios, "--train-ratios")
    if c <= 0:
        raise typer.BadParameter(f"must be positive; got {c}.", param_hint="--c")
    es = EmbeddingSet.load(embeddings)
    lab = load_labels(labels)
    ev = NodeClassification(
        lab,
        train_ratios=ratios,
        repeats=repeats,
        C=c,
        random_state=seed,
        penalize_intercept=penalize_intercept,
    )
    per_repeat = ev.evaluate(es)
    means = {k: float(np.mean(v)) for k, v in per_repeat.items()}
    if as_json:
        typer.echo(json.dumps(means))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"Node classification: {embeddings.name} ({len(es)} nodes, d={es.dim}), "
        f"C={c:g}, {repeats} repeats"
    )
    table.add_column("train ratio", justify="right")
    table.add_column("Micro-F1", justify="right")
    table.add_column("Macro-F1", justify="right")
    for r in ratios:
        key = f"{r:g}"
        mi, ma = per_repeat[f"micro_f1@{key}"], per_repeat[f"macro_f1@{key}"]
        table.add_row(
            key, f"{np.mean(mi):.4f} ± {np.std(mi):.4f}", f"{np.mean(ma):.4f} ± {np.std(ma):.4f}"
        )
    Console().print(table)


def _parse_method_options(cls: type, args: list[str]) -> dict[str, Any]:
    """``--name value`` / ``--flag`` / ``--no-flag`` pairs for ``cls``'s constructor parameters."""
    sig = inspect.signature(cls)
    by_flag = {
        "--" + p.name.replace("_", "-"): p
        for p in sig.parameters.values()
        if p.name not in ("random_state", "n_jobs")
    }
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        flag, _, inline = arg.partition("=")
        negated = flag.startswith("--no-") and "--" + flag[5:] in by_flag
        param = by_flag.get("--" + flag[5:] if negated else flag)
        if param is None:
            valid = ", ".join(sorted(by_flag))
            raise typer.BadParameter(
                f"unknown option {arg!r} for this method; valid: {valid}.",
                param_hint="method options",
            )
        default = param.default
        if isinstance(default, bool):
            out[param.name] = not negated
            i += 1
            continue
        if inline:
            value = inline
        else:
            if i + 1 >= len(args):
                raise typer.BadParameter(f"{flag} needs a value.", param_hint="method options")
            value = args[i + 1]
            i += 1
        i += 1
        try:
            if isinstance(default, int):
                out[param.name] = int(value)
            elif isinstance(default, float):
                out[param.name] = float(value)
            elif isinstance(default, tuple | list):
                out[param.name] = _parse_floats(value, flag)
            else:
                try:
                    out[param.name] = float(value)
                except ValueError:
                    out[param.name] = value
        except ValueError:
            raise typer.BadParameter(
                f"{flag} got {value!r}, not a number.", param_hint="method options"
            ) from None
    return out


@eval_app.command(
    "link-prediction",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
@_guard
def eval_link_prediction(
    ctx: typer.Context,
    edges: Annotated[str, typer.Argument(help="Edge list or dataset name.", show_default=False)],
    method: Annotated[
        str, typer.Option("--method", help="Registered embedder, e.g. fastrp.", show_default=False)
    ],
    test_fraction: Annotated[
        float, typer.Option("--test-fraction", help="Share of edges held out.")
    ] = 0.3,
    operators: Annotated[
        str, typer.Option("--operators", help="Any of dot,cosine,hadamard,average,l1,l2.")
    ] = "hadamard",
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the split and of the method.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Hold out edges (connected residual), re-fit the method, score held-out pairs.

    Method options follow --method, named as its constructor parameters.

    Example: embedlab eval link-prediction ca-astroph --method fastrp --n-components 128
    --test-fraction 0.5 --operators hadamard,dot --json
    """
    from embedlab.eval import LinkPrediction
    from embedlab.graph import Graph
    from embedlab.registry import EMBEDDERS

    cls = EMBEDDERS.get(method)
    params = _parse_method_options(cls, list(ctx.args))
    est = cls(**params, random_state=seed)
    est._validate_params()
    graph = Graph.from_edgelist(_resolve_edges(edges)[0])
    ops = [o.strip() for o in operators.split(",") if o.strip()]
    res = LinkPrediction(graph, test_fraction=test_fraction, operators=ops, random_state=seed)(est)
    _print_scores(res, as_json, f"Link prediction: {method} on {edges}")


@eval_app.command("reconstruction")
@_guard
def eval_reconstruction(
    embeddings: Annotated[Path, typer.Argument(help="Embedding file.", show_default=False)],
    edges: Annotated[str, typer.Argument(help="Edge list or dataset name.", show_default=False)],
    hops: Annotated[str, typer.Option("--hops", help="Hop distances.")] = "1,2,3",
    sample: Annotated[int, typer.Option("--sample", min=1, help="Nodes evaluated.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the node sample.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """RESTORE reconstruction: map@h of the h-hop neighbourhoods, precision@10 (1 hop).

    Example: embedlab eval reconstruction cora.parquet cora --json
    """
    from embedlab.eval import Reconstruction
    from embedlab.graph import Graph
    from embedlab.io import EmbeddingSet

    try:
        hop_list = [int(h) for h in hops.split(",") if h.strip()]
    except ValueError:
        raise typer.BadParameter(
            f"expected integers such as 1,2,3; got {hops!r}.", param_hint="--hops"
        ) from None
    es = EmbeddingSet.load(embeddings)
    graph = Graph.from_edgelist(_resolve_edges(edges)[0])
    res = Reconstruction(graph, hops=hop_list, sample=sample, random_state=seed)(es)
    _print_scores(res, as_json, f"Reconstruction: {embeddings.name} on {edges}")


@eval_app.command("clustering")
@_guard
def eval_clustering(
    embeddings: Annotated[Path, typer.Argument(help="Embedding file.", show_default=False)],
    labels: Annotated[
        str, typer.Option("--labels", help="Labels file or dataset name.", show_default=False)
    ],
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of k-means.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """k-means on the embeddings against single-label ground truth: NMI and ARI.

    Example: embedlab eval clustering cora.parquet --labels cora --json
    """
    from embedlab.datasets import load_labels
    from embedlab.eval import Clustering
    from embedlab.io import EmbeddingSet

    res = Clustering(load_labels(labels), random_state=seed)(EmbeddingSet.load(embeddings))
    _print_scores(res, as_json, f"Clustering: {embeddings.name}")


def _print_scores(res: dict[str, float], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(res))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in res.items():
        table.add_row(k, f"{v:.4f}")
    Console().print(table)


# --------------------------------------------------------------------------------- bench
bench_app = typer.Typer(help="Paper-style comparison tables.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
graph_app = typer.Typer(help="Graph statistics: graphlet orbits.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")


@graph_app.command("orbits")
@_guard
def graph_orbits(
    edges: Annotated[str, typer.Argument(help="Edge list or dataset name.", show_default=False)],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Output folder (created).", show_default=False),
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
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace files.")] = False,
) -> None:
    """Count the 28 graphlet orbit adjacencies (GRADCO) of a graph.

    Writes one scipy .npz per matrix (A_h{hop}_o{o1}_o{o2}.npz), node_ids.npy (row order) and
    manifest.json (file, hop, orbits, nnz, sum per matrix).

    Example: embedlab graph orbits cora -o cora-orbits --max-hop 2
    """
    import json

    import numpy as np
    import scipy.sparse as sp

    from embedlab.graph import Graph
    from embedlab.graph.orbits import orbit_adjacency

    if dtype not in ("int64", "float32"):
        raise typer.BadParameter(f"must be int64 or float32; got {dtype!r}.", param_hint="--dtype")
    if output.exists() and not output.is_dir():
        raise InvalidInputError(f"{output} exists and is not a folder.")
    manifest_path = output / "manifest.json"
    if manifest_path.exists() and not overwrite:
        raise InvalidInputError(f"{output} already holds orbit matrices; pass --overwrite.")
    path, source = _resolve_edges(edges)
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
    output.mkdir(parents=True, exist_ok=True)
    entries = []
    for (hop, o1, o2), m in mats.items():
        name = f"A_h{hop}_o{o1}_o{o2}.npz"
        sp.save_npz(output / name, sp.csr_matrix(m))
        entries.append(
            {"file": name, "hop": hop, "orbits": [o1, o2], "nnz": int(m.nnz), "sum": m.sum().item()}
        )
    np.save(output / "node_ids.npy", graph.node_ids)
    manifest = {
        "source": source,
        "n_nodes": graph.n_nodes,
        "max_hop": max_hop,
        "top_k": top_k,
        "threshold": threshold,
        "matrices": entries,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    typer.echo(f"{len(entries)} orbit adjacencies of {graph.n_nodes} nodes written to {output}")


@bench_app.command("graph")
@_guard
def bench_graph(
    datasets: Annotated[
        str, typer.Option("--datasets", help="Data set names.")
    ] = "blogcatalog,cora",
    methods: Annotated[str, typer.Option("--methods", help="Methods (random = baseline).")] = (
        "fastrp,deepwalk,node2vec,line,random"
    ),
    tasks: Annotated[str, typer.Option("--tasks", help="Tasks.")] = (
        "node-classification,link-prediction,reconstruction"
    ),
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Runs per cell.")] = 3,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Save JSON here.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --output.")] = False,
) -> None:
    """Every method on every data set and task; markdown table (mean ± std over seeds).

    Example: embedlab bench graph --datasets cora --methods fastrp,random --seeds 2 -o cora.json
    """
    from embedlab.bench.graph import format_markdown, run_graph_bench
    from embedlab.utils.fileio import atomic_path, check_output_path

    split = lambda text: [t.strip() for t in text.split(",") if t.strip()]  # noqa: E731
    if output is not None:
        check_output_path(output, overwrite=overwrite)
    result = run_graph_bench(split(datasets), split(methods), split(tasks), seeds=seeds)
    typer.echo(format_markdown(result))
    if output is not None:
        with atomic_path(output, overwrite=overwrite) as tmp:
            tmp.write_text(json.dumps(result, indent=2) + "\n")


# --------------------------------------------------------------------------------- datasets
@datasets_app.command("list")
@_guard
def datasets_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the data sets available here and where they are.

    Example: EMBEDLAB_DATA=../shared/datasets embedlab datasets list
    """
    from embedlab.datasets import (
        data_home,
        list_graph_datasets,
        list_recsys_datasets,
        list_retrieval_datasets,
    )

    rows = [
        {
            "name": d.name,
            "kind": "graph",
            "source": d.source,
            "edges": str(d.edges),
            "labels": str(d.labels) if d.labels else None,
        }
        for d in list_graph_datasets()
    ]
    home = data_home()
    for kind, names in (
        ("retrieval", list_retrieval_datasets()),
        ("recsys", list_recsys_datasets()),
    ):
        for name in names:
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "source": "EMBEDLAB_DATA",
                    "edges": str(home / kind / name) if home else "",
                    "labels": None,
                }
            )
    if as_json:
        typer.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Data sets (EMBEDLAB_DATA={home if home else 'unset'})")
    for col in ("name", "kind", "source", "labels", "files"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["kind"], r["source"], "yes" if r["labels"] else "no", r["edges"])
    Console().print(table)


# --------------------------------------------------------------------------------- demo
@app.command("demo")
@_guard
def demo(
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
) -> None:
    """Embed bundled and synthetic graphs with FastRP and score them against baselines.

    Example: embedlab demo
    """
    from embedlab._demo import run_demo

    run_demo(seed=seed)


from embedlab import _cli_reproduce, _cli_retrieval, _cli_tables  # noqa: E402, F401  (register commands)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``embedlab`` script."""
    app(args=list(argv) if argv is not None else None, prog_name="embedlab")
