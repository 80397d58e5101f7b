#!/usr/bin/env bash
# GPU check (issue #14): a short CPT + IT + evaluation with a larger config than the CPU demo, on one CUDA GPU,
# writing its figures to benchmarks/results/gpu_check.{json,md}. Run it only where a GPU is lent; its numbers are
# GPU figures and must be reported as such. It needs no network (data from the installed packages).
#
#   bash benchmarks/gpu_check.sh            # ~5-10 min on one H100/H200-class GPU (estimate; not yet run)
#
# Steps: snapshot (400 decisions) → template law QA → CPT of a ~31M-parameter Llama (hidden 512, 8 layers, bf16)
# → full-parameter IT → evaluation throughput and scores of the IT model on the GPU (benchmarks/eval_throughput.py)
# → QLoRA IT on the CPT model when bitsandbytes is importable (skipped, and said so, otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT_DIR:-benchmarks/results}
mkdir -p "$OUT"
export LEXLAB_WORK=${LEXLAB_WORK:-$PWD/work/gpu_check}
export MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-sqlite:///$LEXLAB_WORK/mlflow.db}
export TOKENIZERS_PARALLELISM=false LEXLAB_PROGRESS=0
mkdir -p "$LEXLAB_WORK"
python - <<'EOF'
import sys, torch
if not torch.cuda.is_available():
    sys.exit("gpu_check.sh: no CUDA device here (torch.cuda.is_available() is False); run it where a GPU is lent")
print("GPU:", torch.cuda.get_device_name(0))
EOF
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu_check_device.txt" || true

t0=$(date +%s)
python - <<'EOF'
from lexlab.data import snapshot
snapshot.build_snapshot(max_decisions=400, progress=False)
EOF
t_snap=$(( $(date +%s) - t0 ))

t0=$(date +%s)
lexlab run experiments/02_generate_law_qa.yaml -p run_name=gpu_qa -p max_articles=3000 -p per_kind=1 --no-progress
t_qa=$(( $(date +%s) - t0 ))

LARGER="tiny_hidden_size=512 tiny_layers=8 tiny_heads=8 tiny_intermediate_size=1536 tokenizer_vocab_size=16000"
sets() { for kv in "$@"; do printf -- "--set %s " "$kv"; done; }

t0=$(date +%s)
# shellcheck disable=SC2046
python -m lexlab.legalmidm.train cpt $(sets model=tiny model_name=gpu-cpt block_size=512 max_legal_docs=0 \
    max_general_docs=2000 per_device_train_batch_size=32 learning_rate=0.001 warmup_steps=50 max_steps=600 \
    save_steps=300 bf16=true report_to=none progress=false $LARGER) > "$OUT/gpu_check_cpt.json"
t_cpt=$(( $(date +%s) - t0 ))

t0=$(date +%s)
# shellcheck disable=SC2046
python -m lexlab.legalmidm.train it $(sets model=gpu-cpt model_name=gpu-it qa_dir=gpu_qa lora=false \
    max_length=512 per_device_train_batch_size=32 learning_rate=0.0005 max_steps=300 save_steps=300 bf16=true \
    report_to=none progress=false) > "$OUT/gpu_check_it.json"
t_it=$(( $(date +%s) - t0 ))

t0=$(date +%s)
python benchmarks/eval_throughput.py --label gpu_it --device cuda --model "$LEXLAB_WORK/models/gpu-it/final" \
    --batch-size 64 --n-per-task 100 --max-new-tokens 64 --repeats 1 --out "$OUT/gpu_check_eval.json"
t_eval=$(( $(date +%s) - t0 ))

qlora="skipped: bitsandbytes is not importable here"
if python -c "import bitsandbytes" 2>/dev/null; then
  t0=$(date +%s)
  # shellcheck disable=SC2046
  python -m lexlab.legalmidm.train it $(sets model=gpu-cpt model_name=gpu-it-qlora qa_dir=gpu_qa lora=true qlora=true \
      max_length=512 per_device_train_batch_size=32 learning_rate=0.0005 max_steps=100 save_steps=100 bf16=true \
      report_to=none progress=false) > "$OUT/gpu_check_qlora.json"
  qlora="ran: $(( $(date +%s) - t0 )) s (gpu_check_qlora.json)"
fi

python - "$OUT" "$t_snap" "$t_qa" "$t_cpt" "$t_it" "$t_eval" "$qlora" <<'EOF'
import json, sys
from pathlib import Path
out, t_snap, t_qa, t_cpt, t_it, t_eval, qlora = sys.argv[1], *map(int, sys.argv[2:7]), sys.argv[7]
out = Path(out)
cpt, it = (json.loads((out / f"gpu_check_{s}.json").read_text()) for s in ("cpt", "it"))
ev = json.loads((out / "gpu_check_eval.json").read_text())
device = (out / "gpu_check_device.txt").read_text().strip() if (out / "gpu_check_device.txt").exists() else "?"
figures = {"device": device, "wall_seconds": {"snapshot": t_snap, "law_qa": t_qa, "cpt": t_cpt, "it": t_it,
           "evaluation": t_eval}, "cpt": {k: cpt[k] for k in ("n_params", "global_step", "train_seconds", "final_loss")},
           "it": {k: it[k] for k in ("n_params", "global_step", "train_seconds", "final_loss")},
           "evaluation": ev, "qlora": qlora}
(out / "gpu_check.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
lines = [f"# GPU check (GPU figures) — {device}", "",
         "| step | wall s | train s | steps | params | final loss |", "|---|---|---|---|---|---|",
         f"| CPT | {t_cpt} | {cpt['train_seconds']:.0f} | {cpt['global_step']} | {cpt['n_params']:,} | {cpt['final_loss']:.3f} |",
         f"| IT (full) | {t_it} | {it['train_seconds']:.0f} | {it['global_step']} | {it['n_params']:,} | {it['final_loss']:.3f} |",
         "", f"Evaluation: {ev['all']['examples_per_s']} examples/s over {ev['all']['examples']} examples "
         f"(batch {ev['batch_size']}, {ev['max_new_tokens']} new tokens); per kind: "
         + ", ".join(f"{k} {v['examples_per_s']}/s" for k, v in ev["per_kind"].items()),
         f"Snapshot {t_snap} s, law QA {t_qa} s. QLoRA: {qlora}."]
(out / "gpu_check.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
