#!/usr/bin/env bash
# End to end on one GPU: data -> SFT -> RL (flags and asm) -> eval, with a small model; prints steps/s of each
# training run and the reward curves (mean reward per step from OUT/rewards.jsonl).
#
#   bash benchmarks/train_gpu.sh                       # MODEL defaults to Qwen/Qwen2.5-Coder-0.5B-Instruct (hub)
#   MODEL=/models/qwen-0.5b WORK=/tmp/run bash benchmarks/train_gpu.sh
#
# Needs a CUDA build of torch and `pip install -e '.[train]'`; the model from the hub (or a local folder in
# MODEL). Sizes are small on purpose (minutes, not hours): it measures the machinery, not a converged model.
set -euo pipefail

MODEL=${MODEL:-Qwen/Qwen2.5-Coder-0.5B-Instruct}
WORK=${WORK:-$(mktemp -d /tmp/compilerlm-train-XXXX)}
SUITE=${SUITE:-builtin}
BUDGET=${BUDGET:-100}                 # tuner evaluations per module for the flags labels
SFT_EPOCHS=${SFT_EPOCHS:-2}
RL_STEPS=${RL_STEPS:-20}
JOBS=${JOBS:-$(nproc)}
CLI=${CLI:-compilerlm}
mkdir -p "$WORK"
echo "model $MODEL, work folder $WORK"
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print('gpu', torch.cuda.get_device_name())"

curve() {  # mean reward per training step of a rewards.jsonl
  python - "$1" <<'EOF'
import json, sys
from collections import defaultdict
steps = defaultdict(list)
for line in open(sys.argv[1]):
    row = json.loads(line)
    steps[row["step"]].append(row["score"])
ok = sum(json.loads(line)["ok"] for line in open(sys.argv[1]))
total = sum(len(v) for v in steps.values())
print("reward curve (step: mean reward):", " ".join(f"{s}:{sum(v) / len(v):.3f}" for s, v in sorted(steps.items())))
print(f"completions scored {total}, judged as candidates {ok}")
EOF
}

timed() {  # run a command, print its wall time
  local start=$SECONDS
  "$@"
  echo "  ($(( SECONDS - start )) s: $*)"
}

echo "== data"
timed $CLI data flags --suite "$SUITE" --out "$WORK/flags" --budget "$BUDGET" --store "$WORK/tune.sqlite" \
  --tokenizer "hf:$MODEL" --max-tokens 6144 --jobs "$JOBS"
timed $CLI data asm --suite "$SUITE" --out "$WORK/asm" --tokenizer "hf:$MODEL" --max-tokens 6144 --jobs "$JOBS"

echo "== sft (flags labels)"
timed $CLI train sft --model "hf:$MODEL" --data "$WORK/flags" --out "$WORK/sft" --epochs "$SFT_EPOCHS" \
  --learning-rate 2e-5 --batch-size 2 --grad-accum 4 --max-length 8192 --logging-steps 1

echo "== rl: flags (GRPO, reward = verified improvement vs -Oz)"
timed $CLI train rl --task flags --model "hf:$WORK/sft" --data "$WORK/flags" --out "$WORK/rl-flags" \
  --max-steps "$RL_STEPS" --num-generations 4 --batch-size 8 --max-completion-length 512 --learning-rate 1e-6 \
  --reward-workers "$JOBS"
curve "$WORK/rl-flags/rewards.jsonl"

echo "== rl: asm (GRPO, SuperCoder's reward)"
timed $CLI train rl --task asm --model "hf:$MODEL" --data "$WORK/asm" --out "$WORK/rl-asm" --reward supercoder \
  --max-steps "$RL_STEPS" --num-generations 4 --batch-size 8 --max-completion-length 4096 --learning-rate 1e-6 \
  --reward-workers "$JOBS" --timing-runs 3
curve "$WORK/rl-asm/rewards.jsonl"

echo "== eval: the RL'd flags model on the validation programs' task"
timed $CLI eval flags --model "hf:$WORK/rl-flags" --suite "$SUITE" --limit 20 --json "$WORK/eval-flags.json"
echo "done: $WORK"
