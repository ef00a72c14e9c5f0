"""`compilerlm tune --model openai:…` end to end: a tiny model taught one good answer, served on 127.0.0.1
by compilerlm's OpenAI-compatible server, drives the autotuner; bad answers fall back with a reason."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from compilerlm.models import load_model
from compilerlm.models.server import serve
from compilerlm.programs.suites import resolve_target
from compilerlm.tasks.flags import flags_prompt

from .conftest import TINY_CORPUS
from .tiny_model import build_tiny_model, teach

# On stack_vm/main.c this gives 747 bytes against -Oz's 780 and the program passes its tests (found by search).
GOOD = "module-inline,function(mem2reg)"


@pytest.mark.slow
def test_tune_uses_a_served_models_pipelines_and_falls_back_on_bad_ones(tmp_path):
    program = resolve_target("builtin:stack_vm")[0]
    ir = {m.name: m.ir for m in program.modules()}
    model_dir = build_tiny_model(tmp_path / "tiny", [*TINY_CORPUS, ir["stack_vm/main.c"][:4000]], context=16384)
    teach(
        model_dir,
        [
            (flags_prompt(ir["stack_vm/main.c"]), f"Applying opt -p '{GOOD}' gives binary size 747 bytes."),
        ],
    )
    with load_model(f"hf:{model_dir}") as model, serve(model, name="tiny") as server:
        out = tmp_path / "t.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "compilerlm.cli",
                "tune",
                "builtin:stack_vm",
                "--budget",
                "1",
                "--json",
                str(out),
                "--model",
                f"openai:{server.url}#tiny",
                "--jobs",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    modules = {m["name"]: m for m in doc["modules"]}
    main = modules["stack_vm/main.c"]
    assert main["source"] == "model" and main["pipeline"] == GOOD and main["size"] == 747 < main["size_oz"]
    assert main["verified"] is True and main["evaluations"] == 1 and main["model_pipelines"] == [GOOD]
    vm = modules["stack_vm/vm.c"]  # ~34k tokens: longer than the model's context, skipped and said so
    assert vm["source"] == "Oz" and vm["size"] == vm["size_oz"] and vm["evaluations"] == 0
    assert vm["model_errors"] and "exceeds the context" in vm["model_errors"][0]
    for m in doc["modules"]:
        assert m["source"] in ("model", "Oz") and m["evaluations"] <= 1  # budget 1: no search at all
        if m["source"] == "Oz":  # whatever the untaught model said for the others left a reason
            assert m["model_errors"] or m["model_pipelines"]
    assert doc["summary"]["sources"]["model"] >= 1
    assert "pipelines from the model" in proc.stdout
