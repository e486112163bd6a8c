"""Registries: one name per component, the same in Python, the CLI, the HTTP API and the docs.

Modelled on PyKEEN's ``ClassResolver``: a component may be given as a registered name
(``"fastrp"``), a class or an instance, and :meth:`Registry.make` returns an instance.
Registration is lazy: an entry is a dotted import path, so nothing heavy is imported until the
component is asked for (``import embedlab`` never imports torch, faiss or dask), and the CLI can
list the names without importing a family.

Every registered class carries its name as the class attribute ``name``; the shared contract
checks (:mod:`embedlab.testing`) verify that it matches the registry key. Every "unknown name"
error in embedlab comes from :meth:`Registry.unknown`:
``Unknown embedder 'nope'; choose one of: deepwalk, fastrp, ...``.

The family registries:

==================  ==========================================================================
``EMBEDDERS``       graph embedders (scikit-learn contract, :class:`embedlab.base.BaseEmbedder`)
``EVALUATORS``      evaluators (``__call__ -> dict[str, float]``, ``primary_metric``)
``INDEXES``         index backends of the spec grammar (:mod:`embedlab.retrieval.spec`)
``COMPRESSORS``     vector compressors (``fit`` / ``transform`` / ``code_size_bytes``)
``TABLES``          embedding tables for categorical IDs (:mod:`embedlab.tables`)
``FIELD_TABLES``    multi-field embeddings (one table per field, or a shared one)
``CTR_MODELS``      click-through-rate models on field embeddings
``STREAMS``         click streams for online training
``BENCH_TASKS``     paper-style comparison tables (``embedlab bench <task>``)
``REPRODUCTIONS``   one seed paper's headline claim each (``embedlab bench reproduce NAME``)
``DISTRIBUTED``     the Dask backend of an estimator (``FastRP(backend="dask")``), by its name
==================  ==========================================================================
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any

from embedlab.exceptions import InvalidInputError

__all__ = [
    "BENCH_TASKS",
    "COMPRESSORS",
    "CTR_MODELS",
    "DISTRIBUTED",
    "EMBEDDERS",
    "EVALUATORS",
    "FIELD_TABLES",
    "INDEXES",
    "KG_MODELS",
    "LAYERS",
    "LOSSES",
    "REGISTRIES",
    "REPRODUCTIONS",
    "SESSION_MODELS",
    "STREAMS",
    "TABLES",
    "Registry",
    "normalize_name",
    "unknown_name",
]


def unknown_name(
    kind: str, name: object, choices: Iterable[str], *, hint: str = ""
) -> InvalidInputError:
    """Build the one "unknown name" error of embedlab (returned, for ``raise``).

    Examples
    --------
    >>> str(unknown_name("operator", "max", ["dot", "l2"]))
    "Unknown operator 'max'; choose one of: dot, l2."
    """
    listed = ", ".join(choices) or "none"
    return InvalidInputError(f"Unknown {kind} {name!r}; choose one of: {listed}{hint}.")


def normalize_name(name: str) -> str:
    """Return the registry key of a name: case, surrounding space and ``_`` vs ``-`` do not matter.

    Examples
    --------
    >>> normalize_name(" Random_Walk_PMI ")
    'random-walk-pmi'
    """
    return name.strip().lower().replace("_", "-")


class Registry:
    """A mapping from names to lazily imported components (classes, or callables).

    Parameters
    ----------
    kind : str
        What one entry is, for messages (``"embedder"``, ``"table method"``).

    Examples
    --------
    >>> from embedlab.registry import EMBEDDERS
    >>> EMBEDDERS.get("fastrp").__name__
    'FastRP'
    >>> EMBEDDERS.make("FastRP", n_components=8)
    FastRP(n_components=8)
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._paths: dict[str, str] = {}

    def __repr__(self) -> str:
        """Show the kind and the registered names."""
        return f"Registry({self.kind!r}, names={self.names()})"

    def register(self, name: str, path: str) -> None:
        """Register ``path`` (``"package.module:Attribute"``) under ``name``."""
        key = normalize_name(name)
        if ":" not in path:
            raise InvalidInputError(
                f"A {self.kind} is registered as 'package.module:Attribute'; got {path!r}."
            )
        if key in self._paths and self._paths[key] != path:
            raise InvalidInputError(f"{self.kind} {name!r} is already registered.")
        self._paths[key] = path

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        return sorted(self._paths)

    def path(self, name: str) -> str:
        """Return the ``"module:Attribute"`` path registered under ``name``, importing nothing."""
        key = normalize_name(name) if isinstance(name, str) else name
        if key not in self._paths:
            raise self.unknown(name)
        return self._paths[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the registered names, sorted."""
        return iter(self.names())

    def __len__(self) -> int:
        """Return the number of registered names."""
        return len(self._paths)

    def __contains__(self, name: object) -> bool:
        """Return whether ``name`` is a registered name (case, ``_`` and ``-`` do not matter)."""
        return isinstance(name, str) and normalize_name(name) in self._paths

    def unknown(self, name: object) -> InvalidInputError:
        """Build the one "unknown name" error of this registry (returned, for ``raise``)."""
        return unknown_name(self.kind, name, self.names())

    def get(self, name: str) -> Any:
        """Return the component registered under ``name`` (case, ``_`` and ``-`` do not matter)."""
        if not isinstance(name, str):
            raise self.unknown(name)
        module, _, attr = self.path(name).partition(":")
        return getattr(importlib.import_module(module), attr)

    def items(self) -> Iterator[tuple[str, Any]]:
        """``(name, component)`` for every entry (imports each)."""
        for key in self.names():
            yield key, self.get(key)

    def name_of(self, component: Any) -> str:
        """Return the registered name of a class or function, or of an instance's class."""
        obj = component if isinstance(component, type) or callable(component) else type(component)
        for key, path in self._paths.items():
            module, _, attr = path.partition(":")
            if getattr(obj, "__module__", None) == module and obj.__qualname__ == attr:
                return key
        if not isinstance(component, type) and obj is component:  # a callable instance
            return self.name_of(type(component))
        raise InvalidInputError(f"{obj.__qualname__} is not a registered {self.kind}.")

    def make(self, spec: str | type | Any, **params: Any) -> Any:
        """Make an instance from a name, a class or an instance (then ``params`` must be empty)."""
        if isinstance(spec, str):
            return self.get(spec)(**params)
        if isinstance(spec, type):
            return spec(**params)
        if params:
            raise InvalidInputError(
                f"Parameters {sorted(params)} given together with a {self.kind} instance; "
                "pass a name or a class instead."
            )
        return spec


# ------------------------------------------------------------------------------- graph
EMBEDDERS = Registry("embedder")
EMBEDDERS.register("fastrp", "embedlab.graph.fastrp:FastRP")
EMBEDDERS.register("deepwalk", "embedlab.graph.deepwalk:DeepWalk")
EMBEDDERS.register("node2vec", "embedlab.graph.node2vec:Node2Vec")
EMBEDDERS.register("line", "embedlab.graph.line:LINE")
EMBEDDERS.register("orbit-pmi", "embedlab.graph.orbit_pmi:OrbitPMI")
EMBEDDERS.register("random-walk-pmi", "embedlab.graph.orbit_pmi:RandomWalkPMI")


# ------------------------------------------------------------------------- distributed
DISTRIBUTED = Registry("Dask backend")
DISTRIBUTED.register("fastrp", "embedlab.distributed.fastrp:DaskFastRP")
DISTRIBUTED.register("deepwalk", "embedlab.distributed.skipgram:DaskDeepWalk")
DISTRIBUTED.register("node2vec", "embedlab.distributed.skipgram:DaskNode2Vec")
DISTRIBUTED.register("line", "embedlab.distributed.skipgram:DaskLINE")


# ------------------------------------------------------------------------------- eval
EVALUATORS = Registry("evaluator")
EVALUATORS.register("node-classification", "embedlab.eval.node_classification:NodeClassification")
EVALUATORS.register("link-prediction", "embedlab.eval.link_prediction:LinkPrediction")
EVALUATORS.register("reconstruction", "embedlab.eval.reconstruction:Reconstruction")
EVALUATORS.register("clustering", "embedlab.eval.clustering:Clustering")
EVALUATORS.register("retrieval", "embedlab.eval.retrieval:RetrievalEvaluation")


# ------------------------------------------------------------------------------- retrieval
INDEXES = Registry("index")
INDEXES.register("flat", "embedlab.retrieval.index.flat:FlatIndex")
INDEXES.register("faiss", "embedlab.retrieval.index._faiss:FaissIndex")
INDEXES.register("mrl", "embedlab.retrieval.index.mrl:MatryoshkaIndex")

COMPRESSORS = Registry("compressor")
COMPRESSORS.register("int8", "embedlab.retrieval.compression._codecs:Int8Quantizer")
COMPRESSORS.register("binary", "embedlab.retrieval.compression._codecs:BinaryQuantizer")
COMPRESSORS.register("pq", "embedlab.retrieval.compression._codecs:ProductQuantizer")
COMPRESSORS.register("mrl", "embedlab.retrieval.compression._codecs:MatryoshkaTruncation")


# ------------------------------------------------------------------------------- tables
TABLES = Registry("table method")
TABLES.register("full", "embedlab.tables.full:FullTable")
TABLES.register("hash", "embedlab.tables.hashing:HashTable")
TABLES.register("double-hash", "embedlab.tables.hashing:DoubleHashTable")
TABLES.register("frequency", "embedlab.tables.frequency:FrequencyTable")
TABLES.register("qr", "embedlab.tables.qr:QRTable")
TABLES.register("graphhash", "embedlab.tables.graphhash:GraphHashTable")
TABLES.register("double-graphhash", "embedlab.tables.graphhash:DoubleGraphHashTable")
TABLES.register("collisionless", "embedlab.tables.collisionless:CollisionlessTable")

FIELD_TABLES = Registry("field embedding")
FIELD_TABLES.register("collisionless", "embedlab.tables.fields:CollisionlessFields")
FIELD_TABLES.register("hash", "embedlab.tables.fields:PerFieldHashing")
FIELD_TABLES.register("unified", "embedlab.tables.fields:UnifiedEmbedding")

CTR_MODELS = Registry("CTR model")
CTR_MODELS.register("deepfm", "embedlab.tables.models.ctr:DeepFM")
CTR_MODELS.register("dcnv2", "embedlab.tables.models.ctr:DCNv2")

SESSION_MODELS = Registry("session model")
SESSION_MODELS.register("m2trec", "embedlab.tables.models.session:M2TRec")
SESSION_MODELS.register("sasrec", "embedlab.tables.models.session:SASRec")

STREAMS = Registry("stream")
STREAMS.register("movielens-100k", "embedlab.datasets._streams:MovieLensStream")
STREAMS.register("synthetic", "embedlab.datasets._streams:SyntheticStream")


# ------------------------------------------------------------------------------- kg
KG_MODELS = Registry("KG model")
for _name, _attr in (
    ("nfe-1", "nfe:NFE1"),
    ("nfe-2", "nfe:NFE2"),
    ("nfe-3", "nfe:NFE3"),
    ("nfe-no-uncertainty", "nfe:NFEWithoutUncertainty"),
    ("nfe-sigma", "nfe:NFESigma"),
    ("transe", "transe:TransE"),
    ("distmult", "distmult:DistMult"),
    ("complex", "complex:ComplEx"),
    ("rotate", "rotate:RotatE"),
    ("dihedron", "hypercomplex:Dihedron"),
    ("dihedron-mv", "hypercomplex:DihedronMultiView"),
    ("quaternion", "hypercomplex:Quaternion"),
    ("quaternion-mv", "hypercomplex:QuaternionMultiView"),
):
    KG_MODELS.register(_name, f"embedlab.kg.models.{_attr}")
del _name, _attr


# ------------------------------------------------------------------------------ losses
LOSSES = Registry("loss")
LOSSES.register("facenet-triplet", "embedlab.losses.facenet:TripletLoss")
LOSSES.register("facenet-harmonic", "embedlab.losses.facenet:HarmonicTripletLoss")
LOSSES.register("ebv", "embedlab.losses.ebv:EBVLoss")
LOSSES.register("metrix", "embedlab.losses.metrix:MetrixLoss")
LOSSES.register("simlap", "embedlab.losses.simlap:SimLAPLoss")
LOSSES.register("m2mix", "embedlab.losses.m2mix:M2MixLoss")
LOSSES.register("adsl", "embedlab.losses.adsl:ADSLLoss")


# ------------------------------------------------------------------------------ layers
LAYERS = Registry("layer")
LAYERS.register("memory-layer", "embedlab.layers.memoryformer:MemoryLayer")
LAYERS.register("memoryformer-block", "embedlab.layers.memoryformer:MemoryFormerBlock")
LAYERS.register("mot-block", "embedlab.layers.mot:MoTBlock")
LAYERS.register("ofa-embedding", "embedlab.layers.ofa:FactorizedEmbedding")


# ------------------------------------------------------------------------------- bench
BENCH_TASKS = Registry("bench task")
BENCH_TASKS.register("graph", "embedlab.bench.graph:GraphBench")
BENCH_TASKS.register("tables", "embedlab.bench.tables:TablesBench")
BENCH_TASKS.register("stream", "embedlab.bench.stream:StreamBench")
BENCH_TASKS.register("retrieval", "embedlab.bench.retrieval:RetrievalBench")

REPRODUCTIONS = Registry("reproduction")
REPRODUCTIONS.register("m2trec", "embedlab.bench.reproduce.sessions:M2TRecReproduction")
REPRODUCTIONS.register("fastrp", "embedlab.bench.reproduce.fastrp:FastRPReproduction")
REPRODUCTIONS.register("deepwalk", "embedlab.bench.reproduce.deepwalk:DeepWalkReproduction")
REPRODUCTIONS.register("node2vec", "embedlab.bench.reproduce.node2vec:Node2VecReproduction")
REPRODUCTIONS.register("gradco", "embedlab.bench.reproduce.gradco:GradcoReproduction")
REPRODUCTIONS.register("muvera", "embedlab.bench.reproduce.muvera:MuveraReproduction")
REPRODUCTIONS.register("graphhash", "embedlab.bench.reproduce.graphhash:GraphHashReproduction")
REPRODUCTIONS.register("monolith", "embedlab.bench.reproduce.monolith:MonolithReproduction")
REPRODUCTIONS.register("nfe", "embedlab.bench.reproduce.kg:NFEReproduction")
REPRODUCTIONS.register("hypercomplex", "embedlab.bench.reproduce.kg:HypercomplexReproduction")
REPRODUCTIONS.register(
    "facenet-semihard", "embedlab.bench.reproduce.metric_learning:FaceNetSemihardReproduction"
)
REPRODUCTIONS.register(
    "facenet-harmonic", "embedlab.bench.reproduce.metric_learning:FaceNetHarmonicReproduction"
)
REPRODUCTIONS.register("ebv", "embedlab.bench.reproduce.metric_learning:EBVReproduction")
REPRODUCTIONS.register("metrix", "embedlab.bench.reproduce.metric_learning:MetrixReproduction")
REPRODUCTIONS.register("simlap", "embedlab.bench.reproduce.metric_learning:SimLAPReproduction")
REPRODUCTIONS.register("m2mix", "embedlab.bench.reproduce.metric_learning:M2MixReproduction")
REPRODUCTIONS.register("adsl", "embedlab.bench.reproduce.metric_learning:ADSLReproduction")
REPRODUCTIONS.register(
    "memoryformer", "embedlab.bench.reproduce.large_models:MemoryFormerReproduction"
)
REPRODUCTIONS.register("mot", "embedlab.bench.reproduce.large_models:MoTReproduction")
REPRODUCTIONS.register("ofa", "embedlab.bench.reproduce.ofa:OFAReproduction")
REPRODUCTIONS.register(
    "unified-embedding", "embedlab.bench.reproduce.unified_embedding:UnifiedEmbeddingReproduction"
)


#: every family registry by its attribute name (the contract meta-test walks these)
REGISTRIES: dict[str, Registry] = {
    "EMBEDDERS": EMBEDDERS,
    "EVALUATORS": EVALUATORS,
    "INDEXES": INDEXES,
    "COMPRESSORS": COMPRESSORS,
    "TABLES": TABLES,
    "FIELD_TABLES": FIELD_TABLES,
    "CTR_MODELS": CTR_MODELS,
    "SESSION_MODELS": SESSION_MODELS,
    "STREAMS": STREAMS,
    "KG_MODELS": KG_MODELS,
    "LOSSES": LOSSES,
    "LAYERS": LAYERS,
    "BENCH_TASKS": BENCH_TASKS,
    "REPRODUCTIONS": REPRODUCTIONS,
    "DISTRIBUTED": DISTRIBUTED,
}
