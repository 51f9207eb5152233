"""Embedding shortlister: ranks the catalogue's scenarios for one conversation, without an LLM.

Why: Gemma 3 270M picks more reliably from a handful of candidates than from
22. :class:`Shortlister` ranks every scenario for a conversation; the LLM
classifier keeps the top k (plus ``unclear``). Its top-1 (:meth:`predict`)
also serves as a fallback classifier when the LLM is unavailable.

How: each line of the conversation ("speaker: text", as
:func:`referee.classifier.render.shortlist_text` gives it) is embedded with
all-MiniLM-L6-v2 (:mod:`referee.embeddings`, numpy only). Lines rather than
the whole text, because the model reads at most 256 word pieces and the line
that names the reason is often near the end. A conversation becomes the
concatenation of

* the mean of all its line vectors,
* the mean of the customer's lines and the mean of the professional's lines
  (who says "nobody came" separates ``pro_no_show`` from
  ``cust_not_available``),
* the element-wise max over lines (one decisive sentence should not be
  averaged away by greetings),

each L2-normalised. A softmax-regression model (numpy, trained at first use)
over these features, fitted on the project's synthetic training data
(``data/training/train.jsonl``, made by ``scripts/gen_training_data.py``) plus
the catalogue descriptions, scores the scenarios.

A second softmax regression reads words instead of meanings: hashed word
unigrams and bigrams, once plain and once tagged with the speaker
(:func:`ngram_features`). MiniLM is an English model and reads romanised Hindi
("nahi aa paunga", "ghar pe nahi hoon") poorly; exact words carry those calls.
The two models' probabilities are averaged (``ngram_weight``): on the dev cases
the pair is right more often than either alone. ``method="centroid"`` and
``method="knn"`` are kept for comparison (see
``docs/benchmarks-classifier-accuracy.md``).

The pair is fitted more than once: on ``training_path`` and on each file of
``member_paths``, the same generator run with other seeds, and the members'
probabilities are averaged. Why: which template draws a seed makes moves the
scores on real wording a lot (dev macro-F1 0.861 at one seed, 0.814 at
another, same code); the average of several fits depends less on that luck.

Every member also fits the files of ``shared_paths``: 924 cases written by
hand for training (``data/training/README.md``). Templates give many
conversations in few wordings; these give few conversations in many. On
held-out sets they lifted macro-F1 by 0.07-0.21, and by 0.10 on the spec's
dev cases, whose author wrote neither them nor the probe sets.

The fitted index is keyed by a hash of the training files, the catalogue, the
options and the model weights' SHA-256, so a change to any of them rebuilds it.
The project ships the index fitted on its own training data
(``data/training/shortlist-index.npz``, written by ``scripts/fit_shortlist.py``;
a test fails when it is stale), so a fresh install scores at once. Any other
index is built at first use and cached under ``settings.cache_dir/shortlist/``;
line embeddings are cached separately so rebuilding after an option change is
cheap.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import logging
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from referee.embeddings import EmbeddingOptions, embedding_package_available
from referee.scenarios import UNCLEAR, Catalogue, load_catalogue
from referee.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from referee.embeddings import Embedder
    from referee.settings import Settings

log = logging.getLogger(__name__)

#: Bump when the index layout or the feature recipe changes: old caches are then ignored.
INDEX_VERSION = 6
SPEAKERS = ("customer", "professional")
#: Cached indexes kept per cache dir (one per training file and option set in use).
_KEEP_INDEXES = 4
_SPEAKER_LINE = re.compile(r"^\s*(customer|professional|unknown|system)\s*:\s*(.*)$", re.I)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


class ShortlistOptions(BaseModel):
    """Knobs of the shortlister. Defaults are the measured best (see the benchmark doc)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    k: int = Field(default=6, ge=1, description="Candidates returned when the caller gives no k.")
    method: Literal["linear", "centroid", "knn"] = Field(
        default="linear",
        description="linear: softmax regression over the features (best); centroid: cosine "
        "to each scenario's mean feature; knn: similarity-weighted vote of the nearest cases.",
    )
    training_path: Path = Field(
        default=PROJECT_ROOT / "data" / "training" / "train.jsonl",
        description="Labelled cases (eval format) the index is fitted on.",
    )
    member_paths: tuple[Path, ...] = Field(
        default=tuple(
            PROJECT_ROOT / "data" / "training" / f"train-seed{seed}.jsonl.gz"
            for seed in (101, 102, 103)
        ),
        description="Training files (eval format, .jsonl or .jsonl.gz) of further members "
        "of the ensemble ('linear' only): each is fitted like training_path and the "
        "members' probabilities are averaged. () fits training_path alone. The defaults "
        "are the generator's member_seeds.",
    )
    shared_paths: tuple[Path, ...] = Field(
        default=(PROJECT_ROOT / "data" / "training" / "written.jsonl.gz",),
        description="Training files (eval format) every member fits on besides its own: "
        "the hand-written cases (data/training/README.md). Conversations worded by people "
        "rather than by the generator's templates; too few to fit a member on alone.",
    )
    max_per_scenario: int | None = Field(
        default=None,
        ge=1,
        description="Use at most this many training cases per scenario (first in file "
        "order); None uses all. Smaller builds faster.",
    )
    include_descriptions: bool = Field(
        default=True, description="Add each catalogue description as one more training example."
    )
    max_lines: int = Field(
        default=80, ge=1, description="Lines of a conversation embedded (the first and last)."
    )
    shipped_index: Path | None = Field(
        default=PROJECT_ROOT / "data" / "training" / "shortlist-index.npz",
        description="A pre-fitted index, used when its key matches these options and "
        "files (else ignored and rebuilt). None always builds.",
    )
    knn_neighbours: int = Field(default=15, ge=1, description="Neighbours for method='knn'.")
    l2: float = Field(default=1e-3, ge=0, description="L2 penalty of the softmax regression.")
    epochs: int = Field(default=300, ge=1, description="Full-batch Adam steps of the regression.")
    learning_rate: float = Field(default=0.05, gt=0, description="Adam step size.")
    temperature: float = Field(
        default=1.0, gt=0, description="Softmax temperature of the returned scores."
    )
    ngram_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the word n-gram model in the averaged probabilities ('linear' "
        "only); 0 uses the embedding model alone, 1 the n-gram model alone.",
    )
    ngram_l2: float = Field(
        default=1e-4,
        ge=0,
        description="L2 penalty of the n-gram regression. Its features are sparse and each "
        "weak, so it needs a lighter penalty than the embedding model (at 1e-3 its "
        "probabilities stay nearly flat).",
    )
    ngram_bits: int = Field(
        default=15,
        ge=8,
        le=20,
        description="The n-gram model hashes words into 2**ngram_bits features. Fewer "
        "bits build faster and collide more.",
    )
    embedding: EmbeddingOptions = Field(default_factory=EmbeddingOptions)


