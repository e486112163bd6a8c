"""``embedlab embed kg`` and ``embedlab eval kg``: train a knowledge-graph model on triples.

Both commands share the training options; ``embed kg`` writes the entity (and optionally the
relation) rows as EmbeddingSets, ``eval kg`` prints the filtered test metrics at the best
validation epoch. Data sets by name from ``$EMBEDLAB_DATA/kg/<name>/`` or a folder / TSV path.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from embedlab.cli._common import guard, usage_errors

__all__ = ["embed_kg", "eval_kg"]

_KW = inspect.Parameter.KEYWORD_ONLY


def _opt(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, _KW, default=default, annotation=annotation)


_MODEL = inspect.Parameter(
    "model",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    annotation=Annotated[
        str,
        typer.Argument(
            help="A KG model: nfe-1, nfe-2, nfe-3, nfe-no-uncertainty, nfe-sigma, transe, "
            "distmult, complex, rotate, dihedron, dihedron-mv, quaternion, quaternion-mv.",
            metavar="MODEL",
            show_default=False,
        ),
    ],
)
_DATASET = inspect.Parameter(
    "dataset",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    annotation=Annotated[
        str,
        typer.Argument(
            help="A name under $EMBEDLAB_DATA/kg (nations, kinships, wn18rr, fb15k-237), a "
            "folder of train/valid/test triples or a TSV file.",
            metavar="DATASET",
            show_default=False,
        ),
    ],
)

#: the training options both commands take (names as KGEmbedding's parameters)
TRAINING_OPTIONS = [
    _opt(
        "dim",
        Annotated[int, typer.Option("--dim", min=1, help="d: the size of each part of a row.")],
        64,
    ),
    _opt("epochs", Annotated[int, typer.Option("--epochs", min=1, help="Epochs at most.")], 60),
    _opt(
        "protocol",
        Annotated[
            str | None,
            typer.Option("--protocol", help="1-n or negative-sampling (default: the model's)."),
        ],
        None,
    ),
    _opt(
        "loss",
        Annotated[
            str | None,
            typer.Option(
                "--loss", help="softplus, bce (1-n); margin, logistic, pooled (negative sampling)."
            ),
        ],
        None,
    ),
    _opt(
        "optimizer",
        Annotated[str | None, typer.Option("--optimizer", help="adam or adagrad.")],
        None,
    ),
    _opt("lr", Annotated[float | None, typer.Option("--lr", help="Learning rate.")], None),
    _opt("batch_size", Annotated[int | None, typer.Option("--batch-size", min=1)], None),
    _opt(
        "decay_rate",
        Annotated[float | None, typer.Option("--decay-rate", help="Learning-rate decay / epoch.")],
        None,
    ),
    _opt("negatives", Annotated[int | None, typer.Option("--negatives", min=1)], None),
    _opt("margin", Annotated[float | None, typer.Option("--margin")], None),
    _opt(
        "adversarial_temperature",
        Annotated[float | None, typer.Option("--adversarial-temperature")],
        None,
    ),
    _opt("weight_decay", Annotated[float | None, typer.Option("--weight-decay")], None),
    _opt("label_smoothing", Annotated[float | None, typer.Option("--label-smoothing")], None),
    _opt(
        "param",
        Annotated[
            list[str] | None,
            typer.Option("--param", help="A model parameter KEY=VALUE (repeatable): gamma=1.0."),
        ],
        None,
    ),
    _opt(
        "text_encoder",
        Annotated[
            str,
            typer.Option(
                "--text-encoder",
                help="Sentence view of the multi-view models: packaged (MiniLM) or none.",
            ),
        ],
        "packaged",
    ),
    _opt(
        "valid_interval",
        Annotated[int, typer.Option("--valid-interval", min=0, help="Validate every N epochs.")],
        1,
    ),
    _opt(
        "patience",
        Annotated[
            int | None, typer.Option("--patience", min=1, help="Stop after N worse validations.")
        ],
        None,
    ),
    _opt(
        "ties",
        Annotated[str, typer.Option("--ties", help="pessimistic, optimistic or realistic.")],
        "pessimistic",
    ),
    _opt(
        "time_limit",
        Annotated[float | None, typer.Option("--time-limit", help="Stop after N seconds.")],
        None,
    ),
    _opt("threads", Annotated[int | None, typer.Option("--threads", min=1)], None),
    _opt("seed", Annotated[int, typer.Option("--seed", min=0, help="Seed.")], 0),
]


def _number(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _model_params(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected KEY=VALUE; got {item!r}.", param_hint="--param")
        out[key.strip().replace("-", "_")] = _number(value.strip())
    return out


def _fit(kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """Load the data set, build and fit the estimator from the shared options."""
    from embedlab.datasets import load_kg
    from embedlab.kg.estimator import KGEmbedding
    from embedlab.registry import KG_MODELS

    model = kwargs.pop("model")
    if model not in KG_MODELS:
        raise typer.BadParameter(str(KG_MODELS.unknown(model)), param_hint="MODEL")
    encoder = kwargs.pop("text_encoder")
    if encoder not in ("packaged", "none"):
        raise typer.BadParameter(
            f"must be packaged or none; got {encoder!r}.", param_hint="--text-encoder"
        )
    inputs: dict[str, Any] = {}
    if encoder == "packaged" and KG_MODELS.path(model).endswith("MultiView"):
        from embedlab.text import SentenceEncoder

        inputs["encode"] = SentenceEncoder().encode
    triples = load_kg(kwargs.pop("dataset"))
    est = KGEmbedding(
        model=model,
        embedding_dim=kwargs.pop("dim"),
        model_params=_model_params(kwargs.pop("param")) or None,
        model_inputs=inputs or None,
        n_jobs=kwargs.pop("threads"),
        random_state=kwargs.pop("seed"),
        **kwargs,
    )
    with usage_errors():
        est.training_config()
    est.fit(triples)
    return est, triples


def _with_signature(func: Any, params: list[inspect.Parameter]) -> Any:
    func.__signature__ = inspect.Signature(params)
    return func


def _embed_kg(**kwargs: Any) -> None:
    """Train a knowledge-graph model and write its entity embeddings.

    Example: embedlab embed kg nfe-2 kinships --dim 64 --epochs 60 --seed 0 -o entities.parquet
    --relations-out relations.parquet
    """
    from embedlab.io import EmbeddingSet
    from embedlab.utils.fileio import check_output_path

    output: Path = kwargs.pop("output")
    relations_out: Path | None = kwargs.pop("relations_out")
    overwrite = kwargs.pop("overwrite")
    if relations_out is not None and relations_out.resolve() == output.resolve():
        raise typer.BadParameter(
            "must differ from --output (the entity embeddings).", param_hint="--relations-out"
        )
    for p in (output, relations_out):
        if p is not None:
            check_output_path(p, overwrite=overwrite)
            EmbeddingSet.check_path(p)
    est, triples = _fit(kwargs)
    es = est.to_embedding_set()
    es.save(output, overwrite=overwrite)
    msg = f"wrote {len(es)} x {es.dim} {est.model} entity embeddings of {triples.name} to {output}"
    if relations_out is not None:
        rel = est.relations_embedding_set()
        rel.save(relations_out, overwrite=overwrite)
        msg += f" and {len(rel)} relation rows to {relations_out}"
    typer.echo(msg + f" (best validation epoch {est.history_.best_epoch})", err=True)


def _eval_kg(**kwargs: Any) -> None:
    """Train a knowledge-graph model; print filtered MRR and Hits@1/3/10 of the test split.

    Both directions (head and tail queries), the known triples of every split filtered, at the
    best validation epoch.

    Example: embedlab eval kg nfe-2 kinships --dim 64 --epochs 60 --seed 0 --json
    """
    as_json = kwargs.pop("as_json")
    split = kwargs.pop("split")
    if split not in ("valid", "test"):
        raise typer.BadParameter(f"must be valid or test; got {split!r}.", param_hint="--split")
    est, triples = _fit(kwargs)
    res = est.evaluate(split)
    scores = {k: res[k] for k in ("mrr", "hits@1", "hits@3", "hits@10")}
    if as_json:
        typer.echo(json.dumps(scores))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{est.model} on {triples.name} ({split}, filtered, {est.ties} ties; best "
        f"validation epoch {est.history_.best_epoch})",
        title_justify="left",
    )
    for col in ("", "both", "tail", "head"):
        table.add_column(col, justify="right" if col else "left")
    for key in ("mrr", "hits@1", "hits@3", "hits@10", "mr"):
        table.add_row(key, *(f"{d[key]:.4f}" for d in (res, res["tail"], res["head"])))
    Console().print(table)


embed_kg = guard(
    _with_signature(
        _embed_kg,
        [
            _MODEL,
            _DATASET,
            _opt(
                "output",
                Annotated[
                    Path,
                    typer.Option(
                        "--output",
                        "-o",
                        help="Entity embeddings (.parquet, .npy, .txt).",
                        show_default=False,
                    ),
                ],
                inspect.Parameter.empty,
            ),
            _opt(
                "relations_out",
                Annotated[
                    Path | None,
                    typer.Option("--relations-out", help="Also write the relation rows here."),
                ],
                None,
            ),
            _opt(
                "overwrite",
                Annotated[bool, typer.Option("--overwrite", help="Replace existing outputs.")],
                False,
            ),
            *TRAINING_OPTIONS,
        ],
    )
)

eval_kg = guard(
    _with_signature(
        _eval_kg,
        [
            _MODEL,
            _DATASET,
            _opt(
                "split",
                Annotated[str, typer.Option("--split", help="valid or test.")],
                "test",
            ),
            _opt(
                "as_json",
                Annotated[bool, typer.Option("--json", help="Print one JSON object.")],
                False,
            ),
            *TRAINING_OPTIONS,
        ],
    )
)
