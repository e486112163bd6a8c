"""The estimator contract every embedder follows (scikit-learn's, see ``sklearn/base.py``).

* ``__init__`` takes keyword-only hyperparameters and only stores them: no validation, no work.
* ``get_params`` reads the constructor's signature, so ``repr``, :func:`clone` and pickling work
  without per-class code; ``set_params`` validates names.
* ``fit(X) -> self``; fitted attributes end in ``_`` (``embeddings_``, ``ids_``, ``seed_``);
  ``fit_transform(X)`` returns float32 ``[n, n_components]``, C-contiguous.
* Hyperparameters are validated at the start of ``fit`` against ``_parameter_constraints``.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.utils.validation import validate_params

__all__ = ["BaseEmbedder", "check_is_fitted", "clone"]


class BaseEmbedder:
    """Base class of embedlab's embedders.

    Subclasses declare their hyperparameters as keyword-only constructor arguments stored under
    the same names, a ``_parameter_constraints`` mapping, and implement ``fit``.

    Examples
    --------
    >>> from embedlab import FastRP
    >>> FastRP(n_components=64)
    FastRP(n_components=64)
    >>> FastRP(n_components=64).get_params()["n_components"]
    64
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind is not p.KEYWORD_ONLY:
                raise TypeError(
                    f"{cls.__name__}.__init__ must take keyword-only parameters; "
                    f"'{p.name}' is {p.kind.description}."
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self) -> dict[str, Any]:
        """Return the hyperparameters, read from the constructor's signature."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> BaseEmbedder:
        """Set hyperparameters by name; unknown names raise :class:`InvalidInputError`."""
        valid = set(self._get_param_names())
        for key, value in params.items():
            if key not in valid:
                raise InvalidInputError(
                    f"{type(self).__name__} has no parameter {key!r}; "
                    f"valid parameters are {sorted(valid)}."
                )
            setattr(self, key, value)
        return self

    def _validate_params(self) -> None:
        validate_params(self.get_params(), self._parameter_constraints, type(self).__name__)

    def __repr__(self) -> str:
        """Show the class and the parameters that differ from their defaults."""
        sig = inspect.signature(type(self).__init__)
        shown = []
        for name in self._get_param_names():
            value = getattr(self, name)
            default = sig.parameters[name].default
            if _differs(value, default):
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def fit(self, X: Any, y: Any = None) -> BaseEmbedder:  # pragma: no cover - abstract
        """Learn the embeddings of ``X``'s nodes; return ``self``."""
        raise NotImplementedError

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit to ``X`` and return ``embeddings_`` (float32, C-contiguous)."""
        return self.fit(X, y).embeddings_  # type: ignore[attr-defined]

    def to_embedding_set(self, *, source: str | None = None, **extra: Any) -> Any:
        """Return the fitted embeddings as an :class:`~embedlab.io.EmbeddingSet` with provenance.

        Metadata: ``method`` (the registered name), ``parameters`` (with ``random_state``
        replaced by the seed actually used), ``seed``, ``embedlab_version``, ``source`` and any
        ``extra`` JSON-serialisable items.

        >>> from embedlab import FastRP, Graph
        >>> es = FastRP(n_components=4, random_state=3).fit(Graph.from_edges([0, 1], [1, 2]))
        >>> md = es.to_embedding_set(source="toy").metadata
        >>> md["method"], md["seed"], md["parameters"]["n_components"], md["source"]
        ('fastrp', 3, 4, 'toy')
        """
        from embedlab._version import __version__
        from embedlab.io import EmbeddingSet
        from embedlab.registry import EMBEDDERS

        check_is_fitted(self)
        try:
            method = EMBEDDERS.name_of(type(self))
        except InvalidInputError:
            method = type(self).__name__
        seed = getattr(self, "seed_", None)
        params = {k: _jsonable(v) for k, v in self.get_params().items()}
        if "random_state" in params:
            params["random_state"] = seed
        metadata = {
            "method": method,
            "parameters": params,
            "seed": seed,
            "embedlab_version": __version__,
            "source": source,
            **extra,
        }
        return EmbeddingSet(
            ids=self.ids_,  # type: ignore[attr-defined]
            vectors=self.embeddings_,  # type: ignore[attr-defined]
            metadata=metadata,
        )


def _jsonable(value: Any) -> Any:
    """Parameters as JSON values: tuples and arrays become lists, numpy scalars Python ones."""
    if isinstance(value, np.ndarray | tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.random.Generator):
        return None
    return value


def _differs(value: Any, default: Any) -> bool:
    if default is inspect.Parameter.empty:
        return True
    try:
        return bool(value != default) if not isinstance(value, np.ndarray) else True
    except (TypeError, ValueError):
        return True


def clone(estimator: BaseEmbedder) -> BaseEmbedder:
    """Return a new unfitted estimator with the same hyperparameters (deep-copied)."""
    params = {k: copy.deepcopy(v) for k, v in estimator.get_params().items()}
    return type(estimator)(**params)


def check_is_fitted(estimator: Any, attribute: str = "embeddings_") -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has the fitted ``attribute``."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' first."
        )
