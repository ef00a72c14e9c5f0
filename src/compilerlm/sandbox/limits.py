"""Resource limits for one sandboxed run."""

from __future__ import annotations

from dataclasses import dataclass, fields

from compilerlm.errors import CompilerLMError


@dataclass(frozen=True)
class Limits:
    """What one run of an untrusted binary may use; the defaults suit small benchmark programs.

    Every limit is per run. ``cpu_seconds``, ``address_space_bytes``, ``open_files`` and
    ``file_size_bytes`` are rlimits, so they hold per process; ``max_processes`` counts all the
    processes of the run (they share a fresh uid); ``tmp_bytes`` caps the private writable /tmp.
    """

    cpu_seconds: int = 10
    wall_seconds: float = 20.0
    address_space_bytes: int = 1 << 30
    max_processes: int = 16
    open_files: int = 64
    file_size_bytes: int = 16 << 20
    stdout_bytes: int = 4 << 20
    stderr_bytes: int = 1 << 20
    tmp_bytes: int = 64 << 20

    def __post_init__(self) -> None:
        for f in fields(self):
            if not getattr(self, f.name) > 0:
                raise CompilerLMError(f"sandbox limit {f.name} must be positive, got {getattr(self, f.name)!r}")
        if self.open_files < 4:
            raise CompilerLMError("sandbox limit open_files must be at least 4 (stdin, stdout, stderr and one more)")
