"""Static pictures of a 2-D map: a scatter coloured by labels, or a density image for large sets.

:func:`plot_map` draws the coordinates that :func:`embedlab.viz.project` returns on a
``matplotlib.figure.Figure`` (never pyplot: no global figure, no backend switch, safe in a
server):

* categorical labels (strings, integers, booleans): one colour per class for the ``max_classes``
  most frequent classes, every other class in grey as ``other``, missing labels (``None``) in
  light grey; a legend lists them;
* continuous labels (floats): a colour map and a colour bar, NaN in grey;
* above ``density_threshold`` points (or with ``density="always"``), a density image instead of
  one marker per point, as datashader draws large sets: the points are counted per pixel
  (:func:`density_grid`, per category for categorical labels) and each pixel's count is mapped to
  its opacity by histogram equalisation (or a log scale), so dense and sparse regions both stay
  readable; a pixel's colour is the count-weighted mix of its categories' colours (the mean label
  for continuous labels).

:func:`save_figure` writes a figure as PNG, SVG or PDF with the run-dependent metadata (dates,
random SVG ids) removed, so the same figure gives the same bytes on every run.

Cost: the scatter is O(n) in matplotlib's renderer; the density image O(n) in NumPy
(one ``bincount``) plus O(pixels), whatever n.

matplotlib is the ``[plot]`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.utils.optional import import_optional

__all__ = ["FIGURE_FORMATS", "density_grid", "figure_format", "plot_map", "save_figure"]

#: the file types :func:`save_figure` writes, by suffix
FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

_DENSITY_MODES = ("auto", "always", "never")
_SHADES = ("eq_hist", "log")
# tab20 with the strong colours first (up to 10 classes never share a hue) and its two greys
# replaced (grey means "other" or "no label")
_TAB20 = (
    *("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"),
    *("#8c564b", "#e377c2", "#393b79", "#bcbd22", "#17becf"),
    *("#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5"),
    *("#c49c94", "#f7b6d2", "#637939", "#dbdb8d", "#9edae5"),
)
_OTHER = "#a0a0a0"
_MISSING = "#dcdcdc"
_SINGLE = "#1f77b4"


def _matplotlib() -> Any:
    return import_optional("matplotlib", "plot", "Plots")


# ------------------------------------------------------------------------------ aggregation
def _as_coords(coords: Any) -> np.ndarray:
    xy = np.asarray(coords, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise InvalidInputError(
            f"'coords' must have shape (n, 2), one row per point; got shape {xy.shape}."
        )
    if not np.isfinite(xy).all():
        raise InvalidInputError("'coords' holds NaN or infinite values; drop those points first.")
    return xy


def _extent(xy: np.ndarray, extent: Sequence[float] | None) -> tuple[float, float, float, float]:
    if extent is not None:
        if len(extent) != 4:
            raise InvalidInputError(
                f"'extent' must be (xmin, xmax, ymin, ymax); got {tuple(extent)!r}."
            )
        x0, x1, y0, y1 = (float(v) for v in extent)
        if not (x0 < x1 and y0 < y1):
            raise InvalidInputError(
                f"'extent' must have xmin < xmax and ymin < ymax; got {(x0, x1, y0, y1)!r}."
            )
        return x0, x1, y0, y1
    if len(xy) == 0:
        return -0.5, 0.5, -0.5, 0.5
    out = []
    for lo, hi in ((xy[:, 0].min(), xy[:, 0].max()), (xy[:, 1].min(), xy[:, 1].max())):
        pad = 0.5 if hi == lo else 0.02 * (hi - lo)
        out += [float(lo - pad), float(hi + pad)]
    return out[0], out[1], out[2], out[3]


def _bins(bins: int | Sequence[int]) -> tuple[int, int]:
    nx, ny = (bins, bins) if isinstance(bins, int | np.integer) else tuple(bins)
    if int(nx) < 1 or int(ny) < 1:
        raise InvalidInputError(f"'bins' must be positive; got {bins!r}.")
    return int(nx), int(ny)


def _pixel_index(
    xy: np.ndarray, nx: int, ny: int, extent: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Flat pixel index ``iy * nx + ix`` of each point, and which points fall inside."""
    x0, x1, y0, y1 = extent
    inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    # clipped before the integer cast: a point far outside the extent must not overflow it
    fx = np.clip((xy[:, 0] - x0) / (x1 - x0) * nx, 0, nx - 1)
    fy = np.clip((xy[:, 1] - y0) / (y1 - y0) * ny, 0, ny - 1)
    ix = np.nan_to_num(fx, nan=0.0).astype(np.int64)
    iy = np.nan_to_num(fy, nan=0.0).astype(np.int64)
    return iy * nx + ix, inside


