/* The stack virtual machine: opcode metadata and the interpreter loop. */
#include "vm.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    OperandKind kind;
} OpInfo;

static const OpInfo op_table[OP_COUNT] = {
    [OP_HALT] = {"halt", ARG_NONE},     [OP_PUSH] = {"push", ARG_IMM},
    [OP_POP] = {"pop", ARG_NONE},       [OP_DUP] = {"dup", ARG_NONE},
    [OP_SWAP] = {"swap", ARG_NONE},     [OP_OVER] = {"over", ARG_NONE},
    [OP_ROT] = {"rot", ARG_NONE},       [OP_ADD] = {"add", ARG_NONE},
    [OP_SUB] = {"sub", ARG_NONE},       [OP_MUL] = {"mul", ARG_NONE},
    [OP_DIV] = {"div", ARG_NONE},       [OP_MOD] = {"mod", ARG_NONE},
    [OP_AND] = {"and", ARG_NONE},       [OP_OR] = {"or", ARG_NONE},
    [OP_XOR] = {"xor", ARG_NONE},       [OP_SHL] = {"shl", ARG_NONE},
    [OP_SHR] = {"shr", ARG_NONE},       [OP_NEG] = {"neg", ARG_NONE},
    [OP_NOT] = {"not", ARG_NONE},       [OP_EQ] = {"eq", ARG_NONE},
    [OP_NE] = {"ne", ARG_NONE},         [OP_LT] = {"lt", ARG_NONE},
    [OP_LE] = {"le", ARG_NONE},         [OP_GT] = {"gt", ARG_NONE},
    [OP_GE] = {"ge", ARG_NONE},         [OP_SLT] = {"slt", ARG_NONE},
    [OP_JMP] = {"jmp", ARG_LABEL},      [OP_JZ] = {"jz", ARG_LABEL},
    [OP_JNZ] = {"jnz", ARG_LABEL},      [OP_CALL] = {"call", ARG_FUNC},
    [OP_RET] = {"ret", ARG_NONE},       [OP_LOAD] = {"load", ARG_LOCAL},
    [OP_STORE] = {"store", ARG_LOCAL},  [OP_INC] = {"inc", ARG_LOCAL},
    [OP_GLOAD] = {"gload", ARG_GLOBAL}, [OP_GSTORE] = {"gstore", ARG_GLOBAL},
    [OP_MLOAD] = {"mload", ARG_NONE},   [OP_MSTORE] = {"mstore", ARG_NONE},
    [OP_ARG] = {"arg", ARG_PARAM},      [OP_PRINT] = {"print", ARG_NONE},
};

static const char *status_text[] = {
    "ok",           "stack overflow",   "stack underflow", "division by zero",
    "bad address",  "call depth exceeded", "step limit exceeded", "bad opcode",
};

typedef struct {
    uint32_t ret_pc;
    uint32_t locals_base;
    uint32_t stack_base;
    uint32_t func;
} Frame;

static uint64_t stack[VM_STACK_SIZE];
static uint64_t locals[VM_LOCALS_SIZE];
static uint64_t globals[VM_GLOBALS];
static uint64_t memory[VM_MEMORY];
static Frame frames[VM_MAX_FRAMES];

const char *vm_opcode_name(int op) {
    if (op < 0 || op >= OP_COUNT) return "?";
    return op_table[op].name;
}

OperandKind vm_operand_kind(int op) {
    if (op < 0 || op >= OP_COUNT) return ARG_NONE;
    return op_table[op].kind;
}

int vm_lookup_opcode(const char *name) {
    for (int i = 0; i < OP_COUNT; i++) {
        if (strcmp(op_table[i].name, name) == 0) return i;
    }
    return -1;
}

const char *vm_status_text(VmStatus st) {
    if ((unsigned)st >= sizeof status_text / sizeof status_text[0]) return "unknown";
    return status_text[st];
}

#define SIGN_FLIP(x) ((x) ^ 0x8000000000000000ull)
#define NEED(n)                                             \
    do {                                                    \
        if (sp < frame->stack_base + (n)) {                 \
            status = VM_ERR_STACK_UNDERFLOW;                \
            goto fail;                                      \
        }                                                   \
    } while (0)
#define ROOM(n)                                             \
    do {                                                    \
        if (sp + (n) > VM_STACK_SIZE) {                     \
            status = VM_ERR_STACK_OVERFLOW;                 \
            goto fail;                                      \
        }                                                   \
    } while (0)

static void record_print(VmStats *stats, uint64_t v) {
    stats->prints++;
    stats->print_hash = (stats->print_hash ^ v) * 0x100000001b3ull;
    printf("%llu\n", (unsigned long long)v);
}

static uint64_t binary_op(int op, uint64_t a, uint64_t b) {
    switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_MOD: return a % b;
    case OP_AND: return a & b;
    case OP_OR: return a | b;
    case OP_XOR: return a ^ b;
    case OP_SHL: return a << (b & 63);
    case OP_SHR: return a >> (b & 63);
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    case OP_SLT: return SIGN_FLIP(a) < SIGN_FLIP(b);
    default: return 0;
    }
}

