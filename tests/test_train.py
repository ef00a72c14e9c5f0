"""`compilerlm train`: real TRL trainers on a tiny real model (built and taught on the spot), rewards computed by
the real compiler, tests and sandbox, in worker processes that may crash or hang without stopping training."""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest

from compilerlm.data import load_splits
from compilerlm.data.build import DataConfig, build_dataset
from compilerlm.errors import CompilerLMError
from compilerlm.models import load_model
from compilerlm.programs.suites import resolve_target
from compilerlm.programs.supercoder import make_row
from compilerlm.registry.flags import FlagsDataConfig, FlagsRewardConfig, size_oz
from compilerlm.registry.flags import flags_reward as score_flags
from compilerlm.registry.speed import AsmDataConfig, AsmRLOptions
from compilerlm.speed.checks import split_tests
from compilerlm.speed.prompt import asm_prompt_text
from compilerlm.speed.rewards import AsmRewardConfig, score_asm
from compilerlm.tracks.size import SIZE_SEARCH
from compilerlm.train.config import LoraSettings, RLRunConfig, SFTRunConfig
from compilerlm.train.pool import RewardPool
from compilerlm.train.rl import check_algo, reward_settings, run_rl
from compilerlm.train.sft import run_sft
from compilerlm.train.verl_reward import compute_score, options_from_environment

from .test_data import make_suite
from .tiny_model import build_tiny_model, teach
from .worker_handlers import EchoTask

ROOT = Path(__file__).resolve().parents[1]
# fib's module gets smaller than -Oz with mem2reg alone (the tuner finds it; checked below, never assumed)
GOOD_FIB = "function(mem2reg)"