def density_grid(
    coords: Any,
    *,
    bins: int | Sequence[int] = 512,
    extent: Sequence[float] | None = None,
    categories: Any = None,
    n_categories: int | None = None,
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Count the points of a 2-D map per pixel (per category too), as a density image needs.

    Pixel ``(iy, ix)`` covers ``[x0 + ix w, x0 + (ix + 1) w)`` by the same in y, with
    ``w = (x1 - x0) / nx``; the last column and row include their upper edge. Points outside
    ``extent`` are not counted.

    Parameters
    ----------
    coords : array-like of shape (n, 2)
        The map.
    bins : int or (nx, ny), default=512
        Pixels across and up.
    extent : (xmin, xmax, ymin, ymax), optional
        The area imaged; by default the points' bounding box padded by 2 % on each side.
    categories : array-like of int, shape (n,), optional
        A category code ``0 <= c < n_categories`` per point: one count image per category.
    n_categories : int, optional
        How many categories (default: the largest code + 1).

    Returns
    -------
    counts : ndarray of int64
        Shape ``(ny, nx)``, or ``(n_categories, ny, nx)`` with ``categories``; row 0 is the
        bottom (``imshow(..., origin="lower")``).
    extent : tuple of float
        ``(xmin, xmax, ymin, ymax)`` of the image.

    Examples
    --------
    >>> counts, ext = density_grid([[0, 0], [1, 1], [1, 1]], bins=2, extent=(0, 1, 0, 1))
    >>> counts.tolist()
    [[1, 0], [0, 2]]
    >>> density_grid([[0, 0], [1, 1]], bins=1, categories=[1, 1])[0].tolist()
    [[[0]], [[2]]]
    """
    xy = _as_coords(coords)
    nx, ny = _bins(bins)
    ext = _extent(xy, extent)
    flat, inside = _pixel_index(xy, nx, ny, ext)
    if categories is None:
        return np.bincount(flat[inside], minlength=nx * ny).reshape(ny, nx).astype(np.int64), ext
    codes = np.asarray(categories)
    if codes.shape != (len(xy),) or not np.issubdtype(codes.dtype, np.integer):
        raise InvalidInputError(
            f"'categories' must be {len(xy)} integer codes, one per point; got dtype "
            f"{codes.dtype} and shape {codes.shape}."
        )
    k = int(codes.max()) + 1 if n_categories is None and len(codes) else int(n_categories or 0)
    if len(codes) and (codes.min() < 0 or codes.max() >= k):
        raise InvalidInputError(
            f"'categories' must lie in [0, {k}) ('n_categories' = {k}); got codes from "
            f"{int(codes.min())} to {int(codes.max())}."
        )
    cells = codes.astype(np.int64)[inside] * (nx * ny) + flat[inside]
    counts = np.bincount(cells, minlength=k * nx * ny).reshape(k, ny, nx)
    return counts.astype(np.int64), ext


def _shade(total: np.ndarray, how: str) -> np.ndarray:
    """Opacity in (0, 1] of each non-empty pixel from its count (0 where empty).

    ``eq_hist``: the share of non-empty pixels with a count <= this one (histogram
    equalisation: every opacity level gets as many pixels); ``log``: ``log1p(c) / log1p(max)``.
    """
    out = np.zeros(total.shape, dtype=np.float64)
    filled = total > 0
    if not filled.any():
        return out
    values = total[filled]
    if how == "log":
        top = np.log1p(values.max())
        out[filled] = np.log1p(values) / top
    else:
        ranks = np.searchsorted(np.sort(values), values, side="right")
        out[filled] = ranks / len(values)
    return out


# ------------------------------------------------------------------------------ labels
def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _categorical(
    labels: np.ndarray, max_classes: int
) -> tuple[np.ndarray, list[str], list[str], int]:
    """Codes per point, legend texts and colours, and how many classes have their own colour.

    The ``max_classes`` most frequent classes (ties: class order) get their own colour; the
    legend lists them in class order, then ``other (m classes)``, then ``(no label)``.
    """
    values = labels.tolist()
    present = [v for v in values if not _is_missing(v)]
    try:
        classes = sorted(set(present))
    except TypeError:  # mixed types: order by text
        classes = sorted(set(present), key=str)
    index = {c: i for i, c in enumerate(classes)}
    raw = np.array([-1 if _is_missing(v) else index[v] for v in values], dtype=np.int64)
    freq = np.bincount(raw[raw >= 0], minlength=len(classes))
    by_freq = sorted(range(len(classes)), key=lambda i: (-freq[i], i))
    kept = sorted(by_freq[:max_classes])
    code_of = np.full(len(classes) + 1, -1, dtype=np.int64)
    code_of[kept] = np.arange(len(kept))
    n_other = len(classes) - len(kept)
    missing = len(kept) + (1 if n_other else 0)
    codes = np.where(raw >= 0, code_of[np.maximum(raw, 0)], missing)
    codes = np.where((raw >= 0) & (codes < 0), len(kept), codes)  # "other"

    texts = [str(classes[i]) for i in kept]
    colours = [_TAB20[i % len(_TAB20)] for i in range(len(kept))]
    if n_other:
        texts.append(f"other ({n_other} classes)")
        colours.append(_OTHER)
    if (raw < 0).any():
        texts.append("(no label)")
        colours.append(_MISSING)
    return codes, texts, colours, len(kept)


def _is_continuous(labels: np.ndarray, categorical: bool | None) -> bool:
    if categorical is not None:
        return not categorical
    return labels.dtype.kind == "f"


# ------------------------------------------------------------------------------ drawing
def plot_map(
    coords: Any,
    labels: Any = None,
    *,
    ax: Any = None,
    title: str | None = None,
    density: str = "auto",
    density_threshold: int = 200_000,
    bins: int | None = None,
    shade: str = "eq_hist",
    categorical: bool | None = None,
    max_classes: int = 20,
    label_name: str | None = None,
    point_size: float | None = None,
    figsize: tuple[float, float] = (8.0, 6.0),
    dpi: float = 100.0,
    seed: int = 0,
) -> Any:
    """Draw a 2-D map of points coloured by their labels, as a scatter or a density image.

    Parameters
    ----------
    coords : array-like of shape (n, 2)
        The map, e.g. from :func:`embedlab.viz.project`.
    labels : array-like of shape (n,), optional
        One label per point: categorical (strings, integers, booleans; ``None`` for a missing
        label) or continuous (floats; NaN for missing).
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new ``Figure`` (no pyplot) with one axes.
    title : str, optional
        The axes' title.
    density : {"auto", "always", "never"}, default="auto"
        A density image instead of one marker per point: ``auto`` above ``density_threshold``
        points.
    density_threshold : int, default=200_000
        The number of points above which ``density="auto"`` draws a density image.
    bins : int, optional
        Pixels along the density image's longer side (default: the figure's longer side in
        pixels); the other side keeps the pixels square.
    shade : {"eq_hist", "log"}, default="eq_hist"
        How a pixel's count maps to its opacity in the density image.
    categorical : bool, optional
        Treat ``labels`` as classes (True) or as numbers (False); by default floats are
        continuous and everything else categorical.
    max_classes : int, default=20
        Classes with their own colour (the most frequent); the others are drawn as ``other``.
    label_name : str, optional
        The legend's title or the colour bar's label.
    point_size : float, optional
        Marker area in points²; by default from ``n`` (large for small sets).
    figsize : (float, float), default=(8, 6)
        Size of a new figure in inches.
    dpi : float, default=100
        Resolution of a new figure (pixels = ``figsize * dpi``).
    seed : int, default=0
        Seeds the drawing order of the points (shuffled, so that no class systematically
        covers another).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the map (``ax``'s figure when ``ax`` is given).

    Examples
    --------
    >>> import numpy as np
    >>> xy = np.array([[0.0, 0.0], [1.0, 0.5], [0.2, 1.0]])
    >>> fig = plot_map(xy, ["a", "b", "a"], title="demo")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['a', 'b']
    """
    mpl = _matplotlib()
    xy = _as_coords(coords)
    n = len(xy)
    if density not in _DENSITY_MODES:
        raise InvalidInputError(
            f"'density' must be one of {', '.join(_DENSITY_MODES)}; got {density!r}."
        )
    if shade not in _SHADES:
        raise InvalidInputError(f"'shade' must be one of {', '.join(_SHADES)}; got {shade!r}.")
    if int(max_classes) < 1:
        raise InvalidInputError(f"'max_classes' must be at least 1; got {max_classes!r}.")
    if int(density_threshold) < 0:
        raise InvalidInputError(f"'density_threshold' must be >= 0; got {density_threshold!r}.")
    lab = None
    if labels is not None:
        lab = np.asarray(labels)
        if lab.shape != (n,):
            raise InvalidInputError(
                f"'labels' must hold one label per point ({n}); got shape {lab.shape}."
            )
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    use_density = density == "always" or (density == "auto" and n > int(density_threshold))
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    continuous = lab is not None and _is_continuous(lab, categorical)
    if continuous and lab is not None:
        try:
            values = lab.astype(np.float64)
        except (TypeError, ValueError):
            raise InvalidInputError(
                "'labels' are not numbers; pass categorical=True to colour by class."
            ) from None
        _draw_continuous(mpl, fig, ax, xy, values, order, use_density, bins, shade, point_size)
        if label_name:
            fig.axes[-1].set_ylabel(label_name)
    elif lab is not None:
        codes, texts, colours, n_kept = _categorical(lab, int(max_classes))
        _draw_categorical(
            ax, xy, codes, colours, n_kept, order, use_density, bins, shade, point_size
        )
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=6, color=c, label=t)
            for t, c in zip(texts, colours, strict=True)
        ]
        ax.legend(
            handles=handles,
            title=label_name,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0.0,
            fontsize="small",
            frameon=False,
        )
    elif use_density:
        counts, ext = density_grid(xy, bins=_auto_bins(fig, xy, bins))
        alpha = _shade(counts, shade)
        rgba = np.zeros((*counts.shape, 4))
        rgba[..., :3] = mpl.colors.to_rgb(_SINGLE)
        rgba[..., 3] = np.where(counts > 0, 0.15 + 0.85 * alpha, 0.0)
        _imshow(ax, rgba, ext)
    else:
        ax.scatter(
            xy[order, 0],
            xy[order, 1],
            s=_point_size(n, point_size),
            c=_SINGLE,
            linewidths=0,
            rasterized=n > 5000,
        )
    ax.set_xticks([])
    ax.set_yticks([])
    # a map's axes have the same units: a density image keeps its extent, a scatter its data
    ax.set_aspect("equal", adjustable="box" if use_density else "datalim")
    if title:
        ax.set_title(title)
    return fig


def _point_size(n: int, size: float | None) -> float:
    if size is not None:
        if not size > 0:
            raise InvalidInputError(f"'point_size' must be positive; got {size!r}.")
        return float(size)
    return float(np.clip(20_000.0 / max(n, 1), 0.5, 30.0))


def _auto_bins(fig: Any, xy: np.ndarray, bins: int | None) -> tuple[int, int]:
    """(nx, ny): ``bins`` (default: the figure's longer side in pixels) on the longer side."""
    if bins is None:
        w, h = fig.get_size_inches() * fig.dpi
        bins = round(0.8 * float(max(w, h)))
    if int(bins) < 1:
        raise InvalidInputError(f"'bins' must be positive; got {bins!r}.")
    x0, x1, y0, y1 = _extent(xy, None)
    wide = (x1 - x0) >= (y1 - y0)
    short = max(1, round(int(bins) * min(x1 - x0, y1 - y0) / max(x1 - x0, y1 - y0)))
    return (int(bins), short) if wide else (short, int(bins))


def _imshow(ax: Any, rgba: np.ndarray, ext: tuple[float, float, float, float]) -> None:
    ax.imshow(rgba, origin="lower", extent=ext, interpolation="nearest", aspect="auto")
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])


