"""Which flags of a compile database reach clang: an allow-list, and response files read within the project.

Why: a `compile_commands.json` is text someone else wrote (a cloned repository's, a Debian package's build),
and clang runs on the host with its flags, first to probe each flag (`frontend.clang_accepts`), then to
check and compile each unit. Flags can load code into clang (`-fplugin=x.so`, `-fpass-plugin=x.so`,
`-Xclang -load -Xclang x.so`) or write files (`-ftime-trace=`, `-fproc-stat-report=`, `-save-temps`,
`-fprofile-generate=`, `--serialize-diagnostics`, `-fcrash-diagnostics-dir=`, `-MF`, `-o`, `-fmodules`' cache,
`-mllvm -stats-file=`…), and clang gains new ones every release; so a flag is kept only when it is known to
change nothing but the IR:

- macros: `-D`, `-U`;
- include paths and files (`-I`, `-isystem`, `-iquote`, `-idirafter`, `-include`, `-imacros`, `--sysroot`,
  `-isysroot`), made absolute; anywhere: reading headers is what the unit's own `#include` lines do;
- language and target: `-x`, `-std=`, `-ansi`, `-target`/`--target=`, `-pthread`, `-nostdinc`, `-undef`, …;
- `-f` options from F_FLAGS (with or without `no-`; semantics of the language, arithmetic, code model,
  sections, stack protection) and F_VALUED (`-fvisibility=hidden`, a value of that option's pattern);
- `-m` options (`-march=`, `-mno-red-zone`, …): no `-m` option names a file; values are words (no `/`),
  and `-mllvm` (LLVM's internal options, some of which write files) is not one of them.

Everything else is dropped. Flags that only choose outputs, warnings, debug information, the optimization
level or linking (ROUTINE) are dropped silently, since compilerlm makes the IR at its own level and never
writes where the build did; every other dropped flag is named, once per database. Response files (`@file`,
as gcc and clang read them) are expanded where they lie inside the project (the database's folder, or the
project folder above a build folder), at most 8 deep and 1 MiB each, and their words pass the same rules.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

PATH_OPTIONS = ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-isysroot", "--sysroot")
MACRO_OPTIONS = ("-D", "-U")  # -DX or -D X
KEEP_WITH_VALUE = ("-x", "-target")
KEEP_EXACT = frozenset({"-ansi", "-pthread", "-nostdinc", "-nostdinc++", "-undef", "-trigraphs"})
KEEP_VALUED = {"-std=": r"[\w+-]+", "--target=": r"[\w.-]+"}

_F_NAMES = """
    PIC PIE pic pie plt common builtin freestanding hosted signed-char unsigned-char signed-bitfields
    unsigned-bitfields short-enums short-wchar wrapv wrapv-pointer trapv strict-aliasing strict-overflow
    strict-enums strict-float-cast-overflow delete-null-pointer-checks math-errno fast-math finite-math-only
    rounding-math honor-nans honor-infinities signed-zeros trapping-math associative-math reciprocal-math
    unsafe-math-optimizations approx-func omit-frame-pointer stack-protector stack-protector-all
    stack-protector-strong stack-clash-protection exceptions asynchronous-unwind-tables unwind-tables inline
    inline-functions inline-hint-functions function-sections data-sections unique-section-names
    merge-all-constants zero-initialized-in-bss semantic-interposition jump-tables gnu89-inline gnu-keywords
    asm dollars-in-identifiers ms-extensions ms-compatibility declspec threadsafe-statics rtti use-cxa-atexit
    visibility-inlines-hidden keep-static-consts ident openmp lax-vector-conversions char8_t operator-names
    cf-protection
