"""Every registered index backend and compressor against the shared contract checks."""

import numpy as np
import pytest

from embedlab.registry import COMPRESSORS, INDEXES
from embedlab.retrieval.index import FlatIndex
from embedlab.retrieval.spec import make_index, parse_spec
from embedlab.testing._index_checks import (
    check_index_exact_or_recall,
    check_index_padding,
    compressor_checks,
    index_checks,
)

pytest.importorskip("faiss")

#: the spec examples of the grammar; together they build every registered index class. FAISS's
#: factory turns on polysemous training for 8-bit PQ (about 25 s a training on two cores): the
#: contract runs on their "np" twins (no polysemous training, same code paths, every metric); one
#: slow test checks the recall of the polysemous ones, with the L2 metric their training is for.
SPECS = [
    "Flat",
    "SQ8",
    "BFlat",
    "PQ32np",
    "MRL256",
    "MRL256,SQ8",
    "MRL256,PQ16np",
    "faiss:IVF256,PQ32np",
    "HNSW32",
    "IVF16,Flat",
    "faiss:Flat",
    "faiss:BFlat",
]


def test_the_specs_cover_every_registered_index():
    assert {parse_spec(s).index_name for s in SPECS[:12]} == set(INDEXES.names())


@pytest.mark.parametrize("check", list(index_checks()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("spec", SPECS)
def test_index_contract(check, spec):
    check(spec)


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["PQ32"])
def test_polysemous_pq_recall(spec):
    check_index_exact_or_recall(spec, metrics=("l2",))


@pytest.mark.parametrize("check", list(compressor_checks()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", COMPRESSORS.names())
def test_compressor_contract(check, name):
    check(name)


class _TiesToTheHigherPosition(FlatIndex):
    """A deliberately broken index: equal scores go to the later vector."""

    def _search(self, q, k, **params):
        dist, pos = super()._search(q, len(self), **params)
        order = np.lexsort((-pos, -dist if self.metric != "l2" else dist), axis=1)[:, :k]
        return np.take_along_axis(dist, order, axis=1), np.take_along_axis(pos, order, axis=1)


class _Unpadded(FlatIndex):
    """A deliberately broken index: pads every result to k, whatever k is."""

    def search(self, queries, k, **params):
        d, i = super().search(queries, k, **params)
        pad = k - i.shape[1] if k < 100 else 0
        return np.pad(d, ((0, 0), (0, pad))), np.pad(i, ((0, 0), (0, pad)), constant_values=-1)


def test_a_broken_index_fails_the_checks():
    def broken(spec, dim, metric):
        return _TiesToTheHigherPosition(dim, metric, codes="binary")

    check_index_exact_or_recall("BFlat")  # the real one passes: Hamming ties are everywhere
    with pytest.raises(AssertionError, match="of ids differ from exact search"):
        check_index_exact_or_recall("BFlat", build=broken)
    with pytest.raises(AssertionError, match=r"gave shape \(3, 8\), not \(3, 5\)"):
        check_index_padding("Flat", build=lambda s, d, m: _Unpadded(d, m))


def test_make_index_builds_the_registered_classes():
    assert type(make_index("MRL256,SQ8", 300)) is INDEXES.get("mrl")
    assert type(make_index("MRL256,SQ8", 300).inner) is INDEXES.get("flat")
    assert type(make_index("IVF16,Flat", 8)) is INDEXES.get("faiss")