def _draw_categorical(
    ax: Any,
    xy: np.ndarray,
    codes: np.ndarray,
    colours: list[str],
    n_kept: int,
    order: np.ndarray,
    use_density: bool,
    bins: int | None,
    shade: str,
    point_size: float | None,
) -> None:
    from matplotlib.colors import to_rgb

    rgb = np.array([to_rgb(c) for c in colours])
    if use_density:
        counts, ext = density_grid(
            xy, bins=_auto_bins(ax.figure, xy, bins), categories=codes, n_categories=len(colours)
        )
        total = counts.sum(axis=0)
        mix = np.einsum("kyx,kc->yxc", counts, rgb) / np.maximum(total, 1)[..., None]
        alpha = _shade(total, shade)
        rgba = np.concatenate([mix, np.where(total > 0, 0.25 + 0.75 * alpha, 0.0)[..., None]], -1)
        _imshow(ax, rgba, ext)
        return
    # grey points (other classes, missing labels) first, underneath the coloured ones
    grey = codes >= n_kept
    first = order[grey[order]]
    rest = order[~grey[order]]
    drawn = np.concatenate([first, rest])
    ax.scatter(
        xy[drawn, 0],
        xy[drawn, 1],
        s=_point_size(len(xy), point_size),
        c=rgb[codes[drawn]],
        linewidths=0,
        rasterized=len(xy) > 5000,
    )


