"""More dimensions than a graph's SVD gives: zero columns, and a DimensionWarning that says so
(issue 25 #21), in the library and on the command line."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embedlab.datasets import load_graph
from embedlab.exceptions import DimensionWarning
from embedlab.graph import RandomWalkPMI


def test_padding_is_warned_and_is_zero():
    g = load_graph("karate")
    with pytest.warns(
        DimensionWarning,
        match=r"n_components=64 exceeds the 33 dimensions .* the last 31 columns are zeros",
    ):
        emb = RandomWalkPMI(n_components=64, window=3, random_state=0).fit(g).embeddings_
    assert emb.shape == (34, 64)
    assert not emb[:, 33:].any() and np.abs(emb[:, :33]).sum(axis=0).min() > 0


def test_no_warning_when_it_fits(recwarn):
    RandomWalkPMI(n_components=33, window=3, random_state=0).fit(load_graph("karate"))
    assert not [w for w in recwarn if issubclass(w.category, DimensionWarning)]


def test_cli_shows_one_line(tmp_path):
    script = str(Path(sys.executable).with_name("embedlab"))
    argv = [
        "embed",
        "random-walk-pmi",
        "karate",
        "-o",
        str(tmp_path / "e.npy"),
        "--n-components",
        "64",
    ]
    res = subprocess.run([script, *argv], capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    lines = [
        ln
        for ln in res.stderr.splitlines()
        if "DimensionWarning" in ln or ln.startswith("warning:")
    ]
    assert len(lines) == 1 and lines[0].startswith("warning: n_components=64 exceeds")
    assert lines[0].endswith("Pass n_components <= 33.")
