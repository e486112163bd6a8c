"""Every published figure embedlab quotes, with its source: the one cited place.

Benchmark tables (``benchmarks/sections``) print these as "paper reference" rows, and the
reproductions (:mod:`embedlab.bench.reproduce`) compare against them where the paper's baseline
cannot be computed in the same run. Nothing else in the benchmarks or the reproductions may be a
constant: every other number is measured.

Each figure is a :class:`Reference`: the paper (authors, title, venue and year), where in it
(table or figure), the data set, the metric, the value and the setting it was obtained in.

Examples
--------
>>> from embedlab.bench.references import REFERENCES, reference
>>> r = reference("fastrp-blogcatalog-micro_f1@0.1")
>>> r.value, r.dataset
(0.372, 'blogcatalog')
>>> all(ref.key == key for key, ref in REFERENCES.items())
True
"""

from __future__ import annotations

from dataclasses import dataclass

from embedlab.exceptions import InvalidInputError

__all__ = ["PAPERS", "REFERENCES", "Reference", "reference"]

#: the papers quoted, by short name: authors, title, venue and year
PAPERS: dict[str, str] = {
    "fastrp": (
        "H. Chen, S. F. Sultan, Y. Tian, M. Chen, S. Skiena, 'Fast and Accurate Network "
        "Embeddings via Very Sparse Random Projection', CIKM 2019"
    ),
    "deepwalk": (
        "B. Perozzi, R. Al-Rfou, S. Skiena, 'DeepWalk: Online Learning of Social "
        "Representations', KDD 2014"
    ),
    "node2vec": (
        "A. Grover, J. Leskovec, 'node2vec: Scalable Feature Learning for Networks', KDD 2016"
    ),
    "gradco": (
        "S. F. L. Windels, N. Malod-Dognin, N. Pržulj, 'Graphlets correct for the topological "
        "information missed by random walks', arXiv:2405.14194, 2024"
    ),
    "muvera": (
        "L. Dhulipala, M. Hadian, R. Jayaram, J. Lee, V. Mirrokni, 'MUVERA: Multi-Vector "
        "Retrieval via Fixed Dimensional Encodings', NeurIPS 2024"
    ),
    "graphhash": (
        "X. Wu et al., 'GraphHash: Graph Clustering Enables Parameter Efficiency in "
        "Recommender Systems', WWW 2025"
    ),
    "monolith": (
        "Z. Liu et al., 'Monolith: Real Time Recommendation System With Collisionless "
        "Embedding Table', ORSUM workshop at RecSys 2022"
    ),
    "unified-embedding": (
        "B. Coleman et al., 'Unified Embedding: Battle-Tested Feature Representations for "
        "Web-Scale ML Systems', NeurIPS 2023"
    ),
    "lightgcn": (
        "X. He, K. Deng, X. Wang, Y. Li, Y. Zhang, M. Wang, 'LightGCN: Simplifying and "
        "Powering Graph Convolution Network for Recommendation', SIGIR 2020"
    ),
    "ngcf": (
        "X. Wang, X. He, M. Wang, F. Feng, T.-S. Chua, 'Neural Graph Collaborative "
        "Filtering', SIGIR 2019"
    ),
    "facenet": (
        "F. Schroff, D. Kalenichenko, J. Philbin, 'FaceNet: A Unified Embedding for Face "
        "Recognition and Clustering', CVPR 2015"
    ),
    "ebv": (
        "Y. Shen, X. Sun, X.-S. Wei, Q.-Y. Jiang, J. Yang, 'Equiangular Basis Vectors', CVPR 2023"
    ),
    "memoryformer": (
        "N. Ding, Y. Tang, H. Qin, Z. Zhou, C. Xu, L. Li, K. Han, H. Liao, Y. Wang, "
        "'MemoryFormer: Minimize Transformer Computation by Removing Fully-Connected Layers', "
        "NeurIPS 2024"
    ),
    "mot": (
        "W. Liang, L. Yu, L. Luo, S. Iyer, N. Dong, C. Zhou, G. Ghosh, M. Lewis, W. Yih, "
        "L. Zettlemoyer, X. V. Lin, 'Mixture-of-Transformers: A Sparse and Scalable "
        "Architecture for Multi-Modal Foundation Models', arXiv 2411.04996, 2024"
    ),
    "ofa": (
        "Y. Liu, P. Lin, M. Wang, H. Schuetze, 'OFA: A Framework of Initializing Unseen "
        "Subword Embeddings for Efficient Large-scale Multilingual Continued Pretraining', "
        "Findings of NAACL 2024"
    ),
    "m2trec": (
        "W. Shalaby, S. Oh, A. Afsharinejad, S. Kumar, X. Cui, 'M2TRec: Metadata-aware "
        "Multi-task Transformer for Large-scale and Cold-start free Session-based "
        "Recommendations', RecSys 2022"
    ),
    "metrix": (
        "S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, 'It "
        "Takes Two to Tango: Mixup for Deep Metric Learning', ICLR 2022"
    ),
    "simlap": (
        "J. Wu et al., 'Rethinking Positive Pairs in Contrastive Learning' (SimLAP), arXiv 2024 "
        "(reference code erow/FastSSL, model/simlap.py)"
    ),
    "m2mix": (
        "J. So, C. Oh et al., 'Geodesic Multi-Modal Mixup for Robust Fine-Tuning', NeurIPS 2023"
    ),
    "adsl": (
        "S. Adiga Vasudeva, J. Dolz, H. Lombaert, 'Attention-based Dynamic Subspace Learners for "
        "Medical Image Analysis', arXiv 2022 (reference code adigasu/Dynamic_subspace_learners)"
    ),
    "nfe": ("C. Xiao, X. He, Y. Cao, 'Knowledge Graph Embedding by Normalizing Flows', AAAI 2023"),
    "hypercomplex": (
        "M. Nayyeri, Z. Wang, M. M. Akter, M. M. Alam, M. R. A. H. Rony, J. Lehmann, S. Staab, "
        "'Integrating Knowledge Graph Embeddings and Pre-trained Language Models in "
        "Hypercomplex Spaces', ISWC 2023"
    ),
    "mteb": (
        "N. Muennighoff, N. Tazi, L. Magne, N. Reimers, 'MTEB: Massive Text Embedding "
        "Benchmark', EACL 2023"
    ),
}


