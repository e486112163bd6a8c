"""FAISS, the one optional dependency of the retrieval family (extra ``[faiss]``)."""

from __future__ import annotations

from types import ModuleType

from embedlab.utils.optional import import_optional

__all__ = ["import_faiss"]


def import_faiss() -> ModuleType:
    """Import the ``faiss`` module, or raise the one missing-extra error.

    Returns
    -------
    module
        ``faiss``.

    Examples
    --------
    >>> import_faiss().__name__
    'faiss'
    """
    return import_optional("faiss", "faiss", "FAISS indexes", package="faiss-cpu")