# ------------------------------------------------------------------------------ text


def case_text(case: dict[str, Any]) -> str:
    """The shortlister's input for one eval-format case line, the way the classifier builds it.

    The app's reason first, spoken by whoever cancelled, then the call, then
    the chat: one ``speaker: text`` line each (as ``render.shortlist_text``).
    """
    lines: list[str] = []
    cancellation = case.get("cancellation") or {}
    reason = (cancellation.get("reason_selected") or "").strip()
    if reason:
        by = cancellation.get("cancelled_by")
        speaker = by if by in SPEAKERS else "unknown"
        lines.append(f"{speaker}: {reason}")
    for u in case.get("transcript") or []:
        if str(u.get("text", "")).strip():
            lines.append(f"{u.get('speaker', 'unknown')}: {str(u['text']).strip()}")
    for m in case.get("chat") or []:
        if str(m.get("text", "")).strip():
            lines.append(f"{m.get('from', 'unknown')}: {str(m['text']).strip()}")
    return "\n".join(lines)


def split_lines(text: str, max_lines: int) -> list[tuple[str, str]]:
    """(speaker, line) pairs; a line without a known speaker prefix counts as 'unknown'."""
    out: list[tuple[str, str]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        m = _SPEAKER_LINE.match(raw)
        speaker = m.group(1).lower() if m else "unknown"
        out.append((speaker, raw.strip()))
    if len(out) > max_lines:
        # Keep both ends: the opening says who called, the end says who called it off.
        half = max_lines // 2
        out = out[:half] + out[-(max_lines - half) :]
    return out


# ------------------------------------------------------------------------------ cache


class LineCache:
    """Embeddings of single lines, in memory and (optionally) in one .npy pair on disk."""

    def __init__(self, embedder: Embedder, path: Path | None) -> None:
        self.embedder = embedder
        self.path = path
        self._vecs: dict[str, NDArray[np.float32]] = {}
        self._dirty = False
        if path is not None and path.with_suffix(".keys.json").is_file():
            try:
                keys = json.loads(path.with_suffix(".keys.json").read_text())
                arr = np.load(path.with_suffix(".npy"))
                if len(keys) == len(arr):
                    self._vecs = {k: arr[i] for i, k in enumerate(keys)}
            except (OSError, ValueError) as exc:  # a damaged cache is rebuilt, not fatal
                log.warning("ignoring damaged line cache %s: %s", path, exc)

    @staticmethod
    def key(line: str) -> str:
        return hashlib.sha1(line.encode("utf-8")).hexdigest()

    def embed(self, lines: Sequence[str], remember: bool = True) -> NDArray[np.float32]:
        """Vectors for ``lines``. ``remember=False`` (queries) uses the cache but adds nothing:
        the disk cache holds training lines only, so it does not grow with traffic."""
        keys = [self.key(s) for s in lines]
        todo = sorted(
            {k: s for k, s in zip(keys, lines, strict=True) if k not in self._vecs}.items()
        )
        fresh: dict[str, NDArray[np.float32]] = {}
        if todo:
            vecs = self.embedder.encode([s for _, s in todo])
            fresh = {k: v for (k, _), v in zip(todo, vecs, strict=True)}
            if remember:
                self._vecs.update(fresh)
                self._dirty = True
        if not keys:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([fresh[k] if k in fresh else self._vecs[k] for k in keys])

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self._vecs)
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        np.save(tmp.with_suffix(".npy"), np.stack([self._vecs[k] for k in keys]))
        tmp.with_suffix(".keys.json").write_text(json.dumps(keys))
        tmp.with_suffix(".npy").replace(self.path.with_suffix(".npy"))
        tmp.with_suffix(".keys.json").replace(self.path.with_suffix(".keys.json"))
        self._dirty = False


