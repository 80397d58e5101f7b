"""Multiple-choice scoring (and perplexity) on models whose answers are known in advance."""
import math

import numpy as np
import pytest
import torch
from types import SimpleNamespace

from lexlab.legalmidm import evaluate
from lexlab.legalmidm.tasks import Example


class CharTokenizer:
    """One token per character, no chat template: the evaluator's plain-frame path."""

    chat_template = None
    pad_token_id, bos_token_id, eos_token_id = 0, 1, 2

    def __init__(self, alphabet):
        self.vocab = {c: i + 3 for i, c in enumerate(alphabet)}

    def __call__(self, text, add_special_tokens=True):
        ids = [self.vocab[c] for c in text]
        return {"input_ids": ([self.bos_token_id] if add_special_tokens else []) + ids}


class UnigramLM(torch.nn.Module):
    """Ignores its context: every position predicts the same fixed distribution, so scores are known by hand."""

    def __init__(self, probs):
        super().__init__()
        self.logp = torch.nn.Parameter(torch.log(torch.tensor(probs, dtype=torch.float)), requires_grad=False)
        self.config = SimpleNamespace(max_position_embeddings=64)

    def forward(self, input_ids, attention_mask=None):
        b, t = input_ids.shape
        return SimpleNamespace(logits=self.logp.expand(b, t, -1).clone())


ALPHABET = "가나다라마질문답변: \n?"


def unigram(weights):
    probs = np.full(3 + len(ALPHABET), 1e-3)
    tok = CharTokenizer(ALPHABET)
    for ch, w in weights.items():
        probs[tok.vocab[ch]] = w
    return UnigramLM(probs / probs.sum()), tok


def test_length_normalisation_changes_the_pick():
    # "가" has p≈0.1 (one token), each of 나다라마 p≈0.2 — the short option wins on the raw sum (0.1 > 0.2^4),
    # the long one per character: exactly the bias acc_norm exists to remove.
    model, tok = unigram({"가": 0.1, "나": 0.2, "다": 0.2, "라": 0.2, "마": 0.2})
    options = ["가", "나다라마"]
    sums, ntok = evaluate.option_logprobs(model, tok, "질문: ?\n답변: ", options, max_context=64)
    p = model.logp.exp()
    expected = [math.log(p[tok.vocab["가"]]), sum(math.log(p[tok.vocab[c]]) for c in "나다라마")]
    assert sums == pytest.approx(expected, rel=1e-5)
    assert ntok.tolist() == [1, 4]
    assert evaluate.choose(sums, options) == (0, 1)


def test_perplexity_of_a_unigram_model_is_known():
    model, tok = unigram({"가": 0.5, "나": 0.3})
    text = "가나가가나"
    nll, count = evaluate.text_nll(model, tok, text, window=3)  # windows cross, the count must not drop tokens
    p = model.logp.exp()
    expected = -sum(math.log(p[tok.vocab[c]]) for c in text)
    assert count == len(text)
    assert nll == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope="module")
