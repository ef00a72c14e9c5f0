"""Measuring programs: wall/CPU time (interleaved A/B runs), instruction counts, docs/design.md speedup statistics.

Knows nothing of where a binary came from; runs go through a ``Runner`` (a local subprocess by default;
``programs.testing.checked_runner`` runs a program's test confined and judges every measured run).
"""

from compilerlm.measure.instructions import count_instructions, instruction_backend
from compilerlm.measure.speedup import (
    Aggregate,
    ProgramResult,
    SuiteResult,
    TestResult,
    quartiles,
    summarize,
)
from compilerlm.measure.timing import (
    Comparison,
    Measurement,
    MeasurementError,
    MeasurementTampered,
    RunFailed,
    Runner,
    RunSample,
    TimingStats,
    compare,
    local_runner,
    measure,
)
from compilerlm.stats import geomean

__all__ = [
    "Aggregate",
    "Comparison",
    "Measurement",
    "MeasurementError",
    "MeasurementTampered",
    "ProgramResult",
    "RunFailed",
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
    "summarize",
]
