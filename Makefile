# Two commands on a fresh Debian machine: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
TORCH_VERSION ?= 2.13.0
VENV := .venv
BIN := $(VENV)/bin
LLVM := /usr/lib/llvm-19/bin
APT_PACKAGES := clang-19 llvm-19 llvm-19-dev libclang-19-dev lld-19 csmith libcsmith-dev g++ make cmake python3-venv valgrind libseccomp2
# the other targets (src/compilerlm/toolchain/targets.py): clang links against each cross C library and libgcc
# (the gcc-* packages bring libgcc-12-dev-*-cross, and the reference for each target's default flags), and
# qemu-user runs the binaries
CROSS_TRIPLES := aarch64-linux-gnu arm-linux-gnueabihf riscv64-linux-gnu
APT_PACKAGES += qemu-user gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-riscv64-linux-gnu
APT_PACKAGES += libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-riscv64-cross
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-all lint system setup clean

demo: setup
	$(BIN)/compilerlm size builtin:stack_vm
	$(BIN)/compilerlm tune builtin:stack_vm --budget 100 --json demo-tune.json
	$(BIN)/compilerlm tune builtin:stack_vm --lto --budget 100 --json demo-lto.json

# the default suite (under 15 minutes on 2 cores); CI also runs the slow tests
test: setup
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: setup
	$(BIN)/python -m pytest -q -m slow

test-all: setup
	$(BIN)/python -m pytest -q

# ruff (lint and format) and mypy (its settings and files: [tool.mypy] in pyproject.toml)
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# System packages (LLVM 19 pinned), installed through apt only when missing.
system:
	@missing=""; \
	for tool in clang opt llc llvm-as llvm-stress ld.lld; do [ -x $(LLVM)/$$tool ] || missing=1; done; \
	[ -f /usr/lib/llvm-19/include/llvm/IR/Module.h ] || missing=1; [ -f /usr/lib/llvm-19/include/clang/Frontend/CompilerInstance.h ] || missing=1; \
	command -v csmith >/dev/null || missing=1; [ -f /usr/include/csmith/csmith.h ] || missing=1; command -v g++ >/dev/null || missing=1; command -v valgrind >/dev/null || missing=1; $(PYTHON) -c 'import ctypes.util, sys; sys.exit(not ctypes.util.find_library("seccomp"))' || missing=1; command -v cmake >/dev/null || missing=1; \
	$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing=1; \
	for triple in $(CROSS_TRIPLES); do [ -f /usr/$$triple/lib/crt1.o ] && [ -f /usr/$$triple/include/stdio.h ] && ls /usr/lib/gcc-cross/$$triple/*/libgcc.a >/dev/null 2>&1 || missing=1; done; \
	for qemu in qemu-aarch64 qemu-arm qemu-riscv64; do command -v $$qemu >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

$(STAMP): pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "torch==$(TORCH_VERSION)"  # first: the CPU build on disk, not GBs of CUDA wheels
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

setup: system $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
