/* Brainfuck interpreter with two engines: a naive one over the source with a precomputed bracket
 * table, and an optimizing one that compiles to an IR with run-length folded adds/moves, clear
 * loops, scan loops and multiply-add loops.
 *
 * Input: first line "opt", "naive" or "both"; then the program up to the first '!'; the bytes after
 * the '!' are the program's input. ',' at end of input stores 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define TAPE_SIZE 65536
#define MAX_OUTPUT_SHOWN 4096
#define STEP_LIMIT 600000000ull

typedef enum { OP_ADD, OP_MOVE, OP_OUT, OP_IN, OP_JZ, OP_JNZ, OP_CLEAR, OP_SCAN, OP_MULADD, OP_END, OP_COUNT } OpKind;

typedef struct {
    uint8_t op;
    int32_t arg; /* add amount, move distance, jump target, scan step, or factor */
    int32_t off; /* multiply-add offset */
} Ins;

typedef struct {
    const char *name;
    uint64_t executed;
} OpStat;

typedef struct {
    uint8_t tape[TAPE_SIZE];
    const uint8_t *in;
    size_t in_len, in_pos;
    uint64_t steps;
    uint64_t out_len, out_hash;
    size_t max_ptr;
} Machine;

static char source[MAX_INPUT + 1];
static char code[MAX_INPUT];
static size_t code_len;
static int32_t match_tbl[MAX_INPUT];
static Ins prog[MAX_INPUT + 1];
static size_t prog_len;
static Machine machine;
static OpStat op_stats[OP_COUNT] = {
    {"add", 0}, {"move", 0}, {"out", 0}, {"in", 0}, {"jz", 0}, {"jnz", 0}, {"clear", 0}, {"scan", 0}, {"muladd", 0}, {"end", 0},
};

static _Noreturn void die(const char *msg) {
    fflush(stdout);
    fprintf(stderr, "error: %s\n", msg);
    exit(1);
}

static void reset_machine(Machine *m, const uint8_t *in, size_t in_len) {
    memset(m->tape, 0, sizeof m->tape);
    m->in = in;
    m->in_len = in_len;
    m->in_pos = 0;
    m->steps = 0;
    m->out_len = 0;
    m->out_hash = 0xcbf29ce484222325ull;
    m->max_ptr = 0;
}

static void emit_out(Machine *m, uint8_t c, int show) {
    if (show && m->out_len < MAX_OUTPUT_SHOWN) putchar(c);
    m->out_len++;
    m->out_hash = (m->out_hash ^ c) * 0x100000001b3ull;
}

static uint8_t read_in(Machine *m) { return m->in_pos < m->in_len ? m->in[m->in_pos++] : 0; }

/* Keeps only the eight command characters and checks bracket balance. */
static void filter_and_match(const char *src, size_t len) {
    size_t stack_top = 0;
    static size_t stack[MAX_INPUT];
    code_len = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (!strchr("+-<>.,[]", c) || c == '\0') continue;
        if (c == '[') stack[stack_top++] = code_len;
        if (c == ']') {
            if (stack_top == 0) die("unmatched ']'");
            size_t open = stack[--stack_top];
            match_tbl[open] = (int32_t)code_len;
            match_tbl[code_len] = (int32_t)open;
        }
        code[code_len++] = c;
    }
    if (stack_top != 0) die("unmatched '['");
}

/* ---------- naive engine ---------- */

static void run_naive(Machine *m, int show) {
    size_t ptr = 0;
    for (size_t pc = 0; pc < code_len; pc++) {
        if (++m->steps > STEP_LIMIT) die("step limit exceeded");
        switch (code[pc]) {
        case '+': m->tape[ptr]++; break;
        case '-': m->tape[ptr]--; break;
        case '>':
            if (++ptr >= TAPE_SIZE) die("tape overflow");
            if (ptr > m->max_ptr) m->max_ptr = ptr;
            break;
        case '<':
            if (ptr == 0) die("tape underflow");
            ptr--;
            break;
        case '.': emit_out(m, m->tape[ptr], show); break;
        case ',': m->tape[ptr] = read_in(m); break;
        case '[':
            if (m->tape[ptr] == 0) pc = (size_t)match_tbl[pc];
            break;
        case ']':
            if (m->tape[ptr] != 0) pc = (size_t)match_tbl[pc];
            break;
        default: break;
        }
    }
}

