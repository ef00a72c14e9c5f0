#!/usr/bin/env bash
# PPO on the asm (speed) task with verl, on one machine or a Ray cluster: SuperCoder's recipe (arXiv 2505.11480:
# Qwen2.5-Coder-7B-Instruct, PPO with a critic, batch 16, lr 1e-6 policy / 1e-5 critic, temperature 0.5, no KL)
# with compilerlm's reward: compilerlm.train.verl_reward.compute_score (sandboxed build, every test, timing).
#
#   pip install verl vllm 'compilerlm[train]'       # on every node; gcc and the sandbox's needs too (see README)
#   compilerlm data asm --suite builtin --out data/asm --tokenizer hf:Qwen/Qwen2.5-Coder-7B-Instruct --max-tokens 2000
#   ray start --head                                 # multi-node: then `ray start --address=HEAD:6379` on the others
#   MODEL=Qwen/Qwen2.5-Coder-7B-Instruct DATA=data/asm GPUS=4 bash examples/verl_ppo_asm.sh [more verl overrides]
#
# The reward: COMPILERLM_REWARD=supercoder (default; SuperCoder's: mean speedup if correct and faster, else 0),
# partial (compile error -1, crash -0.5, fraction of tests, 1, 1 + 10 × speedup) or hidden (ours: correctness on
# hidden tests and mutants too). COMPILERLM_REWARD_RUNS: timed runs per test (default 3);
# COMPILERLM_REWARD_PROTOCOL=supercoder times with hyperfine (3 warm-ups + 10 runs) as SuperCoder's reward does. Rewards are timed on the
# machine that computes them: keep other work off it, or compare instruction counts instead (compilerlm eval).
set -euo pipefail

MODEL=${MODEL:-Qwen/Qwen2.5-Coder-7B-Instruct}
DATA=${DATA:-data/asm}
GPUS=${GPUS:-4}
NODES=${NODES:-1}
# SuperCoder's settings by default (2,000 prompt and response tokens, 1 epoch; longer prompts are filtered out,
# as in the paper's data). compilerlm's alternative for long programs: EPOCHS=10 MAX_PROMPT=8192 MAX_RESPONSE=4096.
EPOCHS=${EPOCHS:-1}
MAX_PROMPT=${MAX_PROMPT:-2000}      # prompts are C code plus its -O3 assembly
MAX_RESPONSE=${MAX_RESPONSE:-2000}  # a whole .s file comes back
TP=${TP:-2}                         # vLLM tensor parallel size for rollouts
REWARD_WORKERS=${REWARD_WORKERS:-4}
export COMPILERLM_REWARD=${COMPILERLM_REWARD:-supercoder}

REWARD_FILE=$(python -c "import compilerlm.train.verl_reward as m; print(m.__file__)")
VAL_FILE="$DATA/validation.parquet"
[ -s "$VAL_FILE" ] || VAL_FILE="$DATA/train.parquet"

# verl >= 0.7 groups reward settings under `reward.`; earlier versions have a top-level `custom_reward_function`.
if python - <<'EOF'
import os, sys, verl
cfg = os.path.join(os.path.dirname(verl.__file__), "trainer", "config", "_generated_ppo_trainer.yaml")
sys.exit(0 if os.path.exists(cfg) and any(line.startswith("reward:") for line in open(cfg)) else 1)
EOF
then
  REWARD_ARGS=(
    reward.custom_reward_function.path="$REWARD_FILE"
    reward.custom_reward_function.name=compute_score
    reward.num_workers="$REWARD_WORKERS"
  )
else
  REWARD_ARGS=(
    custom_reward_function.path="$REWARD_FILE"
    custom_reward_function.name=compute_score
    reward_model.launch_reward_fn_async=True
  )
fi

python -m verl.trainer.main_ppo \
  algorithm.adv_estimator=gae \
  algorithm.use_kl_in_reward=False \
  data.train_files="$DATA/train.parquet" \
  data.val_files="$VAL_FILE" \
  data.prompt_key=prompt \
  data.train_batch_size=16 \
  data.max_prompt_length="$MAX_PROMPT" \
  data.max_response_length="$MAX_RESPONSE" \
  data.filter_overlong_prompts=True \
  data.truncation=error \
  actor_rollout_ref.model.path="$MODEL" \
  actor_rollout_ref.model.use_remove_padding=True \
  actor_rollout_ref.model.enable_gradient_checkpointing=True \
  actor_rollout_ref.actor.optim.lr=1e-6 \
  actor_rollout_ref.actor.ppo_mini_batch_size=16 \
  actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=1 \
  actor_rollout_ref.actor.use_kl_loss=False \
  actor_rollout_ref.actor.entropy_coeff=0 \
  actor_rollout_ref.rollout.name=vllm \
  actor_rollout_ref.rollout.temperature=0.5 \
  actor_rollout_ref.rollout.n=1 \
  actor_rollout_ref.rollout.tensor_model_parallel_size="$TP" \
  actor_rollout_ref.rollout.gpu_memory_utilization=0.5 \
  actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=1 \
  critic.optim.lr=1e-5 \
  critic.model.path="$MODEL" \
  critic.model.use_remove_padding=True \
  critic.model.enable_gradient_checkpointing=True \
  critic.ppo_micro_batch_size_per_gpu=1 \
  trainer.n_gpus_per_node="$GPUS" \
  trainer.nnodes="$NODES" \
  trainer.total_epochs="$EPOCHS" \
  trainer.project_name=compilerlm \
  trainer.experiment_name=ppo_asm \
  trainer.logger='["console"]' \
  trainer.val_before_train=True \
  trainer.test_freq=25 \
  trainer.save_freq=50 \
  "${REWARD_ARGS[@]}" \
  "$@"
