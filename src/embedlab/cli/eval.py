"""``embedlab eval``: evaluate embeddings.

Node classification, link prediction, reconstruction, clustering, retrieval and knowledge-graph
link prediction (``eval kg``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli._common import (
    constructor_options,
    group,
    guard,
    parse_floats,
    parse_method_options,
    print_scores,
    resolve_edges,
    usage_errors,
)
from embedlab.cli.kg import eval_kg
from embedlab.cli.retrieval import eval_app as _retrieval_commands

__all__ = ["app"]

app = group("Evaluate embeddings.")
app.registered_commands.extend(_retrieval_commands.registered_commands)
app.command("kg")(eval_kg)


@app.command("node-classification")
@guard
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

    ratios = parse_floats(train_ratios, "--train-ratios")
    if c <= 0:
        raise typer.BadParameter(f"must be positive; got {c}.", param_hint="--c")
    lab = load_labels(labels)
    ev = NodeClassification(
        lab,
        train_ratios=ratios,
        repeats=repeats,
        C=c,
        random_state=seed,
        penalize_intercept=penalize_intercept,
    )
    with usage_errors():  # every option checked before the embeddings are read
        primary = ev.primary_metric
    es = EmbeddingSet.load(embeddings)
    per_repeat = ev.evaluate(es)
    means = {k: float(np.mean(v)) for k, v in per_repeat.items()}
    if as_json:
        typer.echo(json.dumps(means))
        return
    from rich.console import Console
    from rich.table import Table

    spread = f"mean ± std of {repeats} splits" if repeats > 1 else "1 split"
    table = Table(
        title=f"Node classification: {embeddings.name}\n{len(es)} nodes, d={es.dim}, C={c:g}, "
        f"{spread}",
        title_justify="left",
        caption=f"primary metric: {primary}",
        caption_justify="left",
    )
    table.add_column("train ratio", justify="right")
    table.add_column("Micro-F1", justify="right")
    table.add_column("Macro-F1", justify="right")
    for r in ratios:
        key = f"{r:g}"
        mi, ma = per_repeat[f"micro_f1@{key}"], per_repeat[f"macro_f1@{key}"]
        if repeats > 1:
            table.add_row(
                key,
                f"{np.mean(mi):.4f} ± {np.std(mi):.4f}",
                f"{np.mean(ma):.4f} ± {np.std(ma):.4f}",
            )
        else:
            table.add_row(key, f"{np.mean(mi):.4f}", f"{np.mean(ma):.4f}")
    Console().print(table)


@app.command(
    "link-prediction",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
@guard
def eval_link_prediction(
    ctx: typer.Context,
    edges: Annotated[
        str, typer.Argument(help="Edge list or dataset name.", metavar="EDGES", show_default=False)
    ],
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
    params = parse_method_options(constructor_options(cls), list(ctx.args))
    est = cls(**params, random_state=seed)
    with usage_errors():
        est._validate_params()
    graph = Graph.from_edgelist(resolve_edges(edges)[0])
    ops = [o.strip() for o in operators.split(",") if o.strip()]
    ev = LinkPrediction(graph, test_fraction=test_fraction, operators=ops, random_state=seed)
    with usage_errors():
        primary = ev.primary_metric
    res = ev(est)
    print_scores(res, as_json, f"Link prediction: {method} on {edges}", primary=primary)


@app.command("reconstruction")
@guard
def eval_reconstruction(
    embeddings: Annotated[Path, typer.Argument(help="Embedding file.", show_default=False)],
    edges: Annotated[
        str, typer.Argument(help="Edge list or dataset name.", metavar="EDGES", show_default=False)
    ],
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
    graph = Graph.from_edgelist(resolve_edges(edges)[0])
    ev = Reconstruction(graph, hops=hop_list, sample=sample, random_state=seed)
    res = ev(es)
    print_scores(
        res, as_json, f"Reconstruction: {embeddings.name} on {edges}", primary=ev.primary_metric
    )


@app.command("clustering")
@guard
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

    ev = Clustering(load_labels(labels), random_state=seed)
    res = ev(EmbeddingSet.load(embeddings))
    print_scores(res, as_json, f"Clustering: {embeddings.name}", primary=ev.primary_metric)
