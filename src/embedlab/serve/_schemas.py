"""Request bodies of the HTTP API (pydantic models: they make the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CompareRequest",
    "CountRequest",
    "CreateCollection",
    "DeleteRequest",
    "EmbedRequest",
    "ExportRequest",
    "IndexRequest",
    "MapSearchRequest",
    "PointStruct",
    "ProjectionRef",
    "ProjectionRequest",
    "QueryBatchRequest",
    "QueryRequest",
    "RestoreRequest",
    "RetrieveRequest",
    "ScrollRequest",
    "TagRequest",
    "UpsertBase64",
    "UpsertPoints",
    "WarmRequest",
]

Id = int | str
Filter = dict[str, Any]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateCollection(_Body):
    """``PUT /collections/{name}``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"dim": 32, "metric": "cosine"},
                {
                    "dim": 384,
                    "metric": "cosine",
                    "payload_schema": {"label": "keyword"},
                    "text_model": "minilm",
                },
            ]
        },
    )

    dim: int = Field(ge=1, le=65536, description="Vector (token vector) dimension.")
    metric: str = Field("cosine", description="cosine, ip (Dot) or l2 (Euclid).")
    multivector: bool = Field(False, description="Points hold vector sets (MaxSim search).")
    payload_schema: dict[str, Literal["keyword", "integer", "float", "bool"]] = Field(
        default_factory=dict, description="Filterable payload fields and their types."
    )
    id_type: Literal["int", "str"] = "int"
    text_model: str | None = Field(None, description="Encoder for text queries, e.g. minilm.")
    muvera: dict[str, Any] | None = Field(None, description="MuveraFDE parameters.")


class PointStruct(_Body):
    """One point of an upsert."""

    id: Id
    vector: list[float] | list[list[float]]
    payload: dict[str, Any] | None = None


class UpsertPoints(_Body):
    """``PUT /collections/{name}/points`` (JSON)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"points": [{"id": 7, "vector": [0.1, 0.2, 0.3], "payload": {"label": "a"}}]}
            ]
        },
    )

    points: list[PointStruct] = Field(min_length=1)


class UpsertBase64(_Body):
    """``PUT /collections/{name}/points`` (base64 vectors)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"ids": [1, 2], "vectors_b64": "AACAPwAAAEAAAEBAAACAQA==", "payloads": None}
            ]
        },
    )

    ids: list[Id] = Field(min_length=1)
    vectors_b64: str = Field(
        description="base64 of the little-endian float32 vectors, row after row (n * dim values)."
    )
    payloads: list[dict[str, Any] | None] | None = None


class SearchParams(_Body):
    """Approximate search parameters."""

    exact: bool | None = Field(None, description="true: exact search (mode='exact').")
    nprobes: int | None = Field(None, ge=1, le=100000)
    refine_factor: int | None = Field(None, ge=1, le=1000)
    ef: int | None = Field(None, ge=1, le=100000)
    candidates: int | None = Field(None, ge=1, le=10000, description="MaxSim re-rank depth.")


class QueryRequest(_Body):
    """``POST /collections/{name}/points/query``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"query": [0.1, 0.2, 0.3], "limit": 10},
                {
                    "query": {"id": 7},
                    "limit": 5,
                    "filter": {"must": [{"key": "label", "match": {"value": "a"}}]},
                },
                {"query": {"text": "a claim about vitamin D"}, "limit": 10},
            ]
        },
    )

    query: list[float] | list[list[float]] | dict[str, Any] = Field(
        description="A vector, a vector set (multivector), {'id': ...} or {'text': ...}."
    )
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10000)
    filter: Filter | None = None
    mode: str = Field("auto", description="auto, exact, ann or an index spec (SQ8, MRL64,SQ8).")
    params: SearchParams | None = None
    with_payload: bool = True
    with_vector: bool = False
    version: int | str | None = Field(None, description="Query the collection at a version/tag.")


class QueryBatchRequest(_Body):
    """``POST /collections/{name}/points/query/batch``."""

    searches: list[QueryRequest] = Field(min_length=1, max_length=1000)


class RetrieveRequest(_Body):
    """``POST /collections/{name}/points`` (points by id)."""

    ids: list[Id] = Field(min_length=1, max_length=10000)
    with_payload: bool = True
    with_vector: bool = False
    version: int | str | None = None


class ScrollRequest(_Body):
    """``POST /collections/{name}/points/scroll``."""

    limit: int = Field(100, ge=1, le=10000)
    offset: Id | None = Field(None, description="The next_page_offset of the previous page.")
    filter: Filter | None = None
    with_payload: bool = True
    with_vector: bool = False
    version: int | str | None = None


class CountRequest(_Body):
    """``POST /collections/{name}/points/count``."""

    filter: Filter | None = None
    version: int | str | None = None


class DeleteRequest(_Body):
    """``POST /collections/{name}/points/delete``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"points": [7, 8]}]})

    points: list[Id] | None = Field(None, max_length=10000)
    filter: Filter | None = None


class IndexRequest(_Body):
    """``POST /collections/{name}/index``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"type": "IVF_PQ", "num_partitions": 256}]},
    )

    type: Literal["IVF_PQ", "IVF_HNSW_SQ", "IVF_HNSW_PQ", "IVF_FLAT", "IVF_SQ"] = "IVF_PQ"
    num_partitions: int | None = Field(None, ge=1, le=65536)
    num_sub_vectors: int | None = Field(None, ge=1, le=65536)
    m: int = Field(20, ge=2, le=256)
    ef_construction: int = Field(300, ge=8, le=10000)


class WarmRequest(_Body):
    """``POST /collections/{name}/warm``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"mode": "exact"}, {"mode": "HNSW32"}]}
    )

    mode: str = Field("exact", description="exact, or an in-memory index spec (SQ8, HNSW32...).")


class RestoreRequest(_Body):
    """``POST /collections/{name}/restore``."""

    version: int | str


class TagRequest(_Body):
    """``POST /collections/{name}/tags``."""

    name: str
    version: int | None = None


class EmbedRequest(_Body):
    """``POST /embed``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"texts": ["a claim", "an abstract"]}]}
    )

    texts: list[str] = Field(min_length=1, max_length=256)
    model: str = "minilm"


class ProjectionRequest(_Body):
    """``POST /collections/{name}/projections``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"method": "pca"}, {"method": "umap", "params": {"n_neighbors": 30}}]
        },
    )

    method: str = Field("pca", description="pca, tsne (extra tsne) or umap (extra umap).")
    params: dict[str, Any] | None = Field(None, description="The method's parameters.")
    max_points: int | None = Field(
        None,
        ge=1,
        description="Above this many points a uniform random sample is mapped (default "
        "100,000 or the server's limit when lower).",
    )
    seed: int = Field(0, ge=0, le=2**32 - 1)
    version: int | str | None = Field(None, description="Map the collection at a version/tag.")


class MapSearchRequest(_Body):
    """``POST /collections/{name}/projections/{id}/search``."""

    q: str = Field(min_length=1, max_length=1000)
    by: Literal["auto", "id", "payload", "text"] = "auto"
    limit: int = Field(100, ge=1, le=1000, description="Points of a text search.")


class ProjectionRef(_Body):
    """A projection of a collection."""

    collection: str
    projection: str


class CompareRequest(_Body):
    """``POST /compare``."""

    a: ProjectionRef
    b: ProjectionRef
    k: int = Field(10, ge=1, le=100)


class ExportRequest(_Body):
    """``POST /collections/{name}/export``."""

    ids: list[Id] = Field(min_length=1, max_length=1_000_000)
    format: Literal["csv", "parquet"] = "csv"