def _draw_continuous(
    mpl: Any,
    fig: Any,
    ax: Any,
    xy: np.ndarray,
    values: np.ndarray,
    order: np.ndarray,
    use_density: bool,
    bins: int | None,
    shade: str,
    point_size: float | None,
) -> None:
    finite = np.isfinite(values)
    lo, hi = (values[finite].min(), values[finite].max()) if finite.any() else (0.0, 1.0)
    norm = mpl.colors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1.0)
    cmap = mpl.colormaps["viridis"]
    if use_density:
        nxy = _auto_bins(fig, xy, bins)
        counts, ext = density_grid(xy[finite], bins=nxy, extent=_extent(xy, None))
        flat, inside = _pixel_index(xy[finite], nxy[0], nxy[1], ext)
        sums = np.bincount(
            flat[inside], weights=values[finite][inside], minlength=nxy[0] * nxy[1]
        ).reshape(counts.shape)
        mean = sums / np.maximum(counts, 1)
        rgba = cmap(norm(mean))
        rgba[..., 3] = np.where(counts > 0, 0.25 + 0.75 * _shade(counts, shade), 0.0)
        _imshow(ax, rgba, ext)
    else:
        size = _point_size(len(xy), point_size)
        nan = order[~finite[order]]
        if len(nan):
            ax.scatter(xy[nan, 0], xy[nan, 1], s=size, c=_MISSING, linewidths=0)
        ok = order[finite[order]]
        ax.scatter(
            xy[ok, 0],
            xy[ok, 1],
            s=size,
            c=values[ok],
            cmap=cmap,
            norm=norm,
            linewidths=0,
            rasterized=len(xy) > 5000,
        )
    fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.8)


