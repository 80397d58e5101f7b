"""Dense retrieval: a Contriever-style encoder trained without labels on the corpus, or any sentence-transformers model.

No pretrained Korean encoder can be downloaded here, so the default encoder is a small BERT built from a config
with a tokenizer trained on the corpus, and trained the way Contriever is (:mod:`.dense_train`): two random crops
of the same case are a positive pair, the other cases' crops in the batch are negatives (InfoNCE). That teaches
"these two pieces come from the same case" — topical similarity — with no relevance label. Users with a real
encoder pass its path (``sentence-transformers`` format, or any HF encoder, mean-pooled).

Long cases are split into passages of ``max_tokens``; a case scores as its best passage (max-pooling), because
one decisive paragraph should be enough to match. torch/transformers are imported only when a model is used.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from lexlab.legalsearchlm.retrieval import Retriever, register
from lexlab.legalsearchlm.retrieval.base import show_progress
from lexlab.legalsearchlm.searchlm.elements import normalize_text


def mean_pool(hidden, mask):
    """Mean of the token states under ``mask`` (a case or passage embedding before normalisation)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


@register("dense")
class DenseRetriever(Retriever):
    """Options: ``model`` (train_dense's ``final`` dir, an HF encoder, or a sentence-transformers path),
    ``max_tokens`` per passage, ``max_passages`` per case, ``batch_size``."""

    def __init__(self, model: str | None = None, max_tokens: int = 256, max_passages: int = 8, batch_size: int = 32,
                 **kw):
        super().__init__(model=model, max_tokens=int(max_tokens), max_passages=int(max_passages),
                         batch_size=int(batch_size), **kw)
        self._enc = None
        self.emb = None
        self.passage_doc = None

    def _encoder(self):
        if self._enc is None:
            path = self.options.get("model")
            if not path:
                raise ValueError("dense needs a model: train one with train_dense (or `--model PATH`)")
            if (Path(path) / "modules.json").exists():
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as e:
                    raise ImportError(f"{path} is a sentence-transformers model: pip install sentence-transformers") from e
                self._enc = ("st", SentenceTransformer(path), None)
            else:
                from transformers import AutoModel, AutoTokenizer

                tok = AutoTokenizer.from_pretrained(path)
                model = AutoModel.from_pretrained(path).eval()
                self._enc = ("hf", model, tok)
        return self._enc

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-norm embeddings, ``max_tokens`` each (the caller splits long texts into passages)."""
        import torch

        kind, model, tok = self._encoder()
        if kind == "st":
            return np.asarray(model.encode(list(texts), batch_size=self.options["batch_size"],
                                           normalize_embeddings=True, show_progress_bar=False), dtype=np.float32)
        out = []
        with torch.no_grad():
            for i in range(0, len(texts), self.options["batch_size"]):
                enc = tok(list(texts[i:i + self.options["batch_size"]]), add_special_tokens=False, truncation=True,
                          max_length=self.options["max_tokens"], padding=True, return_tensors="pt")
                h = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
                e = torch.nn.functional.normalize(mean_pool(h, enc["attention_mask"]), dim=-1)
                out.append(e.float().numpy())
        return np.concatenate(out) if out else np.zeros((0, 1), dtype=np.float32)

    def _passages(self, text: str) -> list[str]:
        kind, model, tok = self._encoder()
        text = normalize_text(text)
        if kind == "st":
            words = text.split(" ")
            step = max(1, self.options["max_tokens"] // 2)  # ~2 chars per token; words are ~3 chars
            return [" ".join(words[i:i + step]) for i in range(0, len(words), step)][: self.options["max_passages"]]
        ids = tok(text, add_special_tokens=False)["input_ids"]
        n = self.options["max_tokens"]
        return [tok.decode(ids[i:i + n]) for i in range(0, max(1, len(ids)), n)][: self.options["max_passages"]]

    def _index(self, texts, records) -> None:
        from tqdm.auto import tqdm

        passages, owner = [], []
        for i, t in enumerate(tqdm(texts, desc="passages", leave=False, disable=not show_progress())):
            ps = self._passages(t) or [normalize_text(t)]
            passages.extend(ps)
            owner.extend([i] * len(ps))
        self.emb = self.encode_texts(passages)
        self.passage_doc = np.asarray(owner, dtype=np.int64)

    def _search(self, texts, ks, queries):
        q = self.encode_texts([normalize_text(t) for t in texts])
        out = []
        n_docs = len(self.doc_ids)
        for qi in range(len(texts)):
            sims = self.emb @ q[qi]
            best = np.full(n_docs, -np.inf, dtype=np.float32)
            np.maximum.at(best, self.passage_doc, sims)
            k = min(ks[qi], n_docs)
            top = np.argpartition(-best, k - 1)[:k]
            top = top[np.argsort(-best[top], kind="stable")]
            out.append([(self.doc_ids[j], float(best[j])) for j in top])
        return out

    def _save(self, path: Path) -> None:
        np.save(path / "embeddings.npy", self.emb)
        np.save(path / "passage_doc.npy", self.passage_doc)

    def _load(self, path: Path) -> None:
        self.emb = np.load(path / "embeddings.npy")
        self.passage_doc = np.load(path / "passage_doc.npy")