def forced_llama():
    """A real tiny Llama + BPE tokenizer trained for a few steps until it prefers one answer to one question."""
    from lexlab.models.hf import build_model, train_tokenizer

    # One thread: on a shared 2-core machine two OpenMP threads fighting other processes made these 100 tiny
    # steps take 40 s instead of 1 s.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    corpus = ["다음 판결문에서 가려진 죄명은 무엇인가?", "사기", "절도", "강도", "횡령", "폭행"] * 20
    tok = train_tokenizer(corpus, vocab_size=300, min_frequency=1)
    model = build_model("tiny", tok, seed=0, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64)
    prompt = evaluate.render_prompt(tok, "다음 판결문에서 가려진 죄명은 무엇인가?")
    p_ids = evaluate.encode_prompt(tok, prompt)
    a_ids = tok("횡령", add_special_tokens=False)["input_ids"]
    x = torch.tensor([p_ids + a_ids])
    labels = x.clone()
    labels[0, : len(p_ids)] = -100
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    torch.manual_seed(0)
    model.train()
    for _ in range(100):
        loss = model(input_ids=x, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    yield model, tok
    torch.set_num_threads(threads)


def test_trained_toy_llama_picks_the_forced_answer_wherever_it_is(forced_llama):
    model, tok = forced_llama
    wrong = ["사기", "절도", "강도"]
    examples = []
    for pos in range(4):
        options = wrong[:pos] + ["횡령"] + wrong[pos:]
        examples.append(Example(id=f"q{pos}", task="mc_charge", prompt="다음 판결문에서 가려진 죄명은 무엇인가?",
                                options=options, label=pos))
    out, rows = evaluate.evaluate_task(model, tok, "mc_charge", examples, evaluate.GenerationSettings(),
                                       n_boot=50)
    assert out["mc_charge.acc_norm"] == 1.0 and out["mc_charge.acc"] == 1.0
    assert (rows["prediction"] == "횡령").all()
    # A wrong label must score 0: the metric reads the labels, it is not stuck at 1.
    for ex in examples:
        ex.label = (ex.label + 1) % 4
    out, _ = evaluate.evaluate_task(model, tok, "mc_charge", examples, evaluate.GenerationSettings(), n_boot=50)
    assert out["mc_charge.acc_norm"] == 0.0


def test_untrained_model_is_not_forced(forced_llama):
    model, tok = forced_llama
    fresh = evaluate.untrained_like(model, seed=0)
    prompt = evaluate.render_prompt(tok, "다음 판결문에서 가려진 죄명은 무엇인가?")
    trained, _ = evaluate.option_logprobs(model, tok, prompt, ["횡령", "사기"], 64)
    untrained, _ = evaluate.option_logprobs(fresh, tok, prompt, ["횡령", "사기"], 64)
    assert trained[0] - trained[1] > 2.0
    assert abs(untrained[0] - untrained[1]) < trained[0] - trained[1]


def test_generation_path_scores_and_truncates(forced_llama):
    model, tok = forced_llama
    ex = Example(id="g", task="qa_interp", prompt="다음 판결문에서 가려진 죄명은 무엇인가?", reference="횡령")
    out, rows = evaluate.evaluate_task(model, tok, "qa_interp", [ex], evaluate.GenerationSettings(max_new_tokens=4, repetition_penalty=1.0),
                                       n_boot=10)
    assert rows["prediction"].iloc[0].startswith("횡령")
    assert out["qa_interp.rougeL_char"] > 0.5 and out["qa_interp.truncated_prompts"] == 0
    tight = evaluate.GenerationSettings(max_new_tokens=4, max_context=16, repetition_penalty=1.0)  # prompt no longer fits: left-cut
    out, _ = evaluate.evaluate_task(model, tok, "qa_interp", [ex], tight, n_boot=10)
    assert out["qa_interp.truncated_prompts"] == 1


def test_evaluate_model_reports_each_tasks_declared_headline():
    from lexlab.legalmidm import tasks

    model, tok = unigram({"가": 0.5, "나": 0.3})
    mc = [Example(id="q", task="mc_title", prompt="질문?", options=["가", "나나"], label=0)]
    ppl = [Example(id="t", task="general_ppl", text="가나다")]
    result = evaluate.evaluate_model(model, tok, {"mc_title": mc, "general_ppl": ppl, "summary": []}, n_boot=10)
    assert result.primary == {"mc_title": "mc_title.acc_norm", "general_ppl": "general_ppl.perplexity"}
    assert result.primary == {t: tasks.get_task(t).headline() for t in result.primary}
    assert result.metrics["mc_title.acc_norm"] == 1.0 and result.metrics["general_ppl.n"] == 1.0
    assert result.average() == 1.0  # perplexity not averaged
    assert "summary" in result.skipped
    assert list(evaluate.readable_scores(evaluate.scores_frame({"m": result})).loc["m"]) == [
        100.0, round(result.metrics["general_ppl.perplexity"], 1), 100.0]


def test_system_prompt_choice_and_resolution(tmp_path, monkeypatch):
    import pandas as pd
    from lexlab.legalmidm import system_prompt as sp

    scores = pd.DataFrame({"avg": [0.30, 0.30, 0.25]}, index=["none", "legal_advisor", "concise"])
    assert sp.choose(scores) == "none"  # a tie does not justify a prompt
    scores.loc["legal_advisor", "avg"] = 0.31
    assert sp.choose(scores) == "legal_advisor"
    assert sp.choose(scores, min_gain=0.02) == "none"  # a 1-point gain is within the noise allowed for
    monkeypatch.setattr(sp, "choice_path", lambda: tmp_path / "system_prompt.json")
    with pytest.raises(FileNotFoundError, match="system-prompt stage"):
        sp.resolve("best")
    sp.save_choice("legal_advisor", sp.CANDIDATES["legal_advisor"], scores)
    assert sp.resolve("best") == ("legal_advisor", sp.CANDIDATES["legal_advisor"])
    assert sp.resolve("") == ("none", "") and sp.resolve("자유 문구") == ("custom", "자유 문구")
    assert sp.select("none, concise") == {"none": "", "concise": sp.CANDIDATES["concise"]}
    assert list(sp.select("all")) == list(sp.CANDIDATES)


def test_system_prompt_reaches_the_model_input(forced_llama):
    _, tok = forced_llama
    with_prompt = evaluate.render_prompt(tok, "질문", "당신은 법률 자문가입니다.")
    assert with_prompt.startswith("<|system|>당신은 법률 자문가입니다.") and with_prompt.endswith("<|assistant|>")
    assert evaluate.render_prompt(tok, "질문") == "<|user|>질문\n<|assistant|>"
