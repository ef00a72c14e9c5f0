/* Stack VM driver: read assembly from stdin, assemble, run main, print statistics. */
#include <stdio.h>
#include <stdlib.h>

#include "asm.h"
#include "vm.h"

#define MAX_SOURCE (1 << 20)

static Program program;
static char source[MAX_SOURCE];

static void print_stats(const VmStats *st) {
    printf("result %llu\n", (unsigned long long)st->result);
    printf("steps %llu\n", (unsigned long long)st->steps);
    printf("calls %llu max_depth %u max_stack %u\n", (unsigned long long)st->calls, st->max_depth, st->max_stack);
    printf("prints %llu hash %016llx\n", (unsigned long long)st->prints, (unsigned long long)st->print_hash);
    for (int op = 0; op < OP_COUNT; op++) {
        if (st->op_counts[op]) printf("  %-7s %llu\n", vm_opcode_name(op), (unsigned long long)st->op_counts[op]);
    }
}

int main(void) {
    size_t len = fread(source, 1, sizeof source, stdin);
    if (len == sizeof source) {
        fprintf(stderr, "source too large\n");
        return 1;
    }
    char err[256];
    if (assemble(source, len, &program, err, sizeof err) < 0) {
        fprintf(stderr, "asm error: %s\n", err);
        return 1;
    }
    printf("assembled %u instructions, %u functions\n", program.ncode, program.nfuncs);
    VmStats stats;
    uint32_t line = 0;
    VmStatus st = vm_run(&program, &stats, &line);
    if (st != VM_OK) {
        fflush(stdout);
        fprintf(stderr, "runtime error at line %u: %s\n", line, vm_status_text(st));
        return 1;
    }
    print_stats(&stats);
    return 0;
}
