/* Bytecode definitions and virtual machine interface for the stack VM. */
#ifndef STACK_VM_VM_H
#define STACK_VM_VM_H

#include <stddef.h>
#include <stdint.h>

#define VM_MAX_CODE 65536
#define VM_MAX_FUNCS 256
#define VM_MAX_ARGS 32
#define VM_STACK_SIZE 4096
#define VM_MAX_FRAMES 20000
#define VM_LOCALS_SIZE 262144
#define VM_GLOBALS 256
#define VM_MEMORY (1u << 20)
#define VM_STEP_LIMIT 400000000ull

typedef enum {
    OP_HALT,
    OP_PUSH,
    OP_POP,
    OP_DUP,
    OP_SWAP,
    OP_OVER,
    OP_ROT,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_AND,
    OP_OR,
    OP_XOR,
    OP_SHL,
    OP_SHR,
    OP_NEG,
    OP_NOT,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_SLT,
    OP_JMP,
    OP_JZ,
    OP_JNZ,
    OP_CALL,
    OP_RET,
    OP_LOAD,
    OP_STORE,
    OP_INC,
    OP_GLOAD,
    OP_GSTORE,
    OP_MLOAD,
    OP_MSTORE,
    OP_ARG,
    OP_PRINT,
    OP_COUNT
} Opcode;

typedef enum {
    ARG_NONE,
    ARG_IMM,
    ARG_LOCAL,
    ARG_LABEL,
    ARG_FUNC,
    ARG_GLOBAL,
    ARG_PARAM
} OperandKind;

typedef struct {
    uint8_t op;
    uint32_t line;
    uint64_t arg;
} Instr;

typedef struct {
    char name[32];
    uint32_t entry;
    uint32_t nargs;
    uint32_t nlocals;
} Function;

typedef struct {
    Instr code[VM_MAX_CODE];
    uint32_t ncode;
    Function funcs[VM_MAX_FUNCS];
    uint32_t nfuncs;
    uint64_t params[VM_MAX_ARGS];
    uint32_t nparams;
    int main_func;
} Program;

typedef struct {
    uint64_t steps;
    uint64_t calls;
    uint32_t max_depth;
    uint32_t max_stack;
    uint64_t prints;
    uint64_t print_hash;
    uint64_t result;
    uint64_t op_counts[OP_COUNT];
} VmStats;

typedef enum {
    VM_OK,
    VM_ERR_STACK_OVERFLOW,
    VM_ERR_STACK_UNDERFLOW,
    VM_ERR_DIV_ZERO,
    VM_ERR_BAD_ADDRESS,
    VM_ERR_CALL_DEPTH,
    VM_ERR_STEP_LIMIT,
    VM_ERR_BAD_OPCODE
} VmStatus;

const char *vm_opcode_name(int op);
OperandKind vm_operand_kind(int op);
int vm_lookup_opcode(const char *name);
VmStatus vm_run(const Program *prog, VmStats *stats, uint32_t *fault_line);
const char *vm_status_text(VmStatus st);

#endif
