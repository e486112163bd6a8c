"""The HTTP service (the ``[serve]`` extra): a FastAPI app over an :class:`embedlab.store.Store`.

* :func:`create_app` — the app factory (Qdrant-style naming and envelopes, API key, limits,
  Prometheus metrics, OpenAPI with examples); ``embedlab serve --store DIR`` runs it on uvicorn.

The names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.serve._app import create_app

__all__ = ["create_app"]

_EXPORTS = {"create_app": "embedlab.serve._app"}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
