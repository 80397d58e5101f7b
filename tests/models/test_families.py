"""Each model family's recipe on its own architecture, built from a tiny config on CPU (random weights, the family's
module names and a chat template of its form): the recipe parses, LoRA attaches to its target modules, the chat
template renders all three data formats, and instruction tuning saves, is killed, resumes and reloads."""
from __future__ import annotations

import pytest

from lexlab.legalmidm import formats
from lexlab.legalmidm.train import CPTConfig, ITConfig, run_it
from lexlab.legalmidm.train.it import _apply_lora
from lexlab.models import families, hf
from lexlab.workbench import paths
from lexlab.workbench.config import config_from_dict, load_yaml_with_includes
from train_callbacks import StopAt

NAMES = list(families.FAMILIES)
TEXTS = ["형법 제347조(사기) 사람을 기망하여 재물의 교부를 받은 자는 10년 이하의 징역에 처한다.",
         "질문 답변 근거 조문 참고 법률 전문가", "사기죄의 법정형은 무엇인가? 10년 이하의 징역 또는 2천만원 이하의 벌금"] * 4
ITEM = {"id": "q1", "question": "사기죄의 법정형은?", "answer": "10년 이하의 징역 또는 2천만원 이하의 벌금",
        "reference": "형법 제347조(사기) 사람을 기망하여 재물의 교부를 받은 자는 10년 이하의 징역에 처한다.",
        "source": "template"}
SYSTEM = "당신은 법률 전문가입니다."
QA = [{**ITEM, "id": f"q{i}", "question": f"사기죄 질문 {i}?"} for i in range(8)]
CPU = dict(report_to="none", bf16=False, it_mix="legal", logging_steps=1, warmup_steps=0, torch_threads=1, learning_rate=1e-3)


def stage_params(path: str, stage: str) -> dict:
    """What the recipe's stage runs with: every field of its config (the YAML sets only what differs)."""
    from lexlab.workbench import preflight, runner

    exp = runner.load_experiment(paths.REPO / "experiments" / "models" / path)
    st = next(s for s in exp.stages if s.name == stage)
    params = preflight.for_notebook(st.notebook, runner.stage_params(exp, st, {}, exp.name))
    return preflight.effective_params(st.notebook, params, st.name)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Per family: the tiny model and tokenizer, saved to a directory (what a hub checkpoint looks like)."""
    out = {}
    for name in NAMES:
        model, tok = families.build_tiny(name, TEXTS)
        path = tmp_path_factory.mktemp(name)
        model.save_pretrained(path)
        tok.save_pretrained(path)
        out[name] = (model, tok, path)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_recipes_name_the_checkpoint_and_build_valid_configs(name):
    family = families.get_family(name)
    it = stage_params(f"{name}.yaml", "it")
    assert it["model"] == family.hf_id and it["bf16"] and it["activation_checkpointing"] and it["lora"]
    assert it["lora_target_modules"].split(",") == list(family.lora_targets)
    config_from_dict(ITConfig, it, source=f"{name}.yaml")
    cpt8, it8 = stage_params(f"{name}_8gpu.yaml", "cpt"), stage_params(f"{name}_8gpu.yaml", "it")
    config_from_dict(CPTConfig, cpt8, source=f"{name}_8gpu.yaml")
    assert it8["model"] == f"{name}-cpt" and it8["lora_target_modules"] == it["lora_target_modules"]
    one_gpu = it["per_device_train_batch_size"] * it["gradient_accumulation_steps"]
    assert it8["per_device_train_batch_size"] * it8["gradient_accumulation_steps"] * 8 == one_gpu
    stages = [s["name"] for s in load_yaml_with_includes(
        paths.REPO / "experiments" / "models" / f"{name}_8gpu.yaml")["stages"]]
    assert stages == ["cpt", "it", "evaluate"]


@pytest.mark.parametrize("name", NAMES)
def test_lora_attaches_to_the_recipe_targets(name, tiny):
    model, _, _ = tiny[name]
    it = stage_params(f"{name}.yaml", "it")
    cfg = ITConfig(model="x", lora_target_modules=it["lora_target_modules"], lora_r=it["lora_r"], report_to="none")
    peft_model = _apply_lora(cfg, model)
    wrapped = {n.rsplit(".", 2)[-2] for n, _ in peft_model.named_modules() if n.endswith("lora_A")}
    assert wrapped == set(families.get_family(name).lora_targets)
    layers = model.config.num_hidden_layers
    assert sum(1 for n, _ in peft_model.named_modules() if n.endswith("lora_A")) == layers * len(wrapped)
    trainable = [n for n, p in peft_model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    peft_model.unload()  # leave the shared tiny model as it was


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_chat_template_renders_each_format(name, fmt, tiny):
    family = families.get_family(name)
    _, tok, _ = tiny[name]
    pair = formats.render(ITEM, fmt, tok, system_prompt=SYSTEM)
    assert pair["completion"].rstrip().endswith(family.eos)
    assert SYSTEM in pair["prompt"] and ITEM["question"] in pair["prompt"]
    assert (ITEM["reference"] in pair["prompt"]) == (fmt == "ref_in_input")
    assert (ITEM["reference"] in pair["completion"]) == (fmt == "ref_in_output")
    assert ITEM["answer"] in pair["completion"]
    if not family.system_role:  # folded into the user turn, not a turn of its own
        assert pair["prompt"].count("<start_of_turn>") == 2
    encoded = formats.encode(ITEM, fmt, tok, max_length=512, system_prompt=SYSTEM)
    assert encoded["n_target_tokens"] > 0 and tok.eos_token_id in encoded["input_ids"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_instruction_tuning_saves_resumes_and_reloads(name, tiny):
    _, _, path = tiny[name]
    it = stage_params(f"{name}.yaml", "it")
    cfg = ITConfig(model=str(path), model_name=f"family-{name}", lora_target_modules=it["lora_target_modules"],
                   lora_r=4, lora_alpha=8, activation_checkpointing=it["activation_checkpointing"], max_steps=4,
                   save_steps=2, per_device_train_batch_size=2, max_length=128, system_prompt=SYSTEM, **CPU)
    with pytest.raises(KeyboardInterrupt):
        run_it(cfg, QA, [], callbacks=[StopAt(3)])
    result = run_it(cfg, QA, [])
    assert result.resumed_from and result.resumed_from.endswith("checkpoint-2") and result.global_step == 4
    assert 0 < result.n_trainable_params < result.n_params
    model, tok = hf.load_model_and_tokenizer(result.final_dir)
    assert type(model).__name__ == "PeftModelForCausalLM" and tok.chat_template == families.get_family(name).chat_template
    assert sum(1 for n, _ in model.named_modules() if n.endswith("lora_A")) > 0


def notebook_parameters(notebook: str) -> set[str]:
    """The parameters a stage accepts: the fields of the config dataclass its notebook names."""
    from lexlab.workbench import preflight

    return set(preflight.notebook_parameters(paths.REPO / notebook))


@pytest.mark.parametrize("name", NAMES)
def test_every_recipe_param_is_a_parameter_of_its_notebook(name):
    for path in (f"{name}.yaml", f"{name}_8gpu.yaml"):
        for stage in load_yaml_with_includes(paths.REPO / "experiments" / "models" / path)["stages"]:
            unknown = set(stage["params"]) - notebook_parameters(stage["notebook"])
            assert not unknown, f"{path} stage {stage['name']}: {sorted(unknown)} are not notebook parameters"