"""
F_FLAGS = frozenset(_F_NAMES.split())
"""`-f` options (each also as `-fno-…`) that change only the IR: the language's semantics, arithmetic, the
code model, sections, stack protection."""

_WORD = r"[\w.,+-]+"
F_VALUED: dict[str, str] = {
    "visibility": r"default|hidden|protected|internal",
    "fp-contract": r"fast|on|off|fast-honor-pragmas",
    "fp-model": r"precise|strict|fast",
    "fp-exception-behavior": r"ignore|maytrap|strict",
    "denormal-fp-math": _WORD,
    "excess-precision": _WORD,
    "trivial-auto-var-init": r"uninitialized|zero|pattern",
    "cf-protection": r"return|branch|full|none",
    "tls-model": r"global-dynamic|local-dynamic|initial-exec|local-exec",
    "pack-struct": r"\d+",
    "max-type-align": r"\d+",
    "macro-prefix-map": r"[^=\s]*=[^=\s]*",  # rewrites __FILE__'s text; opens nothing
    "file-prefix-map": r"[^=\s]*=[^=\s]*",
}
"""`-fNAME=VALUE` options kept when VALUE matches; none of them names a file."""

ROUTINE_EXACT = frozenset({"-c", "-S", "-E", "-M", "-MM", "-MD", "-MMD", "-MG", "-MP", "-pipe", "-v", "-w"})
ROUTINE_EXACT |= {"-pedantic", "-pedantic-errors", "-fsyntax-only", "-fcolor-diagnostics", "-fno-color-diagnostics"}
ROUTINE_PREFIXES: tuple[str, ...] = ("-O", "-W", "-g", "-l", "-L", "-flto", "-fno-lto", "-fdiagnostics-")
ROUTINE_PREFIXES += ("-fmessage-length", "-fdebug-prefix-map=", "--param=", "-ffat-lto-objects", "-fno-fat-lto-objects")
ROUTINE_WITH_VALUE = frozenset({"-o", "-MF", "-MT", "-MQ", "-L", "-l", "--param", "-dumpbase", "-dumpdir"})
"""Dropped without a word: outputs, dependency files, warnings, debug information, optimization level,
linking. compilerlm makes the IR at its own level and writes nothing where the build did."""

DROP_WITH_VALUE = frozenset({"-Xclang", "-Xpreprocessor", "-Xassembler", "-Xlinker", "-Xanalyzer", "-mllvm"})
DROP_WITH_VALUE |= {"--serialize-diagnostics", "-aux-info", "-arch", "-main-file-name", "-load", "-Xopenmp-target"}
"""Options whose next word is their value: dropped and named together (`-Xclang -load`)."""

MAX_RESPONSE_BYTES = 1 << 20
MAX_RESPONSE_DEPTH = 8


BUILD_FOLDERS = ("build", "_build", "out", "obj")


def is_build_folder(folder: Path) -> bool:
    """A build folder's usual names: `build`, `_build`, `out`, `obj`, `build-*`, `cmake-build-*`."""
    return folder.name in BUILD_FOLDERS or folder.name.startswith(("build-", "cmake-build"))


def project_root(db: Path) -> Path:
    """The folder a database's response files must lie in: the database's folder, or, for a build folder,
    the project folder above it."""
    folder = db.parent.resolve()
    return folder.parent if is_build_folder(folder) else folder


def expand_response_files(args: list[str], directory: Path, root: Path) -> tuple[list[str], list[str]]:
    """`args` with each `@file` replaced by its words, recursively; (words, refused) where refused names
    each response file left unread, with why."""
    refused: list[str] = []
    return _expand(args, directory, root, 0, refused), refused


def _expand(args: list[str], directory: Path, root: Path, depth: int, refused: list[str]) -> list[str]:
    out: list[str] = []
    for arg in args:
        if not arg.startswith("@") or len(arg) == 1:
            out.append(arg)
            continue
        words, why = _read_response_file(arg, directory, root, depth)
        if why:
            refused.append(f"{arg} ({why})")
        else:
            out += _expand(words, directory, root, depth + 1, refused)
    return out