@dataclass(frozen=True)
class Reference:
    """One published figure.

    Parameters
    ----------
    key : str
        Its name in :data:`REFERENCES` (``"<paper>-<dataset>-<metric>"``).
    paper : str
        The short name of the paper in :data:`PAPERS`.
    where : str
        Where in the paper (``"Table 2"``).
    dataset : str
        The data set, by its embedlab name.
    metric : str
        The metric, by the key embedlab's evaluators return (``"micro_f1@0.1"``).
    value : float
        The figure, as a fraction (F1 0.372, not 37.2).
    setting : str
        The setting it was obtained in.

    Examples
    --------
    >>> reference("lightgcn-gowalla-recall@20").citation
    'He et al., SIGIR 2020, overall comparison with NGCF (Table 4)'
    """

    key: str
    paper: str
    where: str
    dataset: str
    metric: str
    value: float
    setting: str = ""

    @property
    def citation(self) -> str:
        """``'<first author> et al., <venue year>, <where>'``: short enough for a table."""
        full = PAPERS[self.paper]
        first = full.split(",")[0].split()[-1]
        venue = full.rsplit("',", 1)[-1].strip()
        return f"{first} et al., {venue}, {self.where}"


def _refs(*refs: Reference) -> dict[str, Reference]:
    return {r.key: r for r in refs}


_FASTRP_SETTING = (
    "the authors' code: d = 512, weights [0, 0, 1, 6.67], beta = -0.64, one-vs-rest logistic "
    "regression with C = 0.1, top-k prediction (DeepWalk protocol)"
)

#: every published figure quoted by the benchmarks and the reproductions, by key
REFERENCES: dict[str, Reference] = _refs(
    *(
        Reference(
            f"fastrp-blogcatalog-{avg}_f1@{ratio}",
            "fastrp",
            "the authors' notebook (GTmac/FastRP, fast-random-projection-blogcatalog.ipynb)",
            "blogcatalog",
            f"{avg}_f1@{ratio}",
            value,
            _FASTRP_SETTING,
        )
        for (avg, ratio), value in {
            ("micro", "0.1"): 0.372,
            ("macro", "0.1"): 0.228,
            ("micro", "0.5"): 0.412,
            ("macro", "0.5"): 0.275,
            ("micro", "0.9"): 0.426,
            ("macro", "0.9"): 0.280,
        }.items()
    ),
    Reference(
        "node2vec-blogcatalog-macro_f1@0.5",
        "node2vec",
        "Table 2",
        "blogcatalog",
        "macro_f1@0.5",
        0.2581,
        "node2vec, d = 128, 10 walks of 80, window 10, p and q searched in {0.25, 0.5, 1, 2, 4}",
    ),
    Reference(
        "node2vec-blogcatalog-deepwalk-macro_f1@0.5",
        "node2vec",
        "Table 2",
        "blogcatalog",
        "macro_f1@0.5",
        0.2110,
        "DeepWalk as run by the node2vec paper, same walk budget",
    ),
    Reference(
        "lightgcn-gowalla-recall@20",
        "lightgcn",
        "overall comparison with NGCF (Table 4)",
        "gowalla",
        "recall@20",
        0.1830,
        "LightGCN, d = 64, full table, as reported in the paper",
    ),
    Reference(
        "lightgcn-gowalla-ndcg@20",
        "lightgcn",
        "overall comparison with NGCF (Table 4)",
        "gowalla",
        "ndcg@20",
        0.1554,
        "LightGCN, d = 64, full table, as reported in the paper",
    ),
    Reference(
        "ngcf-gowalla-mf-recall@20",
        "ngcf",
        "Table 2",
        "gowalla",
        "recall@20",
        0.1291,
        "MF with BPR, d = 64, full table",
    ),
    Reference(
        "mteb-scifact-ndcg@10",
        "mteb",
        "the paper's results (mtebpaper: results/all-MiniLM-L6-v2/SciFact.json)",
        "scifact",
        "ndcg@10",
        0.6451,
        "all-MiniLM-L6-v2, BEIR test split",
    ),
)


def reference(key: str) -> Reference:
    """Return the published figure registered under ``key``.

    Parameters
    ----------
    key : str
        A key of :data:`REFERENCES`.

    Returns
    -------
    Reference
        The figure with its citation.

    Examples
    --------
    >>> reference("ngcf-gowalla-mf-recall@20").value
    0.1291
    >>> reference("nope")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    embedlab.exceptions.InvalidInputError: Unknown reference 'nope'; choose one of: ...
    """
    if key not in REFERENCES:
        raise InvalidInputError(
            f"Unknown reference {key!r}; choose one of: {', '.join(sorted(REFERENCES))}."
        )
    return REFERENCES[key]
