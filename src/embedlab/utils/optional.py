"""Optional dependencies: one import helper, one error message.

Every heavy dependency (torch, faiss, sentence-transformers, scikit-network, lancedb, dask) is
imported through :func:`import_optional`, so a missing one always reads the same::

    FAISS indexes need the package 'faiss' (faiss-cpu): pip install 'embedlab[faiss]'.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from embedlab.exceptions import MissingExtraError

__all__ = ["import_optional", "missing_extra_message"]


def missing_extra_message(module: str, extra: str, purpose: str, *, package: str = "") -> str:
    """Return the one wording of a missing optional dependency.

    Examples
    --------
    >>> missing_extra_message("faiss", "faiss", "FAISS indexes", package="faiss-cpu")
    "FAISS indexes need the package 'faiss' (faiss-cpu): pip install 'embedlab[faiss]'."
    """
    shown = f"'{module}'" + (f" ({package})" if package and package != module else "")
    return f"{purpose} need the package {shown}: pip install 'embedlab[{extra}]'."


def import_optional(module: str, extra: str, purpose: str, *, package: str = "") -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` naming the extra to install.

    Parameters
    ----------
    module : str
        The dotted module name to import (``"faiss"``, ``"sknetwork.clustering"``).
    extra : str
        The embedlab extra that installs it (``"faiss"``, ``"tables"``).
    purpose : str
        What needs it, as the plural subject of a sentence (``"FAISS indexes"``).
    package : str, optional
        The PyPI distribution when its name differs from the module's (``"faiss-cpu"``).

    Returns
    -------
    module
        The imported module.

    Examples
    --------
    >>> import_optional("json", "core", "Tests").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            missing_extra_message(module.split(".")[0], extra, purpose, package=package)
        ) from None