/* ---------- compiler ---------- */

static size_t emit(OpKind op, int32_t arg, int32_t off) {
    prog[prog_len].op = (uint8_t)op;
    prog[prog_len].arg = arg;
    prog[prog_len].off = off;
    return prog_len++;
}

/* Tries to turn the loop body code[open+1 .. close-1] into multiply-add form. */
static int try_muladd(size_t open, size_t close) {
    int32_t offs[64], facs[64];
    int n = 0;
    int32_t pos = 0, delta0 = 0;
    for (size_t i = open + 1; i < close; i++) {
        char c = code[i];
        if (c == '>') pos++;
        else if (c == '<') pos--;
        else if (c == '+' || c == '-') {
            int d = c == '+' ? 1 : -1;
            if (pos == 0) {
                delta0 += d;
                continue;
            }
            int k;
            for (k = 0; k < n && offs[k] != pos; k++) {
            }
            if (k == n) {
                if (n >= 64) return 0;
                offs[n] = pos;
                facs[n] = 0;
                n++;
            }
            facs[k] += d;
        } else {
            return 0;
        }
    }
    if (pos != 0 || delta0 != -1) return 0;
    for (int k = 0; k < n; k++) {
        if (facs[k] != 0) emit(OP_MULADD, facs[k], offs[k]);
    }
    emit(OP_CLEAR, 0, 0);
    return 1;
}

static void compile(void) {
    static size_t jstack[MAX_INPUT];
    size_t jtop = 0;
    prog_len = 0;
    for (size_t i = 0; i < code_len;) {
        char c = code[i];
        if (c == '+' || c == '-' || c == '>' || c == '<') {
            int32_t run = 0;
            int is_move = c == '>' || c == '<';
            while (i < code_len) {
                char d = code[i];
                if (is_move && (d == '>' || d == '<')) run += d == '>' ? 1 : -1;
                else if (!is_move && (d == '+' || d == '-')) run += d == '+' ? 1 : -1;
                else break;
                i++;
            }
            if (run != 0) emit(is_move ? OP_MOVE : OP_ADD, run, 0);
            continue;
        }
        if (c == '[') {
            size_t close = (size_t)match_tbl[i];
            if (close == i + 2 && (code[i + 1] == '-' || code[i + 1] == '+')) {
                emit(OP_CLEAR, 0, 0);
                i = close + 1;
                continue;
            }
            int all_moves = close > i + 1;
            int32_t step = 0;
            for (size_t k = i + 1; k < close; k++) {
                if (code[k] == '>') step++;
                else if (code[k] == '<') step--;
                else all_moves = 0;
            }
            if (all_moves && step != 0) {
                emit(OP_SCAN, step, 0);
                i = close + 1;
                continue;
            }
            if (try_muladd(i, close)) {
                i = close + 1;
                continue;
            }
            jstack[jtop++] = emit(OP_JZ, 0, 0);
            i++;
            continue;
        }
        if (c == ']') {
            size_t open = jstack[--jtop];
            size_t here = emit(OP_JNZ, (int32_t)open + 1, 0);
            prog[open].arg = (int32_t)here + 1;
            i++;
            continue;
        }
        emit(c == '.' ? OP_OUT : OP_IN, 0, 0);
        i++;
    }
    emit(OP_END, 0, 0);
}

#define CHECK_PTR(p)                                      \
    do {                                                  \
        if ((p) < 0 || (p) >= TAPE_SIZE) die("tape out of range"); \
    } while (0)

