"""Embedding layers and blocks for large models (PyTorch, the ``[torch]`` extra).

One module per method, each with its paper's equations and cost in the docstring, usable inside
the small causal transformer here (:class:`TinyTransformer`): MemoryFormer's hashed memory layer
(a drop-in for ``nn.Linear``) and block, Mixture-of-Transformers' modality-untied block, and OFA's
initialisation of new tokens' embeddings from a factorised source matrix.
Nothing is imported until used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.layers.memoryformer import (
        MemoryFormerBlock,
        MemoryLayer,
        chunk_codes,
        chunk_weights,
    )
    from embedlab.layers.mot import MoTBlock, swiglu_width
    from embedlab.layers.ofa import (
        FactorizedEmbedding,
        OFAInit,
        factorize,
        gaussian_rows,
        ofa_initialize,
        subword_mean_rows,
        subword_vectors,
    )
    from embedlab.layers.training import (
        TrainingCurve,
        Windows,
        char_vocabulary,
        evaluate_lm,
        train_lm,
    )
    from embedlab.layers.transformer import (
        DenseLinear,
        TinyTransformer,
        causal_attention,
        linear_flops,
    )

_EXPORTS = {
    "MemoryFormerBlock": "embedlab.layers.memoryformer",
    "MemoryLayer": "embedlab.layers.memoryformer",
    "chunk_codes": "embedlab.layers.memoryformer",
    "chunk_weights": "embedlab.layers.memoryformer",
    "MoTBlock": "embedlab.layers.mot",
    "swiglu_width": "embedlab.layers.mot",
    "FactorizedEmbedding": "embedlab.layers.ofa",
    "OFAInit": "embedlab.layers.ofa",
    "factorize": "embedlab.layers.ofa",
    "gaussian_rows": "embedlab.layers.ofa",
    "ofa_initialize": "embedlab.layers.ofa",
    "subword_mean_rows": "embedlab.layers.ofa",
    "subword_vectors": "embedlab.layers.ofa",
    "TrainingCurve": "embedlab.layers.training",
    "Windows": "embedlab.layers.training",
    "char_vocabulary": "embedlab.layers.training",
    "evaluate_lm": "embedlab.layers.training",
    "train_lm": "embedlab.layers.training",
    "DenseLinear": "embedlab.layers.transformer",
    "TinyTransformer": "embedlab.layers.transformer",
    "causal_attention": "embedlab.layers.transformer",
    "linear_flops": "embedlab.layers.transformer",
}

__all__ = [
    "DenseLinear",
    "FactorizedEmbedding",
    "MemoryFormerBlock",
    "MemoryLayer",
    "MoTBlock",
    "OFAInit",
    "TinyTransformer",
    "TrainingCurve",
    "Windows",
    "causal_attention",
    "char_vocabulary",
    "chunk_codes",
    "chunk_weights",
    "evaluate_lm",
    "factorize",
    "gaussian_rows",
    "linear_flops",
    "ofa_initialize",
    "subword_mean_rows",
    "subword_vectors",
    "swiglu_width",
    "train_lm",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
