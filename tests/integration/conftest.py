"""Fixtures shared by the integration modules."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def scifact_cache(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return one encoding cache for every SciFact module of the session.

    The token pass of ``test_muvera_scifact`` caches the sentence vectors too (the same forward
    pass), so ``test_retrieval_scifact`` reads them instead of encoding the corpus again;
    whichever module runs first fills it for the other.

    The cache outlives the session in ``$EMBEDLAB_TEST_CACHE`` (default
    ``~/.cache/embedlab/test-encodings``; ``EMBEDLAB_TEST_CACHE=""`` for a fresh one each time):
    its keys hash the model's files, the settings and every text, so a later run reads only what
    the same model made of the same texts, and the encoder's own tests still run the model.
    """
    root = os.environ.get(
        "EMBEDLAB_TEST_CACHE", str(Path.home() / ".cache/embedlab/test-encodings")
    )
    if root:
        try:
            path = Path(root).expanduser() / "scifact"
            path.mkdir(parents=True, exist_ok=True)
            return path
        except OSError:
            pass  # not writable here: a fresh cache for the session
    return tmp_path_factory.mktemp("scifact-encodings")