static void run_opt(Machine *m, int show) {
    int64_t ptr = 0;
    size_t pc = 0;
    for (;;) {
        const Ins *in = &prog[pc++];
        if (++m->steps > STEP_LIMIT) die("step limit exceeded");
        op_stats[in->op].executed++;
        switch ((OpKind)in->op) {
        case OP_ADD: m->tape[ptr] = (uint8_t)(m->tape[ptr] + in->arg); break;
        case OP_MOVE:
            ptr += in->arg;
            CHECK_PTR(ptr);
            if ((size_t)ptr > m->max_ptr) m->max_ptr = (size_t)ptr;
            break;
        case OP_OUT: emit_out(m, m->tape[ptr], show); break;
        case OP_IN: m->tape[ptr] = read_in(m); break;
        case OP_JZ:
            if (m->tape[ptr] == 0) pc = (size_t)in->arg;
            break;
        case OP_JNZ:
            if (m->tape[ptr] != 0) pc = (size_t)in->arg;
            break;
        case OP_CLEAR: m->tape[ptr] = 0; break;
        case OP_SCAN:
            while (m->tape[ptr] != 0) {
                ptr += in->arg;
                CHECK_PTR(ptr);
                if (++m->steps > STEP_LIMIT) die("step limit exceeded");
            }
            if ((size_t)ptr > m->max_ptr) m->max_ptr = (size_t)ptr;
            break;
        case OP_MULADD:
            if (m->tape[ptr] != 0) {
                int64_t t = ptr + in->off;
                CHECK_PTR(t);
                m->tape[t] = (uint8_t)(m->tape[t] + (unsigned)m->tape[ptr] * (unsigned)in->arg);
                if ((size_t)t > m->max_ptr) m->max_ptr = (size_t)t;
            }
            break;
        case OP_END: return;
        default: die("bad opcode");
        }
    }
}

static uint64_t tape_hash(const Machine *m) {
    uint64_t h = 0;
    for (size_t i = 0; i <= m->max_ptr && i < TAPE_SIZE; i++) h = h * 31 + m->tape[i];
    return h;
}

static void report(const char *engine, const Machine *m) {
    if (m->out_len > 0) putchar('\n');
    printf("[%s] steps %llu, output %llu bytes hash %016llx, input used %zu/%zu, max ptr %zu, tape hash %016llx\n",
           engine, (unsigned long long)m->steps, (unsigned long long)m->out_len, (unsigned long long)m->out_hash,
           m->in_pos, m->in_len, m->max_ptr, (unsigned long long)tape_hash(m));
}

int main(void) {
    size_t len = fread(source, 1, MAX_INPUT, stdin);
    if (len == MAX_INPUT) die("input too large");
    source[len] = '\0';
    const char *nl = memchr(source, '\n', len);
    if (!nl) die("missing mode line");
    size_t mlen = (size_t)(nl - source);
    int do_opt, do_naive;
    if (mlen == 3 && memcmp(source, "opt", 3) == 0) do_opt = 1, do_naive = 0;
    else if (mlen == 5 && memcmp(source, "naive", 5) == 0) do_opt = 0, do_naive = 1;
    else if (mlen == 4 && memcmp(source, "both", 4) == 0) do_opt = 1, do_naive = 1;
    else die("mode must be opt, naive or both");
    const char *body = nl + 1;
    size_t blen = len - mlen - 1;
    const char *bang = memchr(body, '!', blen);
    size_t clen = bang ? (size_t)(bang - body) : blen;
    const uint8_t *pin = bang ? (const uint8_t *)bang + 1 : (const uint8_t *)"";
    size_t pin_len = bang ? blen - clen - 1 : 0;

    filter_and_match(body, clen);
    uint64_t naive_hash = 0, opt_hash = 0;
    if (do_naive) {
        reset_machine(&machine, pin, pin_len);
        run_naive(&machine, 1);
        report("naive", &machine);
        naive_hash = machine.out_hash ^ tape_hash(&machine);
    }
    if (do_opt) {
        compile();
        reset_machine(&machine, pin, pin_len);
        run_opt(&machine, !do_naive);
        report("opt", &machine);
        opt_hash = machine.out_hash ^ tape_hash(&machine);
        printf("code %zu commands -> %zu ops:", code_len, prog_len);
        for (int k = 0; k < OP_COUNT; k++) {
            if (op_stats[k].executed) printf(" %s=%llu", op_stats[k].name, (unsigned long long)op_stats[k].executed);
        }
        putchar('\n');
    }
    if (do_opt && do_naive) printf("engines %s\n", naive_hash == opt_hash ? "agree" : "DISAGREE");
    return 0;
}
