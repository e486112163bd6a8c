"""Maps of embeddings: 2-D projections (PCA, t-SNE, UMAP), their quality, alignment and plots.

The maths lives in :mod:`embedlab.viz._project` (pure functions on arrays), the static pictures
(matplotlib, the ``[plot]`` extra) in :mod:`embedlab.viz._plot`; the explorer's
server side (:meth:`embedlab.store.Collection.project`) and ``embedlab plot`` both use it. The
names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.viz._plot import (
        FIGURE_FORMATS,
        density_grid,
        figure_format,
        plot_map,
        save_figure,
    )
    from embedlab.viz._project import (
        METHODS,
        Alignment,
        align,
        available_methods,
        knn_agreement,
        knn_overlap,
        map_quality,
        normalize_params,
        project,
        sample_positions,
        trustworthiness,
    )

__all__ = [
    "FIGURE_FORMATS",
    "METHODS",
    "Alignment",
    "align",
    "available_methods",
    "density_grid",
    "figure_format",
    "knn_agreement",
    "knn_overlap",
    "map_quality",
    "normalize_params",
    "plot_map",
    "project",
    "sample_positions",
    "save_figure",
    "trustworthiness",
]

_PLOT = {"FIGURE_FORMATS", "density_grid", "figure_format", "plot_map", "save_figure"}
_EXPORTS = {
    name: "embedlab.viz._plot" if name in _PLOT else "embedlab.viz._project" for name in __all__
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
