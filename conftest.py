"""Root pytest configuration: keep the ``python -m embedlab`` entry point out of doctest collection."""

collect_ignore = ["src/embedlab/__main__.py"]
