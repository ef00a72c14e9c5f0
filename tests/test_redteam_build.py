"""Red-team tests for what runs on untrusted text besides the binary: the assembler, the linker, the C
compiler on dataset code, PGO training runs, the programs that verification builds, the LLVM tools that
check emulation and disassembly answers, and pipelines a model names.

Each case is hostile input a model or a downloaded dataset could send. It must not put host file content
into anything we keep or show (build errors, which go into repair prompts; the binary; its output) and must
leave no marker outside the sandbox. The secret is a world-readable file in the host's /tmp, the place an
escaped process could read most easily; its name is random, so tests running side by side do not meet.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from compilerlm.confined_tools import BUILD_FILE_LIMIT
from compilerlm.errors import CompilerLMError, PipelineError
from compilerlm.programs.program import Program
from compilerlm.programs.program import TestCase as Case
from compilerlm.programs.supercoder import program_from_row
from compilerlm.sandbox import Limits, run_sandboxed, run_tool_sandboxed, sandbox_capabilities
from compilerlm.search.verify import verify_program
from compilerlm.speed.build import baseline_assembly, build_candidate, build_oracle, forbidden_directive
from compilerlm.speed.portfolio import _config, compile_assembly
from compilerlm.tasks.common import asm_parse_error, ir_to_asm
from compilerlm.tasks.flags import parse_flags_answer
from compilerlm.toolchain.pipelines import normalize

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("gcc") is None, reason="needs Linux and gcc"
)

# prints the bytes between the labels `data` and `data_end`: whatever a directive pulled in
PRINTER = """
    .section .rodata
data:
{payload}
data_end:
    .byte 0
    .text
    .globl main
main:
    subq $8, %rsp
    leaq data(%rip), %rsi
    leaq data_end(%rip), %rdx
    subq %rsi, %rdx
    movl $1, %edi
    call write@PLT
    xorl %eax, %eax
    addq $8, %rsp
    ret
    .section .note.GNU-stack,"",@progbits
