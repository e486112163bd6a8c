"""``embedlab plot``: a static picture of embeddings as a 2-D map (PNG, SVG or PDF)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from embedlab.cli._common import fail, guard, usage_errors

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = ["app"]

app = typer.Typer(add_completion=False, rich_markup_mode=None)

_METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


def _size(text: str) -> tuple[int, int]:
    """``"1200x900"`` -> ``(1200, 900)`` pixels, or a usage error naming ``--size``."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m or not (16 <= int(m[1]) <= 20_000 and 16 <= int(m[2]) <= 20_000):
        raise typer.BadParameter(
            f"expected WIDTHxHEIGHT in pixels, each 16 to 20000, such as 1200x900; got {text!r}.",
            param_hint="--size",
        )
    return int(m[1]), int(m[2])


@app.command("plot")
@guard
def plot(
    embeddings: Annotated[
        Path,
        typer.Argument(
            help="Embedding file (.parquet/.npy/.txt), e.g. from embedlab embed.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Picture to write: .png, .svg or .pdf.", show_default=False
        ),
    ],
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels",
            help="Colour by label: a labels file (node label) or dataset name; a node with "
            "several labels takes its first.",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="Projection: pca, tsne (openTSNE) or umap.")
    ] = "pca",
    metric: Annotated[
        str,
        typer.Option("--metric", help="The space shown: cosine (rows unit-normalised), ip or l2."),
    ] = "cosine",
    max_points: Annotated[
        int,
        typer.Option(
            "--max-points", min=1, help="Project a uniform random sample of at most this many."
        ),
    ] = 100_000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the sample and of t-SNE/UMAP.")
    ] = 0,
    density: Annotated[
        str,
        typer.Option(
            "--density",
            help="Density image instead of points: auto (above 200,000 points), always, never.",
        ),
    ] = "auto",
    size: Annotated[
        str, typer.Option("--size", help="Picture size in pixels, WIDTHxHEIGHT.")
    ] = "1200x900",
    dpi: Annotated[
        int, typer.Option("--dpi", min=10, max=1200, help="Pixels per inch (text scale).")
    ] = 150,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Title (default: file, method, points).", show_default=False),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output file.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Draw embeddings as a 2-D map coloured by labels, and report the map's faithfulness.

    The map's quality is measured on a sample of 2,000 points: trustworthiness (Venna & Kaski)
    and the mean share of each point's 10 nearest neighbours kept on the map.

    Example: embedlab plot blog.parquet --labels blogcatalog --method tsne -o blog-map.png
    """
    from embedlab.utils.fileio import check_output_path
    from embedlab.utils.optional import import_optional

    pixels = _size(size)
    with usage_errors():  # every option checked before the embeddings are read
        _check_options(output, method, metric, density)
    check_output_path(output, overwrite=overwrite)
    import_optional("matplotlib", "plot", "Plots")  # before the work, not after it
    _run(
        embeddings, output, labels, method, metric, max_points, seed, density, pixels, dpi,
        title, overwrite, as_json,
    )  # fmt: skip


def _check_options(output: Path, method: str, metric: str, density: str) -> None:
    from embedlab.exceptions import InvalidInputError
    from embedlab.viz import figure_format, normalize_params

    figure_format(output)
    normalize_params(method)
    for name, value, allowed in (
        ("metric", metric, ("cosine", "ip", "l2")),
        ("density", density, ("auto", "always", "never")),
    ):
        if value not in allowed:
            raise InvalidInputError(f"'{name}' must be one of {', '.join(allowed)}; got {value!r}.")


def _run(
    embeddings: Path,
    output: Path,
    labels: str | None,
    method: str,
    metric: str,
    max_points: int,
    seed: int,
    density: str,
    size: tuple[int, int],
    dpi: int,
    title: str | None,
    overwrite: bool,
    as_json: bool,
) -> None:
    from embedlab.datasets import load_labels
    from embedlab.io import EmbeddingSet
    from embedlab.viz import map_quality, plot_map, project, sample_positions, save_figure

    es = EmbeddingSet.load(embeddings)
    if len(es) == 0:
        fail(f"{str(embeddings)!r} holds no embeddings; nothing to plot.")
    colours, legend = None, None
    if labels is not None:
        lab = load_labels(labels)
        colours = lab.first_labels(es.ids)  # a node with several labels: the first listed
        legend = "first label" if lab.is_multilabel else "label"
        matched = int(sum(v is not None for v in colours.tolist()))
        if matched == 0:
            shown = ", ".join(repr(v) for v in es.ids[:3].tolist())
            named = ", ".join(repr(v) for v in lab.nodes[:3].tolist())
            fail(
                f"The labels {labels!r} name none of the {len(es):,} embedding ids (ids: "
                f"{shown}, ...; labelled nodes: {named}, ...); give the labels of the same graph."
            )
    pos = sample_positions(len(es), max_points, seed)
    x = es.vectors[pos]
    coords = project(x, method, seed=seed, metric=metric)
    quality = map_quality(x, coords, seed=seed, metric=metric)
    if title is None:
        shown_n = f"{len(pos):,} points" + (
            f" (a random sample of {len(es):,})" if len(pos) < len(es) else ""
        )
        title = f"{embeddings.name}: {_METHOD_NAMES[method]}, {shown_n}"
        if quality["trustworthiness"] is not None:
            title += (
                f"\ntrustworthiness {quality['trustworthiness']:.3f}, "
                f"{quality['k']}-NN overlap {quality['knn_overlap']:.3f}"
            )
    fig = plot_map(
        coords,
        None if colours is None else colours[pos],
        title=title,
        density=density,
        figsize=(size[0] / dpi, size[1] / dpi),
        dpi=dpi,
        seed=seed,
        label_name=legend,
    )
    save_figure(fig, output, overwrite=overwrite)
    result = {
        "output": str(output),
        "method": method,
        "points": len(pos),
        "total": len(es),
        "width": size[0],
        "height": size[1],
        **quality,
    }
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(
        f"wrote {output} ({size[0]}x{size[1]}, {_METHOD_NAMES[method]} of {len(pos):,} points)"
    )
    if quality["trustworthiness"] is None:
        typer.echo("map quality: too few points to measure (at least 5 needed)")
    else:
        typer.echo(
            f"map quality on {quality['sample']:,} points: trustworthiness "
            f"{quality['trustworthiness']:.4f}, {quality['k']}-NN overlap "
            f"{quality['knn_overlap']:.4f}"
        )
