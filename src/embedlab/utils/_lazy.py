"""Lazy package exports (PEP 562): a package names its public objects without importing them.

``import embedlab.graph`` then costs nothing until ``embedlab.graph.DeepWalk`` is read, while
``__all__``, ``dir()`` and ``from embedlab.graph import DeepWalk`` behave as for eager imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package whose ``exports`` map names to modules.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (for the error message).
    exports : mapping of str to str
        Public name -> the module that defines it.
    namespace : dict
        The package's ``globals()``: a resolved name is cached there.

    Returns
    -------
    tuple of callables
        ``(__getattr__, __dir__)``, to assign at module level.

    Examples
    --------
    >>> ns = {}
    >>> getattr_, dir_ = lazy_exports("pkg", {"sqrt": "math"}, ns)
    >>> getattr_("sqrt")(4.0), "sqrt" in ns, dir_()
    (2.0, True, ['sqrt'])
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