"""

# Each payload tries to read {secret} (a host file) at assembly time; {secret} is an absolute path.
READ_PAYLOADS = {
    "incbin": '.incbin "{secret}"',
    "include": '.include "{secret}"',
    "comment-before-incbin": '/**/.incbin "{secret}"',
    "comment-before-include": '/* x */.include "{secret}"',
    "quote-trick": '.byte \'" ; .incbin "{secret}" ; .byte \'"',
    "macro-concatenated-name": '.macro m\n.inc\\()bin "{secret}"\n.endm\nm',
    "macro-argument-name": '.macro m d\n.\\d "{secret}"\n.endm\nm incbin',
    "irp-name": '.irp d,incbin\n.\\d "{secret}"\n.endr',
    "irpc-name": '.irpc c,n\n.i\\c\\()cbin "{secret}"\n.endr',
    "nested-macros": '.macro inner d\n.\\d "{secret}"\n.endm\n.macro outer\ninner incbin\n.endm\nouter',
    "altmacro": '.altmacro\n.macro m d\n.&d "{secret}"\n.endm\nm incbin\n.noaltmacro',
    "rept-incbin": '.rept 3\n.incbin "{secret}"\n.endr',
    "rept-of-macro-incbin": '.macro m\n.inc\\()bin "{secret}"\n.endm\n.rept 2\nm\n.endr',
    "relative-traversal": '.irp d,incbin\n.\\d "../../../../../../..{secret}"\n.endr',
    "passwd": '.irp d,incbin\n.\\d "/etc/passwd"\n.endr',
    "init-environment": '.irp d,incbin\n.\\d "/proc/1/environ"\n.endr',
    "host-root-via-proc": '.irp d,incbin\n.\\d "/proc/1/root{secret}"\n.endr',
    "include-as-text-in-error": '.irp d,include\n.\\d "{secret}"\n.endr',
}


@pytest.fixture
def secret(tmp_path):
    """A world-readable host file in /tmp (so its content is in reach of anything that escapes)."""
    token = f"COMPILERLM-SECRET-{secrets.token_hex(8)}"
    path = Path("/tmp") / f"compilerlm-redteam-{secrets.token_hex(6)}"
    path.write_text(f"{token}\nsecond line {token}\n")
    path.chmod(0o644)
    try:
        yield path, token.encode()
    finally:
        path.unlink(missing_ok=True)


def _host_leaks(blobs: list[bytes], token: bytes) -> list[bytes]:
    """Host content found in what we keep: the secret's token, /etc/passwd's first line, or our environment."""
    markers = [token]
    passwd = Path("/etc/passwd").read_bytes().split(b"\n", 1)[0]
    if passwd:
        markers.append(passwd)
    own_env = [e for e in Path("/proc/self/environ").read_bytes().split(b"\0") if len(e) > 12 and b"PATH=" not in e]
    markers += own_env[:20]
    # case-insensitive: the assembler lower-cases what it quotes in "no such instruction" errors
    return [m for m in markers for b in blobs if m.lower() in b.lower()]


@pytest.mark.parametrize("case", sorted(READ_PAYLOADS))
def test_assembler_cannot_read_host_files(case, secret, tmp_path):
    path, token = secret
    text = PRINTER.format(payload=READ_PAYLOADS[case].format(secret=path))
    built = build_candidate(text, tmp_path / "work")
    blobs = [built.error.encode()]
    if built.ok:
        assert built.binary is not None
        blobs.append(built.binary.read_bytes())
        res = run_sandboxed(built.binary, b"", Limits(wall_seconds=10))
        assert res.status != "sandbox-error", res.detail
        blobs += [res.stdout, res.stderr]
    assert _host_leaks(blobs, token) == []
    if forbidden_directive(text) is None and case not in ("passwd", "init-environment"):
        # the filter did not see it: the assembler did try, and found nothing (the file is not there)
        assert not built.ok, f"{case}: built although it names a file that must not exist in the sandbox"
        assert "not found" in built.error or "No such file" in built.error or "can't open" in built.error


def test_linker_cannot_read_host_files_through_ldflags_of_a_model(secret, tmp_path):
    """A linker script or response file named on the command line resolves inside the sandbox only."""
    path, token = secret
    text = PRINTER.format(payload=".byte 1")
    built = build_candidate(text, tmp_path / "work", ldflags=(f"-Wl,@{path}", f"-Wl,-T,{path}"))
    assert not built.ok
    assert _host_leaks([built.error.encode()], token) == []


def test_symlinks_left_in_the_work_directory_are_not_followed(secret, tmp_path):
    path, _ = secret
    before = path.read_bytes()
    work = tmp_path / "work"
    work.mkdir()
    (work / "candidate").symlink_to(path)  # a previous run's output name, pointing at a host file
    (work / "candidate.s").symlink_to(path)
    built = build_candidate(PRINTER.format(payload='.ascii "ok"'), work)
    assert built.ok, built.error
    assert built.binary is not None and not built.binary.is_symlink()
    assert path.read_bytes() == before  # nothing was written through the link
    res = run_sandboxed(built.binary, b"")
    assert res.stdout == b"ok"


def test_results_that_are_links_fifos_or_folders_are_not_collected(secret, tmp_path):
    path, token = secret
    script = tmp_path / "make-traps.sh"
    script.write_text(
        f"#!/bin/sh\nln -s /proc/1/environ link\nln -s ../../../..{path} link2\nmkfifo fifo\nmkdir folder\n"
        "echo fine > plain\n"
    )
    script.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    res = run_tool_sandboxed(
        ["/bin/sh", "make-traps.sh"], files={"make-traps.sh": script}, collect=["*"], collect_to=out
    )
    assert res.ok, res.detail
    assert sorted(p.name for p in out.iterdir()) == ["make-traps.sh", "plain"]
    assert _host_leaks([p.read_bytes() for p in out.iterdir()], token) == []


def test_binary_at_the_build_size_limit_still_runs_fully_confined(tmp_path):
    """A binary larger than any tmpfs root (escape 2): it is bound, not copied, so the private root holds."""
    marker = Path("/tmp") / f"compilerlm-escape-{secrets.token_hex(6)}"
    text = f"""
    .section .rodata
