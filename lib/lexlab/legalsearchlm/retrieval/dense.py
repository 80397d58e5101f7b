"""Dense retrieval: a Contriever-style encoder trained without labels on the corpus, or any sentence-transformers model.

No pretrained Korean encoder can be downloaded here, so the default encoder is a small BERT built from a config
with a tokenizer trained on the corpus, and trained the way Contriever is: two random crops of the same case are
a positive pair, the other cases' crops in the batch are negatives (InfoNCE). That teaches "these two pieces come
from the same case" — topical similarity — with no relevance label. Users with a real encoder pass its path
(``sentence-transformers`` format, or any HF encoder, mean-pooled).

Long cases are split into passages of ``max_tokens``; a case scores as its best passage (max-pooling), because
one decisive paragraph should be enough to match.
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from lexlab.legalsearchlm.retrieval import Retriever, register
from lexlab.legalsearchlm.searchlm.elements import normalize_text


def _mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


def _random_crop(ids: list[int], rng: random.Random, max_len: int, min_frac: float = 0.5) -> list[int]:
    if len(ids) <= 8:
        return ids
    n = max(8, min(max_len, int(len(ids) * rng.uniform(min_frac, 1.0))))
    a = rng.randrange(0, max(1, len(ids) - n + 1))
    return ids[a:a + n]


def train_dense(
    corpus: Sequence[Mapping],
    out_dir: str | Path,
    max_steps: int = 300,
    batch_size: int = 32,
    crop_tokens: int = 128,
    learning_rate: float = 5e-4,
    temperature: float = 0.05,
    vocab_size: int = 8000,
    hidden_size: int = 128,
    num_layers: int = 2,
    seed: int = 0,
    save_every: int = 100,
    progress: bool = True,
    log_mlflow: bool | None = None,
) -> dict:
    """Unsupervised contrastive training (random crops, in-batch negatives); resumes from ``out_dir/ckpt.pt``."""
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoTokenizer, BertConfig, BertModel

    from lexlab.models import hf as modeling

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    texts = [normalize_text(r["text"]) for r in corpus]
    tok_dir = out_dir / "tokenizer"
    if (tok_dir / "tokenizer.json").exists():
        tokenizer = AutoTokenizer.from_pretrained(str(tok_dir))
    else:
        tokenizer = modeling.train_tokenizer(texts, vocab_size=vocab_size, out_dir=tok_dir)
    docs = [ids for ids in tokenizer(texts, add_special_tokens=False)["input_ids"] if len(ids) >= 8]
    if len(docs) < 2:
        raise ValueError("dense training needs at least two documents of 8+ tokens")
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=len(tokenizer), hidden_size=hidden_size, num_hidden_layers=num_layers,
                     num_attention_heads=max(1, hidden_size // 32), intermediate_size=4 * hidden_size,
                     max_position_embeddings=max(512, crop_tokens + 2), pad_token_id=tokenizer.pad_token_id)
    enc = BertModel(cfg, add_pooling_layer=False)
    opt = torch.optim.AdamW(enc.parameters(), lr=learning_rate, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 20) * max(0.0, 1 - s / max_steps))
    step, losses = 0, []
    ckpt = out_dir / "ckpt.pt"
    if ckpt.exists():  # resume where a killed run stopped
        state = torch.load(ckpt, weights_only=False)
        enc.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step, losses = state["step"], state["losses"]
        random.setstate(state["py_rng"])
        torch.set_rng_state(state["torch_rng"])
    rng = random.Random(seed + step)
    if log_mlflow is None:
        import mlflow

        log_mlflow = mlflow.active_run() is not None
    pad = tokenizer.pad_token_id
    bar = tqdm(total=max_steps, initial=step, desc="dense contrastive", disable=not progress)
    enc.train()
    while step < max_steps:
        batch = rng.sample(range(len(docs)), min(batch_size, len(docs)))
        views = [[_random_crop(docs[i], rng, crop_tokens) for i in batch] for _ in range(2)]
        embs = []
        for v in views:
            n = max(map(len, v))
            ids = torch.full((len(v), n), pad, dtype=torch.long)
            att = torch.zeros((len(v), n), dtype=torch.long)
            for j, x in enumerate(v):
                ids[j, :len(x)] = torch.tensor(x)
                att[j, :len(x)] = 1
            h = enc(input_ids=ids, attention_mask=att).last_hidden_state
            embs.append(torch.nn.functional.normalize(_mean_pool(h, att), dim=-1))
        logits = embs[0] @ embs[1].T / temperature
        target = torch.arange(len(batch))
        loss = (torch.nn.functional.cross_entropy(logits, target) + torch.nn.functional.cross_entropy(logits.T, target)) / 2
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(enc.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        losses.append(loss.item())
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if log_mlflow and step % 10 == 0:
            import mlflow

            mlflow.log_metric("dense_train_loss", float(np.mean(losses[-10:])), step=step)
        if step % save_every == 0 or step == max_steps:
            torch.save({"model": enc.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step,
                        "losses": losses, "py_rng": random.getstate(), "torch_rng": torch.get_rng_state()}, ckpt)
    bar.close()
    final = out_dir / "final"
    enc.save_pretrained(str(final))
    tokenizer.save_pretrained(str(final))
    meta = {"max_steps": max_steps, "batch_size": batch_size, "crop_tokens": crop_tokens, "temperature": temperature,
            "hidden_size": hidden_size, "num_layers": num_layers, "seed": seed,
            "final_loss": float(np.mean(losses[-20:])) if losses else None, "seconds": round(time.time() - t0, 1)}
    (final / "dense.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


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
                e = torch.nn.functional.normalize(_mean_pool(h, enc["attention_mask"]), dim=-1)
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
        for i, t in enumerate(tqdm(texts, desc="passages", leave=False)):
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
