"""The on-disk memo of tool output: `compilerlm cc` runs once per unit, and must not ask clang for its -Oz
pipeline (or opt for its pass list) every time, yet a different tool binary must be asked again."""

from __future__ import annotations

import os
import subprocess
import sys

from compilerlm.cache import tool_output
from compilerlm.toolchain.pipelines import clang_pipeline


def test_tool_output_is_asked_once_per_tool_binary_and_command(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPILERLM_CACHE", str(tmp_path / "cache"))
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\necho one\n")
    asked = []

    def produce(text: str):
        def run() -> str:
            asked.append(text)
            return text

        return run

    assert tool_output([str(tool), "-x"], produce("one")) == "one"
    assert tool_output([str(tool), "-x"], produce("two")) == "one" and asked == ["one"]  # from disk
    assert tool_output([str(tool), "-y"], produce("three")) == "three"  # another command is another entry
    tool.write_text("#!/bin/sh\necho four, a new build\n")  # the binary changed: asked again
    os.utime(tool, ns=(1, 1))
    assert tool_output([str(tool), "-x"], produce("four")) == "four" and asked == ["one", "three", "four"]


def test_clang_pipeline_comes_from_the_memo_in_a_fresh_process(tmp_path):
    """A second process reads clang's -Oz pipeline from disk: the same text clang prints."""
    env = {**os.environ, "COMPILERLM_CACHE": str(tmp_path / "cache")}
    code = "from compilerlm.toolchain.pipelines import clang_pipeline; print(clang_pipeline('Oz'))"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    (memo,) = (tmp_path / "cache" / "tool-output").iterdir()
    assert memo.read_text() == first.stdout.strip() == clang_pipeline("Oz")
    memo.write_text("function(instcombine)")  # what the next process gets is what is on disk, without clang
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert again.stdout.strip() == "function(instcombine)"
