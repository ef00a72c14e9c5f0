"""Features of an unoptimized IR module for the ranker: what decides which pipelines shrink it.

Why hand-picked counts and not a learned encoder: they cost one pass over the text (milliseconds, no LLVM),
they mean the same on any module (llvm-stress output or a file with no functions gives zeros, never an
error) and a gradient-boosted model learns from a thousand modules with them. Counts enter as log1p, and
each opcode also as its share of the instructions, so a module twice as large with the same mix looks alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter

OPCODES = (
    "alloca", "load", "store", "getelementptr", "call", "invoke", "br", "switch", "ret", "unreachable", "phi",
    "select", "icmp", "fcmp", "add", "sub", "mul", "sdiv", "udiv", "srem", "urem", "shl", "lshr", "ashr", "and",
    "or", "xor", "fadd", "fsub", "fmul", "fdiv", "zext", "sext", "trunc", "bitcast", "ptrtoint", "inttoptr",
    "sitofp", "uitofp", "fptosi", "fptoui", "fpext", "fptrunc", "extractvalue", "insertvalue", "extractelement",
    "insertelement", "shufflevector", "atomicrmw", "cmpxchg", "fence", "va_arg", "indirectbr", "freeze",
)  # fmt: skip
SHAPE = (
    "instructions", "functions", "declarations", "internal_functions", "blocks", "back_edges", "globals",
    "constant_globals", "strings", "calls_direct", "calls_indirect", "calls_intrinsic", "callees_once",
    "callees_never", "max_function", "mean_function", "max_blocks", "switch_cases", "int_i1", "int_i8", "int_i16",
    "int_i32", "int_i64", "float_types", "vector_types", "struct_types", "memcpy_memset", "varargs_functions",
    "noinline_functions", "loads_per_store",
)  # fmt: skip
FEATURE_NAMES: tuple[str, ...] = SHAPE + tuple(f"op_{o}" for o in OPCODES) + tuple(f"share_{o}" for o in OPCODES)
FEATURES_REVISION = 1  # part of a trained ranker: a model trained on other features is refused

_INSTRUCTION = re.compile(r"^\s+(?:%[-\w.$]+ = )?(?:(?:tail|musttail|notail) )?([a-z_]+)")
_LABEL = re.compile(r"^([-\w.$]+):")
_BRANCH_TARGET = re.compile(r"label %([-\w.$]+)")
_CALLEE = re.compile(r"\bcall [^@%]*?(@[-\w.$]+|%[-\w.$]+)\(")
_DEFINE = re.compile(r"^define ([^@]*)@([-\w.$]+)\(")


def ir_features(ir: str) -> dict[str, float]:
    """The feature vector of a module's IR, by `FEATURE_NAMES`; any text gives one (garbage: mostly zeros)."""
    ops: Counter[str] = Counter()
    shape: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    defined: dict[str, bool] = {}  # name -> internal
    sizes: list[int] = []
    block_counts: list[int] = []
    in_function = False
    labels: dict[str, int] = {}
    size = blocks = 0
    for line in ir.splitlines():
        if line.startswith("define "):
            in_function, labels, size, blocks = True, {"entry": 0}, 0, 1
            m = _DEFINE.match(line)
            if m:
                defined[m.group(2)] = "internal" in m.group(1) or "private" in m.group(1)
            shape["varargs_functions"] += "..." in line
            continue
        if line.startswith("declare "):
            shape["declarations"] += 1
            continue
        if line.startswith("@"):
            shape["globals"] += 1
            shape["constant_globals"] += " constant " in line
            shape["strings"] += 'c"' in line
            continue
        if line.startswith("%") and " = type " in line:
            shape["struct_types"] += 1
            continue
        if line.startswith("attributes #"):
            shape["noinline_functions"] += "noinline" in line
            continue
        if not in_function:
            continue
        if line.startswith("}"):
            in_function = False
            sizes.append(size)
            block_counts.append(blocks)
            continue
        label = _LABEL.match(line)
        if label:
            labels[label.group(1)] = size
            blocks += 1
            continue
        m = _INSTRUCTION.match(line)
        if not m:
            continue
        op = m.group(1)
        size += 1
        ops[op] += 1
        if op in ("br", "switch", "indirectbr"):
            shape["back_edges"] += sum(t in labels for t in _BRANCH_TARGET.findall(line))
            if op == "switch":
                shape["switch_cases"] += line.count("label %") - 1
        elif op == "call":
            callee = _CALLEE.search(line)
            if callee is None or callee.group(1).startswith("%"):
                shape["calls_indirect"] += 1
            elif callee.group(1).startswith("@llvm."):
                shape["calls_intrinsic"] += 1
                shape["memcpy_memset"] += callee.group(1).startswith(("@llvm.memcpy", "@llvm.memset"))
            else:
                shape["calls_direct"] += 1
                calls[callee.group(1)[1:]] += 1
        if op == "switch":  # its case lines follow without an opcode of their own
            continue
    for width in ("i1", "i8", "i16", "i32", "i64"):
        shape[f"int_{width}"] = len(re.findall(rf"\b{width}\b", ir))
    shape["float_types"] = len(re.findall(r"\b(?:float|double|x86_fp80|fp128)\b", ir))
    shape["vector_types"] = len(re.findall(r"<\d+ x ", ir))
    shape["instructions"] = sum(sizes)
    shape["functions"] = len(sizes)
    shape["internal_functions"] = sum(defined.values())
    shape["blocks"] = sum(block_counts)
    shape["callees_once"] = sum(calls.get(name, 0) == 1 for name in defined)
    shape["callees_never"] = sum(internal and calls.get(name, 0) == 0 for name, internal in defined.items())
    shape["max_function"] = max(sizes, default=0)
    shape["mean_function"] = round(sum(sizes) / len(sizes)) if sizes else 0
    shape["max_blocks"] = max(block_counts, default=0)
    shape["loads_per_store"] = 0
    out = {name: math.log1p(shape[name]) for name in SHAPE}
    out["loads_per_store"] = ops["load"] / (ops["store"] + 1)
    total = max(1, shape["instructions"])
    for op in OPCODES:
        out[f"op_{op}"] = math.log1p(ops[op])
        out[f"share_{op}"] = ops[op] / total
    return out


def feature_vector(ir: str) -> list[float]:
    features = ir_features(ir)
    return [features[name] for name in FEATURE_NAMES]