# ------------------------------------------------------------------------------ features


def _unit(v: NDArray[np.float32]) -> NDArray[np.float32]:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v


def features(lines: Sequence[tuple[str, str]], vecs: NDArray[np.float32]) -> NDArray[np.float32]:
    """One conversation's feature vector from its lines' embeddings (see module doc)."""
    dim = vecs.shape[1]
    if len(lines) == 0:
        return np.zeros(4 * dim, dtype=np.float32)
    blocks = [_unit(vecs.mean(axis=0))]
    for who in SPEAKERS:
        rows = [i for i, (s, _) in enumerate(lines) if s == who]
        blocks.append(_unit(vecs[rows].mean(axis=0)) if rows else np.zeros(dim, np.float32))
    blocks.append(_unit(vecs.max(axis=0)))
    return np.concatenate(blocks).astype(np.float32)


def ngram_features(lines: Sequence[tuple[str, str]], bits: int) -> NDArray[np.float32]:
    """Hashed word unigrams and bigrams of one conversation, L2-normalised.

    Each n-gram counts twice: plainly, and tagged with its speaker (the
    customer saying "not at home" is another case than the professional
    saying it). Counts are log-damped so a repeated filler cannot dominate,
    and a second hash bit gives each feature a sign, which keeps collisions
    from adding up (the "hashing trick").
    """
    counts: Counter[str] = Counter()
    for speaker, line in lines:
        m = _SPEAKER_LINE.match(line)
        words = _WORD.findall((m.group(2) if m else line).lower())
        grams = words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]
        tag = speaker[0]
        for g in grams:
            counts[g] += 1
            counts[f"{tag}:{g}"] += 1
    size = 1 << bits
    x = np.zeros(size, dtype=np.float32)
    for gram, n in counts.items():
        h = zlib.crc32(gram.encode("utf-8"))
        sign = 1.0 if (h >> 31) & 1 else -1.0
        x[h % size] += sign * (1.0 + float(np.log(n)))
    return _unit(x)


