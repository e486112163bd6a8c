"""The exceptions embedlab raises.

Every error a user can cause derives from :class:`EmbedlabError`, so one ``except`` clause catches
them all; the data-shaped ones are also ``ValueError`` so that scikit-learn style code that
catches ``ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "ConflictError",
    "DimensionWarning",
    "EmbedlabError",
    "EmbedlabWarning",
    "InvalidInputError",
    "MissingExtraError",
    "NotFittedError",
    "NotFoundError",
    "OutputExistsError",
]


class EmbedlabError(Exception):
    """Base class of every error raised on purpose by embedlab."""


class InvalidInputError(EmbedlabError, ValueError):
    """A parameter or a data file is not acceptable; the message names it and says the fix."""


class NotFittedError(EmbedlabError, AttributeError):
    """A fitted attribute or method was used before ``fit``."""


class MissingExtraError(EmbedlabError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class NotFoundError(EmbedlabError, LookupError):
    """A named thing (a collection, a version, a tag) does not exist; HTTP 404."""


class ConflictError(EmbedlabError):
    """A named thing exists already, or a write conflicts with another; HTTP 409."""


class OutputExistsError(EmbedlabError, FileExistsError):
    """An output file exists and overwriting was not asked for."""


class EmbedlabWarning(UserWarning):
    """Base class of every warning embedlab issues; the message states the cost and the remedy."""


class DimensionWarning(EmbedlabWarning):
    """Fewer informative dimensions than asked for (e.g. zero columns padding an embedding)."""
