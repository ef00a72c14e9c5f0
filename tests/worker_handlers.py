"""Task handlers for test_workers, importable by spawned worker processes."""

from __future__ import annotations

import os
import sys
import time

from compilerlm.tasks.base import RewardOutcome, Task


def handle(task):
    kind, value = task
    if kind == "abort":
        sys.stderr.write("about to abort: error in test handler\n")
        sys.stderr.flush()
        os.abort()
    if kind == "sleep":
        time.sleep(value)
    if kind == "raise":
        raise ValueError("boom")
    return value


class EchoTask(Task):
    """A toy task whose reward is the score it is asked for, after an optional sleep, abort or exception: for
    tests of the reward pool itself (test scaffolding lives here, not in the library)."""

    name = "echo"
    reward_columns = ("score",)

    def score_reward(self, request, config):
        if request.get("sleep"):
            time.sleep(request["sleep"])
        if request.get("abort"):
            os.abort()
        if request.get("raise"):
            raise ValueError("echo was asked to fail")
        return RewardOutcome(float(request["score"]), True, "echo")