def _softmax(z: NDArray[np.float32]) -> NDArray[np.float32]:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: NDArray[np.float32] = e / e.sum(axis=-1, keepdims=True)
    return out


def fit_softmax(
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    n_classes: int,
    *,
    l2: float,
    epochs: int,
    lr: float,
    sample_weight: NDArray[np.float32] | None = None,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Multinomial logistic regression, full-batch Adam; deterministic (zero init)."""
    n, d = x.shape
    w = np.zeros((d, n_classes), dtype=np.float32)
    b = np.zeros(n_classes, dtype=np.float32)
    onehot = np.eye(n_classes, dtype=np.float32)[y]
    sw = np.ones(n, dtype=np.float32) if sample_weight is None else sample_weight
    sw = (sw / sw.sum()).astype(np.float32)
    m_w, v_w = np.zeros_like(w), np.zeros_like(w)
    m_b, v_b = np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, epochs + 1):
        p = _softmax(x @ w + b)
        g = (p - onehot) * sw[:, None]
        gw = x.T @ g + l2 * w
        gb = g.sum(axis=0)
        m_w = beta1 * m_w + (1 - beta1) * gw
        v_w = beta2 * v_w + (1 - beta2) * gw * gw
        m_b = beta1 * m_b + (1 - beta1) * gb
        v_b = beta2 * v_b + (1 - beta2) * gb * gb
        c1, c2 = 1 - beta1**t, 1 - beta2**t
        w -= lr * (m_w / c1) / (np.sqrt(v_w / c2) + eps)
        b -= lr * (m_b / c1) / (np.sqrt(v_b / c2) + eps)
    return w.astype(np.float32), b.astype(np.float32)


def _read_training(path: Path, ids: Sequence[str], cap: int | None) -> list[tuple[str, str]]:
    """(text, scenario) pairs from an eval-format file, skipping unknown scenarios."""
    known = set(ids)
    counts: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            case = json.loads(raw)
            sid = (case.get("label") or {}).get("scenario")
            if sid not in known:
                continue
            if cap is not None and counts.get(sid, 0) >= cap:
                continue
            counts[sid] = counts.get(sid, 0) + 1
            out.append((case_text(case), sid))
    return out


# ------------------------------------------------------------------------------ shortlister


class Shortlister:
    """Ranks scenario ids for a conversation text; see the module docstring."""

    def __init__(
        self,
        catalogue: Catalogue,
        embedder: Embedder,
        options: ShortlistOptions | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.embedder = embedder
        self.options = options or ShortlistOptions()
        self.cache_dir = cache_dir
        self.ids: tuple[str, ...] = catalogue.ids
        line_cache = None
        if cache_dir is not None:
            line_cache = cache_dir / "shortlist" / f"lines-{self.options.embedding.sha256[:16]}"
        self.lines = LineCache(embedder, line_cache)
        self._index: dict[str, NDArray[Any]] | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, options: ShortlistOptions | None = None
    ) -> Shortlister | None:
        """A shortlister for these settings, or None when the embedding package is not installed.

        The index is built on the first call to :meth:`shortlist`, not here,
        so constructing one costs only loading the 90 MB of weights.
        """
        options = options or ShortlistOptions()
        if not embedding_package_available(options.embedding):
            log.info("embedding package %s not installed: no shortlist", options.embedding.package)
            return None
        from referee.embeddings import Embedder

        catalogue = load_catalogue(settings.scenarios_path)
        embedder = Embedder.from_options(options.embedding)
        return cls(catalogue, embedder, options, cache_dir=Path(settings.cache_dir))

    # -------------------------------------------------------------- index

    def _index_key(self) -> str:
        digest = hashlib.sha256()
        digest.update(f"v{INDEX_VERSION}".encode())
        # Knobs that only change scoring stay out of the key: changing them needs no rebuild.
        # Paths stay out too (the bytes they point at are hashed), so the key is the
        # same in every checkout and the shipped index can match it.
        knobs = self.options.model_dump(
            mode="json",
            exclude={
                "k",
                "ngram_weight",
                "temperature",
                "training_path",
                "member_paths",
                "shared_paths",
                "shipped_index",
            },
        )
        knobs["embedding"].pop("model_dir", None)
        digest.update(json.dumps(knobs, sort_keys=True).encode())
        digest.update(Path(self.catalogue.path).read_bytes())
        for path in [*self._training_files(), *self.options.shared_paths]:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()[:24]

    def _training_files(self) -> list[Path]:
        """The file of each fitted member, first member first (one unless 'linear')."""
        opts = self.options
        members = list(opts.member_paths) if opts.method == "linear" else []
        return [opts.training_path, *members]

    def _members(self) -> list[str]:
        """Key prefix of each member's arrays in the index: '' for the first, then 'm1_', ..."""
        return [""] + [f"m{i}_" for i in range(1, len(self._training_files()))]

    def featurise(self, texts: Sequence[str], remember: bool = False) -> NDArray[np.float32]:
        """Feature rows for texts; embeds every distinct line once (``remember``: cache them)."""
        split = [split_lines(t, self.options.max_lines) for t in texts]
        all_lines = [s for lines in split for _, s in lines]
        vecs = self.lines.embed(all_lines, remember=remember)
        out = np.zeros((len(texts), 4 * self.embedder.dim), dtype=np.float32)
        pos = 0
        for i, lines in enumerate(split):
            out[i] = features(lines, vecs[pos : pos + len(lines)])
            pos += len(lines)
        return out

    def ngram_featurise(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Hashed n-gram rows for texts (see :func:`ngram_features`)."""
        bits = self.options.ngram_bits
        out = np.zeros((len(texts), 1 << bits), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = ngram_features(split_lines(t, self.options.max_lines), bits)
        return out

    def _training_set(self, path: Path) -> tuple[list[str], NDArray[np.int64], NDArray[np.float32]]:
        """Texts, label indexes and sample weights of one member: its file, the shared
        files and the descriptions."""
        pairs = _read_training(path, self.ids, self.options.max_per_scenario)
        for shared in self.options.shared_paths:
            pairs += _read_training(shared, self.ids, None)
        texts = [t for t, _ in pairs]
        labels = [s for _, s in pairs]
        weights = [1.0] * len(pairs)
        if self.options.include_descriptions:
            for sc in self.catalogue.scenarios:
                speaker = {"professional": "professional", "customer": "customer"}.get(
                    sc.side, "unknown"
                )
                texts.append(f"{speaker}: {sc.description}")
                labels.append(sc.id)
                weights.append(3.0)  # one line against dozens of cases: give it some weight
        missing = sorted(set(self.ids) - set(labels))
        if missing:
            log.warning("shortlist: no training examples for %s in %s", missing, path)
        y = np.array([self.ids.index(s) for s in labels], dtype=np.int64)
        return texts, y, np.array(weights, dtype=np.float32)

    def _fit_linear(
        self, texts: Sequence[str], x: NDArray[np.float32], y: NDArray[np.int64], sw: NDArray[Any]
    ) -> dict[str, NDArray[Any]]:
        """One member's two regressions: over the embedding features and over the n-grams."""
        opts = self.options

        def fit(features: NDArray[np.float32], l2: float) -> tuple[NDArray[Any], ...]:
            return fit_softmax(
                features,
                y,
                len(self.ids),
                l2=l2,
                epochs=opts.epochs,
                lr=opts.learning_rate,
                sample_weight=sw,
            )

        out: dict[str, NDArray[Any]] = {}
        out["w"], out["b"] = fit(x, opts.l2)
        # Fitted whatever ngram_weight is, so the weight can change without a rebuild.
        out["ngram_w"], out["ngram_b"] = fit(self.ngram_featurise(texts), opts.ngram_l2)
        return out

    def _build(self) -> dict[str, NDArray[Any]]:
        opts = self.options
        index: dict[str, NDArray[Any]] = {}
        for prefix, path in zip(self._members(), self._training_files(), strict=True):
            texts, y, sw = self._training_set(path)
            log.info("shortlist: embedding %d training texts of %s", len(texts), path.name)
            x = self.featurise(texts, remember=True)
            self.lines.save()
            if opts.method == "linear":
                fitted = self._fit_linear(texts, x, y, sw)
                index.update({prefix + k: v for k, v in fitted.items()})
            elif opts.method == "knn":  # keeps the training matrix (MBs): knn only
                index.update({"x": x, "y": y})
            else:
                cents = np.zeros((len(self.ids), x.shape[1]), dtype=np.float32)
                for c in range(len(self.ids)):
                    if (y == c).any():
                        cents[c] = _unit(x[y == c].mean(axis=0))
                index["centroids"] = cents
        return index

    def index(self) -> dict[str, NDArray[Any]]:
        """The fitted index: the shipped one or the cached one if current, else built and cached."""
        if self._index is not None:
            return self._index
        shipped = self.load_shipped()
        if shipped is not None:
            self._index = shipped
            return shipped
        path = None
        if self.cache_dir is not None:
            path = self.cache_dir / "shortlist" / f"index-{self._index_key()}.npz"
            if path.is_file():
                with np.load(path) as data:
                    self._index = {k: data[k] for k in data.files}
                return self._index
        self._index = self._build()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + f".tmp{os.getpid()}.npz")
            # numpy's stubs mistake **arrays for the allow_pickle flag.
            savez: Any = np.savez
            savez(tmp, **self._index)
            tmp.replace(path)
            # Old indexes (other data or options) are dead weight: keep the newest few.
            olds = sorted(path.parent.glob("index-*.npz"), key=lambda p: p.stat().st_mtime)
            for old in olds[:-_KEEP_INDEXES]:
                old.unlink(missing_ok=True)
        return self._index

    def load_shipped(self) -> dict[str, NDArray[Any]] | None:
        """The shipped index if it exists and was fitted on these files and options."""
        path = self.options.shipped_index
        if path is None or not path.is_file():
            return None
        try:
            with np.load(path) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable shipped index %s: %s", path, exc)
            return None
        key = str(arrays.pop("key", np.array("")))
        if key != self._index_key():
            log.info("shipped index %s is for other data or options: rebuilding", path)
            return None
        return arrays

    def write_shipped(self, path: Path) -> None:
        """Fit the index afresh and write it, with its key, to ``path`` (compressed)."""
        index = self._build()
        path.parent.mkdir(parents=True, exist_ok=True)
        savez: Any = np.savez_compressed  # see index(): numpy's stubs and **arrays
        savez(path, key=np.array(self._index_key()), **index)

    # -------------------------------------------------------------- scoring

    def component_scores(
        self, texts: Sequence[str], members: int | None = None
    ) -> dict[str, NDArray[np.float32]]:
        """Each linear model's probabilities, unmixed: {"embedding": ..., "ngram": ...}.

        Each is the mean over the ensemble's members, or over its first
        ``members`` (1: the fit on ``training_path`` alone). For benchmarks that
        compare the models side by side in one run.
        """
        idx = self.index()
        if self.options.method != "linear":
            raise ValueError("component scores exist for method='linear' only")
        t = self.options.temperature
        prefixes = self._members()[: members or None]
        x, xn = self.featurise(texts), self.ngram_featurise(texts)
        emb = [_softmax((x @ idx[p + "w"] + idx[p + "b"]) / t) for p in prefixes]
        ngram = [_softmax((xn @ idx[p + "ngram_w"] + idx[p + "ngram_b"]) / t) for p in prefixes]
        return {
            "embedding": np.mean(emb, axis=0, dtype=np.float32),
            "ngram": np.mean(ngram, axis=0, dtype=np.float32),
        }

    def scores(self, texts: Sequence[str], members: int | None = None) -> NDArray[np.float32]:
        """A (len(texts), len(ids)) matrix of scenario scores; rows sum to 1 for 'linear'.

        ``members``: average only the ensemble's first ones (for side-by-side benchmarks).
        """
        opts = self.options
        if opts.method == "linear":
            parts = self.component_scores(texts, members)
            mixed: NDArray[np.float32] = (1 - opts.ngram_weight) * parts[
                "embedding"
            ] + opts.ngram_weight * parts["ngram"]
            return mixed
        idx = self.index()
        x = self.featurise(texts)
        if opts.method == "centroid":
            n_blocks = 4
            sims: NDArray[np.float32] = (x @ idx["centroids"].T) / n_blocks
            return sims
        # knn: similarity-weighted votes of the nearest training cases
        train_x, train_y = idx["x"], idx["y"]
        sims = (x @ train_x.T) / 4.0
        out = np.zeros((len(texts), len(self.ids)), dtype=np.float32)
        kn = min(opts.knn_neighbours, len(train_y))
        for i in range(len(texts)):
            nn = np.argpartition(-sims[i], kn - 1)[:kn]
            for j in nn:
                out[i, train_y[j]] += max(float(sims[i, j]), 0.0)
        total = out.sum(axis=1, keepdims=True)
        result: NDArray[np.float32] = np.where(total > 0, out / np.maximum(total, 1e-12), out)
        return result

    def rank(
        self, texts: Sequence[str], members: int | None = None
    ) -> list[list[tuple[str, float]]]:
        """Every scenario, best first, with its score, for each text (``members``: see scores)."""
        sc = self.scores(texts, members)
        out = []
        for row in sc:
            order = np.argsort(-row, kind="stable")
            out.append([(self.ids[j], float(row[j])) for j in order])
        return out

    def shortlist(self, text: str, k: int, members: int | None = None) -> list[tuple[str, float]]:
        """The k best scenario ids for ``text``, best first, with scores.

        ``unclear`` is ranked like any other id; the LLM classifier adds it to
        its candidates anyway. An empty text gives ``unclear`` first.
        """
        if not text.strip():
            ranked = [(UNCLEAR, 1.0)] + [(s, 0.0) for s in self.ids if s != UNCLEAR]
            return ranked[:k]
        return self.rank([text], members)[0][: max(k, 0)]

    def predict(self, text: str, members: int | None = None) -> tuple[str, float]:
        """The single best scenario and its score: a fallback when no LLM is available."""
        return self.shortlist(text, 1, members)[0]


def iter_case_texts(path: Path) -> Iterable[tuple[str, str | None]]:
    """(text, labelled scenario or None) for each case line of an eval-format file."""
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            if raw.strip():
                case = json.loads(raw)
                yield case_text(case), (case.get("label") or {}).get("scenario")
