"""The LLVM/clang/gcc layer: compile, optimize, generate code, measure object sizes."""
