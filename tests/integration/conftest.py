"""Fixtures shared by the integration modules."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def scifact_cache(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return one encoding cache for every SciFact module of the session.

    The token pass of ``test_muvera_scifact`` caches the sentence vectors too (the same forward
    pass), so ``test_retrieval_scifact`` reads them instead of encoding the corpus again;
    whichever module runs first fills it for the other.
    """
    return tmp_path_factory.mktemp("scifact-encodings")
