"""The public API is pinned, and importing embedlab is cheap."""

import subprocess
import sys

import embedlab


def test_all_is_pinned():
    assert embedlab.__all__ == [
        "EMBEDDERS",
        "EVALUATORS",
        "BaseEmbedder",
        "EmbeddingSet",
        "EmbedlabError",
        "FastRP",
        "Graph",
        "InvalidInputError",
        "MissingExtraError",
        "NodeClassification",
        "NotFittedError",
        "OutputExistsError",
        "Registry",
        "__version__",
        "clone",
        "load_graph",
        "load_labels",
    ]


def test_every_export_resolves():
    for name in embedlab.__all__:
        assert getattr(embedlab, name) is not None


def test_unknown_attribute_raises():
    import pytest

    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        embedlab.nope  # noqa: B018


def test_import_is_light():
    code = (
        "import sys, embedlab; "
        "heavy = [m for m in ('torch', 'faiss', 'dask', 'numba', 'sklearn', 'scipy', 'pyarrow') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_library_has_a_null_handler():
    import logging

    handlers = logging.getLogger("embedlab").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_family_packages_export_lazily():
    """``embedlab.graph`` and ``embedlab.eval`` name every component without importing it."""
    code = (
        "import sys, embedlab.graph as g, embedlab.eval as e; "
        "heavy = [m for m in ('numba', 'sklearn', 'scipy') if m in sys.modules]; "
        "print(heavy, g.DeepWalk.name, e.RetrievalEvaluation.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] deepwalk RetrievalEvaluation"