VmStatus vm_run(const Program *prog, VmStats *stats, uint32_t *fault_line) {
    VmStatus status = VM_OK;
    memset(stats, 0, sizeof *stats);
    memset(globals, 0, sizeof globals);
    stats->print_hash = 0xcbf29ce484222325ull;

    const Function *mainf = &prog->funcs[prog->main_func];
    uint32_t depth = 0;
    uint32_t sp = 0;
    uint32_t lp = mainf->nlocals;
    Frame *frame = &frames[0];
    frame->ret_pc = 0;
    frame->locals_base = 0;
    frame->stack_base = 0;
    frame->func = (uint32_t)prog->main_func;
    memset(locals, 0, sizeof(uint64_t) * mainf->nlocals);
    uint32_t pc = mainf->entry;
    uint64_t *lv = locals;

    for (;;) {
        if (pc >= prog->ncode) {
            status = VM_ERR_BAD_ADDRESS;
            goto fail;
        }
        const Instr *in = &prog->code[pc];
        if (++stats->steps > VM_STEP_LIMIT) {
            status = VM_ERR_STEP_LIMIT;
            goto fail;
        }
        stats->op_counts[in->op]++;
        pc++;
        switch ((Opcode)in->op) {
        case OP_HALT:
            stats->result = sp > frame->stack_base ? stack[sp - 1] : 0;
            return VM_OK;
        case OP_PUSH:
            ROOM(1);
            stack[sp++] = in->arg;
            break;
        case OP_POP:
            NEED(1);
            sp--;
            break;
        case OP_DUP:
            NEED(1);
            ROOM(1);
            stack[sp] = stack[sp - 1];
            sp++;
            break;
        case OP_SWAP: {
            NEED(2);
            uint64_t t = stack[sp - 1];
            stack[sp - 1] = stack[sp - 2];
            stack[sp - 2] = t;
            break;
        }
        case OP_OVER:
            NEED(2);
            ROOM(1);
            stack[sp] = stack[sp - 2];
            sp++;
            break;
        case OP_ROT: {
            NEED(3);
            uint64_t a = stack[sp - 3];
            stack[sp - 3] = stack[sp - 2];
            stack[sp - 2] = stack[sp - 1];
            stack[sp - 1] = a;
            break;
        }
        case OP_DIV:
        case OP_MOD:
            NEED(2);
            if (stack[sp - 1] == 0) {
                status = VM_ERR_DIV_ZERO;
                goto fail;
            }
            stack[sp - 2] = binary_op(in->op, stack[sp - 2], stack[sp - 1]);
            sp--;
            break;
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_AND: case OP_OR:
        case OP_XOR: case OP_SHL: case OP_SHR: case OP_EQ: case OP_NE:
        case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_SLT:
            NEED(2);
            stack[sp - 2] = binary_op(in->op, stack[sp - 2], stack[sp - 1]);
            sp--;
            break;
        case OP_NEG:
            NEED(1);
            stack[sp - 1] = 0 - stack[sp - 1];
            break;
        case OP_NOT:
            NEED(1);
            stack[sp - 1] = stack[sp - 1] == 0;
            break;
        case OP_JMP:
            pc = (uint32_t)in->arg;
            break;
        case OP_JZ:
            NEED(1);
            if (stack[--sp] == 0) pc = (uint32_t)in->arg;
            break;
        case OP_JNZ:
            NEED(1);
            if (stack[--sp] != 0) pc = (uint32_t)in->arg;
            break;
        case OP_CALL: {
            const Function *f = &prog->funcs[in->arg];
            NEED(f->nargs);
            if (depth + 1 >= VM_MAX_FRAMES) {
                status = VM_ERR_CALL_DEPTH;
                goto fail;
            }
            if (lp + f->nlocals > VM_LOCALS_SIZE) {
                status = VM_ERR_CALL_DEPTH;
                goto fail;
            }
            depth++;
            stats->calls++;
            if (depth > stats->max_depth) stats->max_depth = depth;
            frame = &frames[depth];
            frame->ret_pc = pc;
            frame->locals_base = lp;
            frame->func = (uint32_t)in->arg;
            lv = &locals[lp];
            for (uint32_t i = f->nargs; i > 0; i--) lv[i - 1] = stack[--sp];
            for (uint32_t i = f->nargs; i < f->nlocals; i++) lv[i] = 0;
            lp += f->nlocals;
            frame->stack_base = sp;
            pc = f->entry;
            break;
        }
        case OP_RET: {
            NEED(1);
            uint64_t v = stack[sp - 1];
            if (depth == 0) {
                stats->result = v;
                return VM_OK;
            }
            sp = frame->stack_base;
            lp = frame->locals_base;
            pc = frame->ret_pc;
            depth--;
            frame = &frames[depth];
            lv = &locals[frame->locals_base];
            stack[sp++] = v;
            break;
        }
        case OP_LOAD:
            ROOM(1);
            stack[sp++] = lv[in->arg];
            break;
        case OP_STORE:
            NEED(1);
            lv[in->arg] = stack[--sp];
            break;
        case OP_INC:
            lv[in->arg]++;
            break;
        case OP_GLOAD:
            ROOM(1);
            stack[sp++] = globals[in->arg];
            break;
        case OP_GSTORE:
            NEED(1);
            globals[in->arg] = stack[--sp];
            break;
        case OP_MLOAD:
            NEED(1);
            if (stack[sp - 1] >= VM_MEMORY) {
                status = VM_ERR_BAD_ADDRESS;
                goto fail;
            }
            stack[sp - 1] = memory[stack[sp - 1]];
            break;
        case OP_MSTORE:
            NEED(2);
            if (stack[sp - 2] >= VM_MEMORY) {
                status = VM_ERR_BAD_ADDRESS;
                goto fail;
            }
            memory[stack[sp - 2]] = stack[sp - 1];
            sp -= 2;
            break;
        case OP_ARG:
            ROOM(1);
            stack[sp++] = prog->params[in->arg];
            break;
        case OP_PRINT:
            NEED(1);
            record_print(stats, stack[--sp]);
            break;
        default:
            status = VM_ERR_BAD_OPCODE;
            goto fail;
        }
        if (sp > stats->max_stack) stats->max_stack = sp;
    }

fail:
    *fault_line = (pc > 0 && pc - 1 < prog->ncode) ? prog->code[pc - 1].line : 0;
    return status;
}
