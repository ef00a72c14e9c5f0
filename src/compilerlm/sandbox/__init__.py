"""Running untrusted binaries safely: a private root, no network, resource limits, nothing left behind.

This layer knows nothing of where a binary came from; see ``run.py`` for how the confinement works.
"""

from compilerlm.sandbox.isolation import missing_isolation, sandbox_capabilities
from compilerlm.sandbox.limits import Limits
from compilerlm.sandbox.plan import PROG_LIB, Emulator
from compilerlm.sandbox.run import SandboxResult, Status, run_sandboxed, run_tool_sandboxed
from compilerlm.sandbox.stages import REPORT_FD

__all__ = [
    "PROG_LIB",
    "REPORT_FD",
    "Emulator",
    "Limits",
    "SandboxResult",
    "Status",
    "missing_isolation",
    "run_sandboxed",
    "run_tool_sandboxed",
    "sandbox_capabilities",
]