# ------------------------------------------------------------------------------ saving
def figure_format(path: str | os.PathLike[str]) -> str:
    """Return the format a figure file name selects (``"png"``, ``"svg"`` or ``"pdf"``).

    Raises :class:`InvalidInputError` for any other suffix; callers check an output path with
    it before the expensive work.

    >>> figure_format("map.PNG")
    'png'
    """
    suffix = Path(path).suffix.lower()
    fmt = FIGURE_FORMATS.get(suffix)
    if fmt is None:
        raise InvalidInputError(
            f"Unknown figure file type {suffix or '(none)'!r} for {str(path)!r}; use .png, .svg "
            "or .pdf."
        )
    return fmt


#: metadata that would differ between runs, removed (matplotlib writes it unless told None)
_VOLATILE = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}


def save_figure(
    fig: Any,
    path: str | os.PathLike[str],
    *,
    dpi: float | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``fig`` to ``path`` (PNG, SVG or PDF by suffix), atomically and reproducibly.

    The same figure gives the same bytes on every run with the same matplotlib: no date or
    software stamp in the metadata, SVG element ids from a fixed salt, SVG text kept as text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : path-like
        ``.png``, ``.svg`` or ``.pdf``; its folder must exist.
    dpi : float, optional
        Resolution of raster output (default: the figure's).
    overwrite : bool, default=False
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig = plot_map([[0.0, 0.0], [1.0, 1.0]])
    >>> out = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "map.png")
    >>> out.read_bytes()[1:4]
    b'PNG'
    """
    mpl = _matplotlib()
    from embedlab.utils.fileio import atomic_path

    fmt = figure_format(path)
    with (
        atomic_path(path, overwrite=overwrite) as tmp,
        mpl.rc_context({"svg.hashsalt": "embedlab", "svg.fonttype": "none"}),
    ):
        fig.savefig(tmp, format=fmt, dpi=dpi or fig.dpi, metadata=_VOLATILE[fmt])
    return Path(path)
