"""Grammar-constrained sampling that checks the grammar on the chosen token first.

Why this exists: llama-cpp-python's server builds its sampler chain as
penalties -> grammar -> greedy/dist, so the grammar is applied to every token
of the vocabulary at every step. Gemma 3 has a 262,144-token vocabulary, and
on this 2-core machine that check cost about 60 ms per generated token: more
than half of a classification's wall time (``scripts/bench_server.py``
measures both ways side by side).

llama.cpp's own server avoids that cost (``common_sampler_sample``): it
samples without the grammar, asks the grammar whether that one token is
allowed, and only if not applies the grammar to the whole vocabulary and
samples again. :class:`GrammarVetoSampler` does the same, and
:func:`install` makes llama-cpp-python use it whenever a request carries a
grammar (the JSON-schema ``response_format`` the classifier sends). Requests
without a grammar are untouched.

The answer does not change at temperature 0 (the classifier's default): the
most likely token is either allowed, and then it is also the most likely
allowed token, or it is not, and then the grammar is applied first as before.
``tests/classifier/test_sampling.py`` checks token-for-token equality against
the stock sampler on the real model. At a temperature above 0 a token is drawn
from the top-k / top-p of the whole vocabulary first, as in llama.cpp's own
server, so answers can differ from llama-cpp-python's order (which truncates
among allowed tokens only); both keep to the grammar.

It lives in the embedded server's process only (``_serve.py`` calls
:func:`install`); the production path talks to whatever server the user runs.
"""

from __future__ import annotations

import ctypes
import logging
import math
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import llama_cpp as lib

_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)

log = logging.getLogger(__name__)


class GrammarVetoSampler:
    """Samples with ``chain`` (no grammar), then lets the grammar veto that one token.

    ``chain`` is the stock llama-cpp-python sampler chain built without the
    grammar; the grammar gets its own llama.cpp sampler. Both are told every
    accepted token, so penalties and the grammar's state advance as before.
    Has the one method :class:`llama_cpp.Llama` calls: ``sample(ctx, idx)``.
    """

    def __init__(self, llama: llama_cpp.Llama, chain: Any, grammar: Any) -> None:
        self._chain = chain  # a llama_cpp._internals.LlamaSampler
        self._grammar = None  # set before anything can fail: close() reads it
        self._n_vocab = llama.n_vocab()
        self._grammar = lib.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        if not self._grammar:
            raise ValueError("llama.cpp could not parse the grammar")
        self._ids = np.arange(self._n_vocab, dtype=np.int32)
        self._data = np.zeros(self._n_vocab, dtype=_TOKEN_DATA)
        self._one = np.zeros(1, dtype=_TOKEN_DATA)
        #: Steps where the grammar vetoed the model's own choice (tests read it).
        self.resampled = 0

    def sample(self, ctx: Any, idx: int = -1) -> int:
        logits = np.ctypeslib.as_array(lib.llama_get_logits_ith(ctx.ctx, idx), (self._n_vocab,))
        token = self._apply(logits, grammar=False)
        if not self._allowed(token):
            self.resampled += 1
            token = self._apply(logits, grammar=True)
        lib.llama_sampler_accept(self._grammar, token)
        self._chain.accept(token)
        return token

    def _apply(self, logits: np.ndarray, *, grammar: bool) -> int:
        # Ids too, every time: a chain with top-k sorts the array in place.
        self._data["id"] = self._ids
        self._data["logit"] = logits
        self._data["p"] = 0.0
        cur = _array(self._data)
        if grammar:  # over the whole vocabulary, as the stock sampler does
            lib.llama_sampler_apply(self._grammar, ctypes.byref(cur))
        lib.llama_sampler_apply(self._chain.sampler, ctypes.byref(cur))
        # `selected` indexes the array as the chain left it (sorted, truncated).
        return int(cur.data[cur.selected].id)

    def _allowed(self, token: int) -> bool:
        self._one["id"] = token
        self._one["logit"] = 0.0
        self._one["p"] = 0.0
        cur = _array(self._one)
        lib.llama_sampler_apply(self._grammar, ctypes.byref(cur))
        return not math.isinf(float(self._one["logit"][0]))

    def close(self) -> None:
        """Free the grammar sampler (the chain frees itself when it is collected)."""
        if self._grammar:
            lib.llama_sampler_free(self._grammar)
            self._grammar = None

    def __del__(self) -> None:
        self.close()


def _array(data: np.ndarray) -> lib.llama_token_data_array:
    return lib.llama_token_data_array(
        data=data.ctypes.data_as(lib.llama_token_data_p),
        size=len(data),
        selected=-1,
        sorted=False,
    )


def install() -> None:
    """Make every :class:`llama_cpp.Llama` in this process use :class:`GrammarVetoSampler`.

    It replaces ``Llama._init_sampler``, a private method: a llama-cpp-python
    without it, or whose internals this module does not fit, keeps its stock
    sampler (slower, same answers) and the log says why.
    """
    stock = getattr(llama_cpp.Llama, "_init_sampler", None)
    if stock is None:
        log.warning("llama_cpp.Llama has no _init_sampler; keeping the stock sampler")
        return
    if getattr(stock, "grammar_veto", False):
        return
    if _TOKEN_DATA.itemsize != ctypes.sizeof(lib.llama_token_data):
        log.warning("llama_token_data's layout changed; keeping the stock sampler")
        return

    # llama_cpp.Llama calls it with keywords only (generate() and sample()).
    def _init_sampler(self: llama_cpp.Llama, **kwargs: Any) -> Any:
        grammar = kwargs.pop("grammar", None)
        chain = stock(self, **kwargs)
        if grammar is None:
            return chain
        try:
            return GrammarVetoSampler(self, chain, grammar)
        except Exception as exc:  # internals this version lacks: the stock way still works
            log.warning("grammar veto unavailable (%s: %s); stock sampler", type(exc).__name__, exc)
            chain.close()
            return stock(self, grammar=grammar, **kwargs)

    _init_sampler.grammar_veto = True  # type: ignore[attr-defined]
    llama_cpp.Llama._init_sampler = _init_sampler  # type: ignore[method-assign,assignment]
