/* Two-pass assembler from textual stack assembly to VM bytecode. */
#ifndef STACK_VM_ASM_H
#define STACK_VM_ASM_H

#include <stddef.h>
#include "vm.h"

/* Returns 0 on success; on failure fills err and returns -1. */
int assemble(const char *src, size_t len, Program *prog, char *err, size_t errlen);

#endif
