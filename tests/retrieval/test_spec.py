"""The spec grammar: parsing, canonical round trips, aliases, errors."""

import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.retrieval.spec import IndexSpec, make_index, parse_spec


@pytest.mark.parametrize(
    ("spec", "parsed", "canonical"),
    [
        ("Flat", IndexSpec("flat", "Flat"), "Flat"),
        ("SQ8", IndexSpec("flat", "SQ8"), "SQ8"),
        ("BFlat", IndexSpec("flat", "BFlat"), "BFlat"),
        ("PQ32", IndexSpec("faiss", "PQ32"), "PQ32"),
        ("MRL256", IndexSpec("flat", "Flat", 256), "MRL256"),
        ("MRL256,Flat", IndexSpec("flat", "Flat", 256), "MRL256"),
        ("MRL256,SQ8", IndexSpec("flat", "SQ8", 256), "MRL256,SQ8"),
        ("MRL256,PQ16", IndexSpec("faiss", "PQ16", 256), "MRL256,PQ16"),
        ("MRL64,faiss:SQ8", IndexSpec("faiss", "SQ8", 64), "MRL64,faiss:SQ8"),
        ("MRL64,IVF16,Flat", IndexSpec("faiss", "IVF16,Flat", 64), "MRL64,IVF16,Flat"),
        ("faiss:IVF256,PQ32", IndexSpec("faiss", "IVF256,PQ32"), "IVF256,PQ32"),
        ("faiss:Flat", IndexSpec("faiss", "Flat"), "faiss:Flat"),
        ("faiss:BFlat", IndexSpec("faiss", "BFlat"), "faiss:BFlat"),
        ("HNSW32", IndexSpec("faiss", "HNSW32"), "HNSW32"),
        ("IVF16,Flat", IndexSpec("faiss", "IVF16,Flat"), "IVF16,Flat"),
        (" IVF16, Flat ", IndexSpec("faiss", "IVF16,Flat"), "IVF16,Flat"),
        # the old compression names are aliases of the new spelling
        ("int8", IndexSpec("flat", "SQ8"), "SQ8"),
        ("binary", IndexSpec("flat", "BFlat"), "BFlat"),
        ("INT8", IndexSpec("flat", "SQ8"), "SQ8"),
        ("pq:32", IndexSpec("faiss", "PQ32"), "PQ32"),
        ("mrl:128", IndexSpec("flat", "Flat", 128), "MRL128"),
        ("mrl:256,int8", IndexSpec("flat", "SQ8", 256), "MRL256,SQ8"),
        ("mrl:256,pq:16", IndexSpec("faiss", "PQ16", 256), "MRL256,PQ16"),
    ],
)
def test_parse_and_describe_round_trip(spec, parsed, canonical):
    assert parse_spec(spec) == parsed
    assert parsed.describe() == canonical
    assert parse_spec(canonical) == parsed and parse_spec(canonical).describe() == canonical


@pytest.mark.parametrize(
    ("spec", "dim", "canonical"),
    [("Flat", 8, "Flat"), ("int8", 8, "SQ8"), ("mrl:4", 8, "MRL4"), ("faiss:SQ8", 8, "faiss:SQ8")],
)
def test_built_indexes_describe_the_canonical_spec(spec, dim, canonical):
    pytest.importorskip("faiss")
    assert make_index(spec, dim).describe() == canonical


_VALID = r"Valid: Flat, SQ8, BFlat, PQ<M>, MRL<D>\[,<spec>\], faiss:<FAISS factory string>"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", r"An index spec is a non-empty string; got ''\. " + _VALID),
        (None, "An index spec is a non-empty string; got None"),
        ("MRL0", r"Bad token 'MRL0' in spec 'MRL0': MRL<D> needs an integer D >= 1\. " + _VALID),
        ("MRL,SQ8", "Bad token 'MRL' in spec 'MRL,SQ8': MRL<D> needs an integer D >= 1"),
        ("MRL64,MRL32", "Bad token 'MRL32' in spec 'MRL64,MRL32': MRL<D> comes first, once"),
        ("SQ8,MRL32", "Bad token 'MRL32' in spec 'SQ8,MRL32': MRL<D> comes first, once"),
        ("MRL64,", "Bad token '' in spec 'MRL64,': 'faiss:' needs|Bad token '' in spec"),
        ("IVF16,,Flat", "Bad token '' in spec 'IVF16,,Flat': empty token"),
        ("faiss:", r"Bad token 'faiss:' in spec 'faiss:': 'faiss:' needs a FAISS factory"),
        ("pq:0", "Bad token 'pq:0' in spec 'pq:0': pq:N needs an integer N >= 1"),
        ("mrl:x,int8", "Bad token 'mrl:x' in spec 'mrl:x,int8': mrl:N needs an integer N >= 1"),
        ("opq:8", "Bad token 'opq:8' in spec 'opq:8': only 'faiss:' may prefix a factory string"),
    ],
)
def test_errors_name_the_token_and_list_the_valid_ones(spec, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_spec(spec)


def test_unknown_factory_strings_are_refused_by_faiss_with_the_valid_list():
    pytest.importorskip("faiss")
    with pytest.raises(InvalidInputError, match=r"FAISS cannot build 'int4': .*\. " + _VALID):
        make_index("int4", 8)


def test_mrl_needs_a_prefix_within_the_dimension():
    with pytest.raises(InvalidInputError, match=r"'MRL16' keeps the first D coordinates of 8"):
        make_index("MRL16,SQ8", 8)