path: .asciz "{marker}"
mode: .asciz "w"
    .data
big: .zero 200000000
    .text
    .globl main
main:
    subq $8, %rsp
    leaq path(%rip), %rdi
    leaq mode(%rip), %rsi
    call fopen@PLT
    testq %rax, %rax
    sete %al
    movzbl %al, %eax
    addq $8, %rsp
    ret
    .section .note.GNU-stack,"",@progbits
"""
    built = build_candidate(text, tmp_path / "work")
    assert built.ok, built.error
    assert built.binary is not None and built.binary.stat().st_size > 200_000_000
    res = run_sandboxed(built.binary, b"", Limits(wall_seconds=20, address_space_bytes=1 << 30))
    assert res.status == "ok", res.detail  # fopen succeeded: in the sandbox's own /tmp
    assert res.isolation["private_root"] and res.isolation["mount_namespace"]
    assert not marker.exists()


def test_binary_over_the_build_size_limit_fails_to_build_clearly(tmp_path):
    text = PRINTER.format(payload=f".zero {BUILD_FILE_LIMIT + (16 << 20)}")
    built = build_candidate(text, tmp_path / "work")
    assert not built.ok
    assert built.error
    assert not list((tmp_path / "work").glob("candidate"))


@pytest.mark.parametrize(
    "payload",
    [".fill 1<<40, 1, 0", ".rept 100000\n.rept 100000\n.rept 100000\n.byte 0\n.endr\n.endr\n.endr"],
    ids=["disk-bomb", "nested-rept-bomb"],
)
def test_assembler_bombs_are_stopped_by_limits(payload, tmp_path):
    built = build_candidate(PRINTER.format(payload=payload), tmp_path / "work", timeout=20)
    assert not built.ok
    assert built.seconds < 40


def test_sandbox_refuses_to_run_when_the_private_root_cannot_be_built(tmp_path):
    """Fail closed (escape 2): inputs larger than the sandbox's /tmp leave no private root; nothing runs."""
    marker = Path("/tmp") / f"compilerlm-escape-{secrets.token_hex(6)}"
    res = run_tool_sandboxed(
        ["/bin/sh", "-c", f"echo escaped > {marker}"],
        limits=replace(Limits(), tmp_bytes=1 << 20),
        files={"big": b"x" * (4 << 20)},
    )
    assert res.status == "sandbox-error"
    assert "refusing to run it unconfined" in res.detail and "private_root" in res.detail
    assert not marker.exists()
    assert res.stdout == b"" and res.exit_code is None


def test_capabilities_say_whether_runs_are_confined():
    caps = sandbox_capabilities()
    assert caps["confined"] is True, caps["refusal"]
    assert caps["refusal"] == ""


def _c_program(tmp_path: Path, code: str, tests: tuple[Case, ...] = ()) -> Program:
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "main.c").write_text(code)
    return Program(name="hostile", sources=(folder / "main.c",), include_dirs=(str(folder),), tests=tests)


@pytest.mark.parametrize(
    "code",
    [
        '#include "{secret}"\nint main(void) {{ return 0; }}\n',
        "int main(void) {{ return 0; }}\n"
        '__asm__(".section .rodata\\n.irp d,incbin\\n.\\\\d \\"{secret}\\"\\n.endr");\n',
    ],
    ids=["c-include", "c-inline-incbin"],
)
def test_dataset_c_code_cannot_read_host_files_when_compiled(code, secret, tmp_path):
    path, token = secret
    program = _c_program(tmp_path, code.format(secret=path))
    blobs = []
    for build in (lambda: baseline_assembly(program), lambda: build_oracle(program, tmp_path / "oracle")):
        try:
            out = build()
            blobs.append(out.read_bytes() if isinstance(out, Path) else out.encode())
        except Exception as exc:  # a refusal to compile is fine; a leak is not
            blobs.append(str(exc).encode())
    assert _host_leaks(blobs, token) == []


