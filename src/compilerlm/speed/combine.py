"""Per-function combination: one function's code from another configuration's assembly, in one program.

``splice(base, donor, name)`` returns one assembly file: the base as it is, except that its definition of
``name`` is renamed out of the way (its callers now reach the donor's), followed by the donor with its own
local symbols renamed apart (``.L`` labels, constants, static helpers) and its other global definitions
renamed out of the way (so the donor's code uses the base's globals: one copy of every global variable). The
donor's function keeps the helpers and data it uses, as copies. Static writable data (``static`` variables)
it reaches is copied too, which is faithful only when nothing else uses the base's copy: refused, with the
reason, when the base has no static of that name or uses it outside the replaced function (the two copies
would split the variable's state). Initial values are the same C initialisers in both.

Only symbols defined in the file are renamed, only in operands (never a mnemonic or the text of a string).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SYMBOL = re.compile(r"[A-Za-z_.$][\w.$]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_LABEL = re.compile(r"^\s*([A-Za-z_.$][\w.$]*):")
_WRITABLE_PREFIXES = (".data", ".bss", ".tdata", ".tbss")
DEFINITION_DIRECTIVES = (".type", ".size", ".globl", ".global", ".weak", ".hidden", ".local", ".comm", ".lcomm")


class SpliceError(ValueError):
    """The combination cannot be built faithfully; the message says why."""


@dataclass
class AsmFile:
    """What the splice needs to know of one assembly file."""

    lines: list[str]
    labels: dict[str, int] = field(default_factory=dict)  # label -> line of its definition
    section_of: dict[str, str] = field(default_factory=dict)  # label -> section it is defined in
    global_names: set[str] = field(default_factory=set)
    writable: set[str] = field(default_factory=set)  # labels (and .local/.comm symbols) in writable data
    commons: set[str] = field(default_factory=set)  # .comm symbols (global unless declared .local)

    @property
    def defined(self) -> set[str]:
        return set(self.labels) | self.writable | self.commons

    def body(self, name: str) -> list[str]:
        """The lines of function ``name``: from its label to its ``.size`` (or the next function's label)."""
        start = self.labels[name]
        for i in range(start + 1, len(self.lines)):
            if _directive(self.lines[i]) == ".size" and _operands(self.lines[i])[:1] == [name]:
                return self.lines[start : i + 1]
        return self.lines[start:]


def parse(text: str) -> AsmFile:
    asm = AsmFile(text.splitlines())
    section, stack = ".text", []
    for i, line in enumerate(asm.lines):
        label = _LABEL.match(line)
        if label:
            asm.labels.setdefault(label.group(1), i)
            asm.section_of.setdefault(label.group(1), section)
            continue
        directive, ops = _directive(line), _operands(line)
        if directive in (".text", ".data", ".bss"):
            section = directive
        elif directive in (".section", ".pushsection"):
            if directive == ".pushsection":
                stack.append(section)
            section = line.split(None, 1)[1].strip()
        elif directive == ".popsection" and stack:
            section = stack.pop()
        elif directive in (".globl", ".global", ".weak") and ops:
            asm.global_names.add(ops[0])
        elif directive in (".local", ".lcomm") and ops:
            asm.writable.add(ops[0])  # static data
        elif directive == ".comm" and ops:
            asm.commons.add(ops[0])
            if ops[0] not in asm.writable:
                asm.global_names.add(ops[0])  # a common symbol not declared .local is global
    for name, where in asm.section_of.items():
        if _is_writable(where):
            asm.writable.add(name)
    return asm


def _is_writable(section: str) -> bool:
    name, _, rest = section.partition(",")
    flags = rest.split(",")[0].strip().strip('"') if rest else ""
    return name.strip().startswith(_WRITABLE_PREFIXES) or "w" in flags


def _directive(line: str) -> str:
    stripped = _LABEL.sub("", line).strip()
    return stripped.split(None, 1)[0] if stripped.startswith(".") else ""


def _operands(line: str) -> list[str]:
    stripped = _STRING.sub("", _LABEL.sub("", line)).strip()
    parts = stripped.split(None, 1)
    return _SYMBOL.findall(parts[1]) if len(parts) > 1 else []


def _rename(line: str, mapping: dict[str, str], definitions_only: bool = False) -> str:
    """``line`` with the symbols of ``mapping`` renamed: in a label definition and in operands, never in the
    mnemonic or inside a string. ``definitions_only``: only where the line defines a symbol (its label, and
    the operands of .type/.size/.globl/...), so references keep resolving to the name."""
    label = _LABEL.match(line)
    if label:
        name = label.group(1)
        return line.replace(f"{name}:", f"{mapping.get(name, name)}:", 1)
    stripped = line.lstrip()
    split = re.match(r"(\S+)(\s+)(.*)", stripped, re.DOTALL)
    if not split or (definitions_only and split.group(1) not in DEFINITION_DIRECTIVES):
        return line
    head, sep, tail = split.groups()
    pieces = re.split(f"({_STRING.pattern})", tail)
    for k in range(0, len(pieces), 2):  # even pieces are outside strings
        pieces[k] = _SYMBOL.sub(lambda m: mapping.get(m.group(0), m.group(0)), pieces[k])
    return line[: len(line) - len(stripped)] + head + sep + "".join(pieces)


def same_code(base_text: str, donor_text: str, name: str) -> bool:
    """Whether ``name`` compiles to the same instructions in both (local label names aside)."""
    bodies = []
    for text in (base_text, donor_text):
        asm = parse(text)
        if name not in asm.labels:
            return False
        lines = (re.sub(r"\.L[\w.$]+", ".L", line.split("#")[0]).strip() for line in asm.body(name))
        bodies.append([line for line in lines if line and not line.startswith((".cfi", ".p2align", ".loc"))])
    return bodies[0] == bodies[1]


def reachable(asm: AsmFile, name: str) -> set[str]:
    """Local symbols the function ``name`` uses, directly or through the local functions it uses."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        for line in asm.body(current) if current in asm.labels else ():
            for sym in _operands(line):
                if sym in asm.defined and sym not in seen and sym not in asm.global_names:
                    seen.add(sym)
                    if sym in asm.labels and not sym.startswith(".L"):
                        todo.append(sym)
    return seen


def _used_outside(asm: AsmFile, name: str) -> set[str]:
    """Symbols referenced by the code and data of ``asm`` outside function ``name``'s own lines (a symbol's
    own definition lines are no use of it)."""
    start = asm.labels[name]
    own = range(start, start + len(asm.body(name)))
    return {
        sym
        for i, line in enumerate(asm.lines)
        if i not in own and _directive(line) not in DEFINITION_DIRECTIVES
        for sym in _operands(line)
    }


def splice(base_text: str, donor_text: str, name: str) -> str:
    """One assembly file: ``base_text`` with ``name`` taken from ``donor_text``. Raises SpliceError."""
    base, donor = parse(base_text), parse(donor_text)
    for asm, which in ((base, "base"), (donor, "donor")):
        if name not in asm.labels:
            raise SpliceError(f"{name} is not a function of its own in the {which} assembly (inlined or renamed)")
    shared = sorted(s for s in reachable(donor, name) if s in donor.writable)
    split = [s for s in shared if s not in base.writable or s in _used_outside(base, name)]
    if split:
        raise SpliceError(f"{name} uses static writable data ({', '.join(split[:3])}): a copy would split its state")
    if name in donor.writable:
        raise SpliceError(f"{name} is data, not a function")
    moved = f"{name}.__replaced"
    out = [_rename(line, {name: moved}, definitions_only=True) for line in base.lines if not _drops(line, name)]
    suffix = ".__donor"
    mapping = {s: s + suffix for s in donor.defined if s not in donor.global_names and s != name}
    mapping |= {s: s + ".__unused" + suffix for s in donor.global_names if s != name and s in donor.defined}
    for line in donor.lines:
        if _directive(line) in (".file", ".ident") or _drops(line, *mapping):
            continue
        line = _rename(line, {k: v for k, v in mapping.items() if ".__unused" not in v})
        out.append(_rename(line, {k: v for k, v in mapping.items() if ".__unused" in v}, definitions_only=True))
    return "\n".join(out) + "\n"


def _drops(line: str, *names: str) -> bool:
    """A .globl/.global/.weak line for one of ``names`` (the renamed definition becomes local)."""
    if _directive(line) not in (".globl", ".global", ".weak"):
        return False
    ops = _operands(line)
    return bool(ops) and ops[0] in names
