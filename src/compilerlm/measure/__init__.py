"""Measuring programs: wall/CPU time (interleaved A/B runs), instruction counts, docs/design.md speedup statistics.

Knows nothing of where a binary came from; runs go through a ``Runner`` (a local subprocess by default,
the sandbox via ``sandbox_runner``).
"""

from compilerlm.measure.instructions import count_instructions, instruction_backend
from compilerlm.measure.speedup import (
    Aggregate,
    ProgramResult,
    SuiteResult,
    TestResult,
    geomean,
    quartiles,
    summarize,
)
from compilerlm.measure.timing import (
    Comparison,
    Measurement,
    MeasurementError,
    Runner,
    RunSample,
    TimingStats,
    compare,
    local_runner,
    measure,
    sandbox_runner,
)

__all__ = [
    "Aggregate",
    "Comparison",
    "Measurement",
    "MeasurementError",
    "ProgramResult",
    "RunSample",
    "Runner",
    "SuiteResult",
    "TestResult",
    "TimingStats",
    "compare",
    "count_instructions",
    "geomean",
    "instruction_backend",
    "local_runner",
    "measure",
    "quartiles",
    "sandbox_runner",
    "summarize",
]
