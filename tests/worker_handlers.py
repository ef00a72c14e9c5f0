"""Task handlers for test_workers, importable by spawned worker processes."""

from __future__ import annotations

import os
import sys
import time


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