def gcc_asm(folder: Path, *flags: str) -> str:
    """gcc's assembly of a program folder's main.c, without .file/.ident (as a model would write it)."""
    out = subprocess.run(["gcc", *flags, "-S", "main.c", "-o", "-"], cwd=folder, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return "".join(ln + "\n" for ln in out.stdout.splitlines() if not ln.strip().startswith((".file", ".ident")))


def fenced(asm: str) -> str:
    return f"```assembly\n{asm}```"


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    return make_suite(tmp_path_factory.mktemp("train-suite"))


@pytest.fixture(scope="module")
def flags_data(suite, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("flags-data")
    labels = FlagsDataConfig(budget=10, jobs=2, tuner=SIZE_SEARCH)
    build_dataset("flags", DataConfig(str(suite), str(out), validation=0.25), labels)
    return out


def _one_program_dataset(task: str, suite: Path, name: str, out: Path) -> Path:
    """A dataset of one program's rows, all in train (the RL tests sample that prompt only)."""
    config = DataConfig(str(suite / name), str(out), validation=0.0)
    task_config = FlagsDataConfig(budget=5, tuner=SIZE_SEARCH) if task == "flags" else AsmDataConfig(visible=2)
    build_dataset(task, config, task_config)
    return out


def _tiny_model(out: Path, dataset: Path) -> Path:
    rows = [r for s in load_splits(dataset).values() for r in s]
    return build_tiny_model(out, [r["prompt"] + r["completion"] for r in rows], context=8192)


# --- SFT --------------------------------------------------------------------------------------------------


def test_sft_loss_goes_down_and_the_model_loads(flags_data, tmp_path):
    model = _tiny_model(tmp_path / "tiny", flags_data)
    config = SFTRunConfig(
        model=f"hf:{model}", data=str(flags_data), out=str(tmp_path / "sft"), max_steps=4, learning_rate=3e-3,
        batch_size=3, logging_steps=1,
    )  # fmt: skip
    report = run_sft(config)
    assert report.steps == 4 and len(report.losses) == 4
    assert report.losses[-1] < report.losses[0] - 0.1, report.losses
    assert report.eval_loss is not None  # the validation split was evaluated
    with load_model(f"hf:{tmp_path / 'sft'}") as lm:  # what `compilerlm eval --model hf:OUT` would load
        assert lm.generate(["[INST] hi"], n=1, temperature=0.0, max_tokens=4)[0]


@pytest.mark.slow
def test_sft_with_lora_saves_adapter_and_merged_model(flags_data, tmp_path):
    model = _tiny_model(tmp_path / "tiny", flags_data)
    out = tmp_path / "lora"
    report = run_sft(
        SFTRunConfig(model=f"hf:{model}", data=str(flags_data), out=str(out), max_steps=2, learning_rate=3e-3,
                     batch_size=3, logging_steps=1, lora=LoraSettings(r=4, alpha=8))
    )  # fmt: skip
    assert report.steps == 2 and (out / "adapter" / "adapter_config.json").is_file()
    assert not (out / "adapter_config.json").exists()  # the merged model is a plain transformers model
    with load_model(f"hf:{out}") as lm:
        assert lm.generate(["x"], n=1, temperature=0.0, max_tokens=2)[0] is not None


# --- rewards ----------------------------------------------------------------------------------------------


def test_flags_reward_is_verified_improvement_vs_oz(suite, tmp_path):
    fib = resolve_target(str(suite / "fib"))[0]
    [module] = fib.modules()
    target = str(suite / "fib")
    oz = size_oz(module)
    good = score_flags(f"Run opt -p '{GOOD_FIB}' to get object file size 1 bytes:", module.ir, module.name, oz, target)
    assert good.ok and good.score > 0 and "tests passed" in good.detail, good
    same = score_flags("opt -p 'default<Oz>'", module.ir, module.name, oz, target)
    assert same.ok and same.score == 0.0
    for bad in ("no pass list here at all!", "opt -p 'not-a-pass'", ""):
        out = score_flags(bad, module.ir, module.name, oz, target)
        assert not out.ok and out.score == -1.0, (bad, out)
    custom = score_flags("garbage", module.ir, module.name, oz, target, FlagsRewardConfig(invalid_score=-0.25))
    assert custom.score == -0.25
    unverified = score_flags(f"opt -p '{GOOD_FIB}'", module.ir, module.name, oz, None)
    assert unverified.score == good.score and "unverified" in unverified.detail
    # a program whose test now expects another output: the pipeline "miscompiles" it, whatever its size
    shutil.copytree(suite / "fib", tmp_path / "fib")
    (tmp_path / "fib" / "tests" / "1.out").write_text("12345\n")
    broken = score_flags(f"opt -p '{GOOD_FIB}'", module.ir, module.name, oz, str(tmp_path / "fib"))
    assert not broken.ok and broken.score == -1.0 and "miscompile" in broken.detail, broken
    lenient = FlagsRewardConfig(verify=False)
    assert score_flags(f"opt -p '{GOOD_FIB}'", module.ir, module.name, oz, str(tmp_path / "fib"), lenient).score > 0


def test_reward_pool_scores_crashes_and_timeouts_as_failed():
    echo = EchoTask()
    asked = [
        {"score": 0.5},
        {"score": 1.0, "sleep": 30},  # past the time limit
        {"score": 1.0, "abort": True},  # the worker dies
        {"score": 1.0, "raise": True},  # the task raises
        {"score": 0.25},  # replaced workers go on
    ]
    tasks = [{"task": echo, "config": None, "request": r} for r in asked]
    with RewardPool(workers=2, timeout=3.0) as pool:
        out = pool.score(tasks, failure_score=-1.0)
    assert [o.score for o in out] == [0.5, -1.0, -1.0, -1.0, 0.25]
    assert [o.ok for o in out] == [True, False, False, False, True]
    assert "timeout" in out[1].detail and "crash" in out[2].detail


@pytest.mark.slow
def test_asm_rewards_and_verl_compute_score_on_a_row(suite, monkeypatch):
    """A row whose baseline is sumsq's -O0 assembly: gcc -O3's is correct and faster (reward > 0), a copy of the
    baseline earns 0, other programs' code fails tests, text without assembly does not compile. Speed is
    measured in instructions retired: a wall-clock ratio from one run is not a fact on a busy machine."""
    monkeypatch.setenv("COMPILERLM_REWARD_MEASURE", "instructions")
    folder = suite / "sumsq"
    program = resolve_target(str(folder))[0]
    baseline, faster = gcc_asm(folder, "-O0"), gcc_asm(folder, "-O3")
    visible, hidden = split_tests(program.tests, 2)
    row = make_row("sumsq", (folder / "main.c").read_text(), baseline, visible, hidden, "train", 0,
                   question=asm_prompt_text("", baseline))  # fmt: skip
    truth, info = row["reward_model"]["ground_truth"], row["extra_info"]

    fast = compute_score(row["data_source"], fenced(faster), truth, info)
    assert fast["compiled"] == 1.0 and fast["score"] > 1.0, fast  # SuperCoder: the mean speedup
    assert fast["faster"] == 1.0 and fast["undecided"] == 0.0 and fast["measured_speedup"] == fast["score"]
    copy = compute_score(row["data_source"], fenced(baseline), truth, info)
    assert (copy["score"], copy["compiled"], copy["faster"]) == (0.0, 1.0, 0.0)
    nothing = compute_score(row["data_source"], "no code", truth, info)  # the same keys every time, as verl batches
    assert nothing == dict.fromkeys(fast, 0.0)

    partial = AsmRewardConfig(reward="partial", runs=1, measure="instructions")
    assert score_asm(fenced(faster), truth, info, partial).score > 11.0  # 1 + 10 × speedup
    wrong = score_asm(fenced(gcc_asm(suite / "fib", "-O1")), truth, info, partial)
    assert wrong.ok and wrong.score < 1.0 and "tests" in wrong.detail  # fraction passed (or -0.5 on a crash)
    assert score_asm("```assembly\nnot an instruction\n```", truth, info, partial).score == -1.0
    monkeypatch.setenv("COMPILERLM_REWARD", "hidden")
    assert compute_score(row["data_source"], fenced(faster), truth, info)["score"] > 1.0


def test_verl_signature_and_example_config():
    params = list(inspect.signature(compute_score).parameters)
    assert params[:4] == ["data_source", "solution_str", "ground_truth", "extra_info"]
    example = (ROOT / "examples" / "verl_ppo_asm.sh").read_text()
    assert "custom_reward_function.name=compute_score" in example
    assert "compilerlm/train/verl_reward.py" in example or "verl_reward" in example
    for setting in ("actor_rollout_ref.actor.optim.lr=1e-6", "critic.optim.lr=1e-5", "data.train_batch_size=16",
                    "actor_rollout_ref.rollout.temperature=0.5", "algorithm.use_kl_in_reward=False"):  # fmt: skip
        assert setting in example, setting


# --- RL -------------------------------------------------------------------------------------------------


def test_ppo_points_to_verl_and_bad_settings_fail_early(flags_data, tmp_path):
    with pytest.raises(CompilerLMError, match="verl"):
        check_algo("ppo")
    with pytest.raises(CompilerLMError, match="grpo or ppo"):
        check_algo("dpo")
    base = RLRunConfig(task="asm", model="hf:/nonexistent", data=str(flags_data), out=str(tmp_path / "rl"))
    with pytest.raises(CompilerLMError, match="multiple of"):
        run_rl(replace(base, task="flags", num_generations=3, batch_size=4))
    with pytest.raises(CompilerLMError, match="unknown asm reward"):
        run_rl(replace(base, task_options=AsmRLOptions(reward="fastest")))
    with pytest.raises(CompilerLMError, match="lacks column"):
        run_rl(base)  # flags rows are not SuperCoder rows
    proc = subprocess.run(
        [sys.executable, "-m", "compilerlm.cli", "train", "rl", "--task", "asm", "--algo", "ppo", "--model", "hf:x",
         "--data", str(flags_data), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1 and "verl" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_each_task_reads_its_own_rl_options():
    """A run's `task_options` are its task's `rl_options`; the task makes its reward's settings from them (and
    the run's seed) before any work, and refuses another task's options or a bad setting."""
    run = RLRunConfig(task="asm", model="hf:x", data="d", out="o", seed=7)
    options = AsmRLOptions(reward="partial", timing_runs=1, measure="instructions", timing_protocol="supercoder")
    task, settings = reward_settings(replace(run, task_options=options))
    assert task.name == "asm" and settings == AsmRewardConfig(
        reward="supercoder-partial", runs=1, measure="instructions", protocol="supercoder", seed=7
    )
    assert reward_settings(run)[1] == AsmRewardConfig(seed=7)  # no options given: the task's defaults
    flags = replace(run, task="flags", task_options=FlagsRewardConfig(verify=False, invalid_score=-0.5))
    assert reward_settings(flags)[1] == FlagsRewardConfig(verify=False, invalid_score=-0.5)  # read as it is
    with pytest.raises(CompilerLMError, match="takes its options as FlagsRewardConfig, not AsmRLOptions"):
        reward_settings(replace(flags, task_options=options))
    for bad, match in [
        (AsmRLOptions(measure="cycles"), "unknown --measure 'cycles'"),
        (AsmRLOptions(timing_protocol="fast"), "unknown --timing-protocol"),
        (AsmRLOptions(timing_runs=0), "--timing-runs must be at least 1"),
    ]:
        with pytest.raises(CompilerLMError, match=match):
            reward_settings(replace(run, task_options=bad))


def test_verl_reads_the_asm_tasks_rl_options_from_its_environment(monkeypatch):
    assert options_from_environment() == AsmRLOptions()
    monkeypatch.setenv("COMPILERLM_REWARD", "partial")
    monkeypatch.setenv("COMPILERLM_REWARD_RUNS", "5")
    monkeypatch.setenv("COMPILERLM_REWARD_MEASURE", "instructions")
    assert options_from_environment() == AsmRLOptions(reward="partial", timing_runs=5, measure="instructions")
    monkeypatch.setenv("COMPILERLM_REWARD", "fastest")
    with pytest.raises(CompilerLMError, match="unknown asm reward 'fastest'"):  # every score would be wrong
        compute_score("compilerlm/asm", "", "", {})


def test_train_rl_help_lists_each_tasks_own_options_once_under_its_name():
    from typer.testing import CliRunner

    from compilerlm.cli.train import make_train_app

    out = CliRunner().invoke(make_train_app(), ["rl", "--help"], env={"COLUMNS": "400"}).output
    for task in ("flags", "asm"):
        assert out.count(f"Options of --task {task} ") == 1, out
    flags_panel = out[out.index("Options of --task flags") : out.index("Options of --task asm")]
    asm_panel = out[out.index("Options of --task asm") :]
    for option in [f for f in fields(FlagsRewardConfig) if "help" in f.metadata]:
        assert flags_panel.count(option.metadata["help"]) == 1 and out.count(option.metadata["help"]) == 1
    for option in fields(AsmRLOptions):
        flag = f"--{option.name.replace('_', '-')} "
        assert asm_panel.count(flag) == 1 and out.count(flag) == 1, flag
        assert out.count(option.metadata["help"]) == 1, option.name
    assert "--no-verify" in flags_panel and "--timeout" not in out  # a field without help is no option
    assert "a task with a reward: flags or asm" in out


@pytest.mark.slow  # three train processes, each importing torch: the default suite stays under 15 minutes
def test_an_option_of_another_task_is_a_one_line_error(tmp_path):
    for args, message in [
        (["--task", "flags", "--reward", "hidden"], "--reward is an option of --task asm, not of --task flags"),
        (["--task", "asm", "--no-verify"], "--verify/--no-verify is an option of --task flags, not of --task asm"),
        (["--task", "asm", "--measure", "cycles"], "unknown --measure 'cycles'"),
    ]:
        proc = subprocess.run(
            [sys.executable, "-m", "compilerlm.cli", "train", "rl", "--model", "hf:x", "--data", str(tmp_path),
             "--out", str(tmp_path / "o"), *args],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert message in proc.stderr, proc.stderr
    assert not (tmp_path / "o").exists()  # refused before any work


@pytest.fixture(scope="module")
def taught(suite, tmp_path_factory) -> dict[str, Path]:
    """One-program datasets for fib (flags) and sumsq (asm), and a tiny model taught a known-good answer to each
    prompt (a pipeline below -Oz; gcc -O1's assembly): GRPO then samples answers the real pipeline rewards."""
    root = tmp_path_factory.mktemp("taught")
    flags = _one_program_dataset("flags", suite, "fib", root / "flags")
    asm = _one_program_dataset("asm", suite, "sumsq", root / "asm")
    flags_prompt = load_splits(flags)["train"][0]["prompt"]
    asm_prompt_text = load_splits(asm)["train"][0]["prompt"][0]["content"]
    flags_answer = f"Run opt -p '{GOOD_FIB}' to get object file size 165 bytes:"
    asm_answer = fenced(gcc_asm(suite / "sumsq", "-O1", "-fno-asynchronous-unwind-tables"))
    model = build_tiny_model(root / "tiny", [flags_prompt, flags_answer, asm_prompt_text, asm_answer], context=8192)
    teach(model, [(flags_prompt, flags_answer), (asm_prompt_text, asm_answer)])
    return {"flags": flags, "asm": asm, "model": model}


def _reward_log(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "rewards.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_grpo_on_flags_rewards_the_verified_pipeline(taught, tmp_path):
    out = tmp_path / "rl-flags"
    report = run_rl(
        RLRunConfig(task="flags", model=f"hf:{taught['model']}", data=str(taught["flags"]), out=str(out),
                    num_generations=2, batch_size=2, max_steps=2, max_completion_length=48, learning_rate=1e-4,
                    reward_workers=2)
    )  # fmt: skip
    assert report.steps == 2 and len(report.rewards) == 2
    log = _reward_log(out)
    assert len(log) == 4 and {r["step"] for r in log} == {0, 1}
    good = [r for r in log if r["ok"] and r["score"] > 0]
    assert good, log  # the taught answer, sized by opt + llc and verified by fib's tests
    assert all("tests passed" in r["detail"] for r in good)
    assert (out / "config.json").is_file()


@pytest.mark.slow
def test_grpo_on_asm_rewards_correct_assembly(taught, tmp_path):
    out = tmp_path / "rl-asm"
    report = run_rl(
        RLRunConfig(task="asm", model=f"hf:{taught['model']}", data=str(taught["asm"]), out=str(out),
                    task_options=AsmRLOptions(reward="partial", timing_runs=1), num_generations=2, batch_size=2,
                    max_steps=1, max_completion_length=600, learning_rate=1e-4, reward_workers=2)
    )  # fmt: skip
    assert report.steps == 1
    log = _reward_log(out)
    assert len(log) == 2 and all(r["detail"] for r in log)
    # the taught answer (gcc -O1's assembly) passes every test against the -O3 baseline: partial reward >= 1
    assert any(r["ok"] and r["score"] >= 1.0 for r in log), log


@pytest.mark.slow
def test_data_sft_rl_eval_chain_through_the_command_line(suite, tmp_path):
    """The README's path with one model, every step through the real `compilerlm` command: data → train sft →
    train rl → eval. Each step reads what the previous one wrote."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "compilerlm.cli", *args], capture_output=True, text=True,
                              timeout=600, cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, (args, proc.stderr[-2000:])
        return proc

    run("data", "flags", "--suite", str(suite / "fib"), "--out", "data", "--budget", "5", "--validation", "0")
    rows = load_splits(tmp_path / "data")["train"]
    model = build_tiny_model(tmp_path / "tiny", [r["prompt"] + r["completion"] for r in rows], context=8192)
    run("train", "sft", "--model", f"hf:{model}", "--data", "data", "--out", "sft", "--max-steps", "2",
        "--batch-size", "1", "--learning-rate", "1e-3")  # fmt: skip
    run("train", "rl", "--task", "flags", "--model", "hf:sft", "--data", "data", "--out", "rl",
        "--max-steps", "1", "--num-generations", "2", "--batch-size", "2", "--max-completion-length", "16",
        "--reward-workers", "1")  # fmt: skip
    assert len(_reward_log(tmp_path / "rl")) == 2  # both completions scored by the real pipeline
    out = run("eval", "flags", "--model", "hf:rl", "--suite", str(suite / "fib"), "--max-tokens", "16",
              "--json", "e.json")  # fmt: skip
    doc = json.loads((tmp_path / "e.json").read_text())
    assert len(doc["rows"]) == 1 and doc["model"] == "hf:rl" and "improvement" in out.stdout.lower()