HOSTILE_TRAINING = r"""
#include <stdio.h>
int main(void) {
    FILE *f = fopen("%(marker)s", "w");
    if (f) { fputs("escaped\n", f); fclose(f); }
    FILE *s = fopen("%(secret)s", "r");
    char line[128];
    if (s && fgets(line, sizeof line, s)) { fputs(line, stdout); fputs("LEAKED\n", stderr); }
    int c, n = 0;
    while ((c = getchar()) != EOF) n += c == '\n';
    printf("%%d\n", n);
    return 0;
}
"""


@pytest.mark.parametrize("config", ["gcc -O3 +pgo", "clang -O3 +pgo"])
def test_pgo_training_runs_dataset_code_confined(config, secret, tmp_path):
    path, token = secret
    marker = Path("/tmp") / f"compilerlm-escape-{secrets.token_hex(6)}"
    program = _c_program(tmp_path, HOSTILE_TRAINING % {"marker": marker, "secret": path})
    asm = compile_assembly(program, _config(config), (Case("1", b"a\nb\n", b"2\n"),))
    assert "main" in asm
    assert not marker.exists()
    assert _host_leaks([asm.encode()], token) == []


def test_verification_runs_the_program_confined(secret, tmp_path):
    path, _ = secret
    marker = Path("/tmp") / f"compilerlm-escape-{secrets.token_hex(6)}"
    program = _c_program(tmp_path, HOSTILE_TRAINING % {"marker": marker, "secret": path}, (Case("1", b"a\n", b"1\n"),))
    verdict = verify_program(program, program.modules(), {})
    assert verdict.verified, verdict.detail  # it printed only the count: the secret was not there to read
    assert not marker.exists()
    assert os.path.exists(path)


@pytest.mark.parametrize("case", ["include", "include-as-text-in-error", "macro-concatenated-name", "irp-name"])
def test_emulation_answers_are_assembled_confined(case, secret):
    """The emulation task checks a model's assembly with llvm-mc: its errors land in results."""
    path, token = secret
    error = asm_parse_error(READ_PAYLOADS[case].format(secret=path) + "\n")
    assert error is not None and _host_leaks([error.encode()], token) == []


def test_disassembly_answers_are_compiled_confined(secret):
    """A model's IR may carry `module asm`, which llc hands to the assembler: `.include` reads the host file."""
    path, token = secret
    ir = f'module asm ".include \\22{path}\\22"\ndefine i32 @f() {{\n  ret i32 0\n}}\n'
    with pytest.raises(CompilerLMError) as info:
        ir_to_asm(ir)
    assert _host_leaks([str(info.value).encode()], token) == []
    assert "not find include file" in str(info.value)  # llc did try, inside the sandbox


@pytest.mark.parametrize(
    "pipeline", ["function(dot-cfg)", "mem2reg,view-cfg", "print-lcg-dot", "memprof-use<profile-filename=/etc/passwd>"]
)
def test_pipelines_with_effects_outside_the_module_are_refused(pipeline):
    """A model's pipeline must not make opt write files, start a viewer or read a file it names."""
    with pytest.raises(PipelineError, match="is not allowed"):
        normalize(pipeline)
    assert parse_flags_answer(f"opt -p '{pipeline}'").pipeline is None


def test_dataset_c_code_never_reaches_the_host_frontend(secret, tmp_path):
    """The size track compiles C on the host; a downloaded row's C (which may `#include` a host file, echoed
    into clang's errors) is refused there, with the reason."""
    path, token = secret
    row = {
        "reward_model": {"ground_truth": ""},
        "extra_info": {"c_code": f'#include "{path}"\nint main(void) {{ return 0; }}\n', "inputs": [""]}
        | {"outputs": [""]},
    }
    program = program_from_row(row, 0, tmp_path / "cache")
    with pytest.raises(CompilerLMError, match="only inside the sandbox") as info:
        program.modules()
    assert _host_leaks([str(info.value).encode()], token) == []
