"""Where encoded texts are cached by default."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_dir"]


def default_cache_dir() -> Path:
    """``$EMBEDLAB_CACHE``, else ``~/.cache/embedlab``.

    Returns
    -------
    Path
        The folder (not created here).

    Examples
    --------
    >>> isinstance(default_cache_dir(), Path)
    True
    """
    return Path(os.environ.get("EMBEDLAB_CACHE") or Path.home() / ".cache" / "embedlab")