def _read_response_file(arg: str, directory: Path, root: Path, depth: int) -> tuple[list[str], str]:
    """The words of one response file, or ([], why it is not read)."""
    path = (directory / arg[1:]).resolve()  # symbolic links followed: the file itself must be in the project
    if depth >= MAX_RESPONSE_DEPTH:
        return [], f"nested more than {MAX_RESPONSE_DEPTH} deep"
    if not path.is_relative_to(root):
        return [], "outside the project"
    if not path.is_file():
        return [], "no such file"
    try:
        if path.stat().st_size > MAX_RESPONSE_BYTES:
            return [], f"over {MAX_RESPONSE_BYTES >> 20} MiB"
        return shlex.split(path.read_text(errors="replace")), ""
    except (OSError, ValueError) as exc:
        return [], f"unreadable: {exc}"


DEBUG_FLAG = re.compile(r"-g(gdb)?[0-3]?|-gdwarf(-[2-5])?|-gline-tables-only|-gno-column-info")
"""Debug-information flags a whole-program build keeps (none of them writes a file, as -gsplit-dwarf would)."""


def debug_flags(args: list[str]) -> tuple[str, ...]:
    """The command's debug-information flags, in order (a later -g0 undoes an earlier -g, as in clang). Clang's
    -Oz code is not quite the same with debug info, so a build measured to the byte compiles with them."""
    return tuple(a for a in args[1:] if DEBUG_FLAG.fullmatch(a))


def split_flags(args: list[str], directory: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(kept, dropped) of a compile command's arguments (compiler first, response files expanded): kept the
    allowed flags that change the IR, paths made absolute against `directory`; dropped the flags refused,
    routine ones left out."""
    kept: list[str] = []
    dropped: list[str] = []
    todo = list(args[1:])
    while todo:
        a = todo.pop(0)
        if a.startswith("-Wp,"):  # preprocessor options passed through gcc's driver
            todo[:0] = a[4:].split(",")
            continue
        path_opt = next((p for p in PATH_OPTIONS if a.startswith(p)), None)  # -I dir, -Idir, --sysroot=dir
        if path_opt:
            value = a[len(path_opt) :].removeprefix("=") or (todo.pop(0) if todo else "")
            kept += [path_opt, absolute(value, directory)]
        elif a in MACRO_OPTIONS:
            kept.append(a + (todo.pop(0) if todo else ""))
        elif a in KEEP_WITH_VALUE:
            value = todo.pop(0) if todo else ""
            (kept if re.fullmatch(r"[\w.+-]+", value, re.A) else dropped).extend([a, value])
        elif a in ROUTINE_WITH_VALUE:
            todo[:1] = []
        elif a in DROP_WITH_VALUE:
            dropped.append(" ".join([a, *todo[:1]]))
            todo[:1] = []
        elif allowed_flag(a):
            kept.append(a)
        elif a.startswith("-") and not is_routine(a):
            dropped.append(a)
        # the source itself and other inputs: the unit's file is the entry's `file`
    return tuple(kept), tuple(dropped)


def allowed_flag(arg: str) -> bool:
    """A one-word flag of the allow-list (module docstring)."""
    if arg in KEEP_EXACT or arg.startswith(MACRO_OPTIONS):
        return True
    if any(arg.startswith(p) and re.fullmatch(v, arg[len(p) :], re.A) for p, v in KEEP_VALUED.items()):
        return True
    if match := re.fullmatch(r"-f(?:no-)?([A-Za-z0-9][\w+-]*)(?:=(.*))?", arg, re.A | re.S):
        name, value = match[1], match[2]
        if value is None:
            return name in F_FLAGS or re.fullmatch(r"builtin-\w+", name, re.A) is not None
        return name in F_VALUED and re.fullmatch(F_VALUED[name], value, re.A) is not None
    return not arg.startswith("-mllvm") and re.fullmatch(r"-m[a-z0-9][\w-]*(?:=[\w.,+-]+)?", arg, re.A) is not None


def is_routine(arg: str) -> bool:
    """A flag dropped without a word (ROUTINE_*)."""
    return arg in ROUTINE_EXACT or arg.startswith(ROUTINE_PREFIXES)


def absolute(value: str, directory: Path) -> str:
    """A path of the command made absolute against the folder the compiler ran in."""
    return value if os.path.isabs(value) else os.path.normpath(directory / value)
