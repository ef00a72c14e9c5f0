/* RPN calculator with a small Forth-like command language over 64-bit unsigned integers.
 *
 * Words: numbers (decimal, 0x hex), + - * / % ** & | ^ ~ << >> neg min max gcd
 *        = <> < > <= >= not, dup drop swap over rot nip tuck pick depth clear
 *        !name (store) @name (fetch), . (print) cr emit .s
 *        : name ... ;     macro definitions (may recurse; call depth is limited)
 *        if ... else ... then     N times ... end     limit start do ... loop (i, j index words)
 *        begin ... until          exit (return from macro)
 * The whole input is compiled to threaded code first, then run with a step limit.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 19)
#define MAX_CODE 65536
#define MAX_WORDS 512
#define MAX_VARS 256
#define NAME_LEN 32
#define DSTACK 1024
#define RSTACK 512
#define LSTACK 64
#define CSTACK 64
#define STEP_LIMIT 300000000ull
#define MAX_TIMES 100000000ull

typedef uint64_t u64;

typedef enum {
    OP_LIT, OP_PRIM, OP_CALL, OP_RET, OP_JMP, OP_JZ, OP_DO, OP_LOOP, OP_TIMES, OP_NEXT, OP_I, OP_J, OP_FETCH,
    OP_STORE, OP_END
} OpCode;

typedef enum {
    P_ADD, P_SUB, P_MUL, P_DIV, P_MOD, P_POW, P_AND, P_OR, P_XOR, P_NOT_BITS, P_SHL, P_SHR, P_NEG, P_MIN, P_MAX,
    P_GCD, P_EQ, P_NE, P_LT, P_GT, P_LE, P_GE, P_NOT, P_DUP, P_DROP, P_SWAP, P_OVER, P_ROT, P_NIP, P_TUCK, P_PICK,
    P_DEPTH, P_CLEAR, P_PRINT, P_CR, P_EMIT, P_SHOW, P_COUNT
} Prim;

typedef struct {
    uint8_t op;
    u64 arg;
} Cell;

typedef struct {
    char name[NAME_LEN];
    uint32_t entry;
    uint64_t calls;
} Word;

typedef enum { CTL_IF, CTL_ELSE, CTL_DO, CTL_TIMES, CTL_BEGIN } CtlKind;

typedef struct {
    CtlKind kind;
    uint32_t addr;
} Ctl;

typedef struct {
    u64 index, limit;
} LoopFrame;

static const struct {
    const char *name;
    Prim prim;
    uint8_t pops;
} prim_table[] = {
    {"+", P_ADD, 2},     {"-", P_SUB, 2},     {"*", P_MUL, 2},       {"/", P_DIV, 2},     {"%", P_MOD, 2},
    {"**", P_POW, 2},    {"&", P_AND, 2},     {"|", P_OR, 2},        {"^", P_XOR, 2},     {"~", P_NOT_BITS, 1},
    {"<<", P_SHL, 2},    {">>", P_SHR, 2},    {"neg", P_NEG, 1},     {"min", P_MIN, 2},   {"max", P_MAX, 2},
    {"gcd", P_GCD, 2},   {"=", P_EQ, 2},      {"<>", P_NE, 2},       {"<", P_LT, 2},      {">", P_GT, 2},
    {"<=", P_LE, 2},     {">=", P_GE, 2},     {"not", P_NOT, 1},     {"dup", P_DUP, 1},   {"drop", P_DROP, 1},
    {"swap", P_SWAP, 2}, {"over", P_OVER, 2}, {"rot", P_ROT, 3},     {"nip", P_NIP, 2},   {"tuck", P_TUCK, 2},
    {"pick", P_PICK, 1}, {"depth", P_DEPTH, 0}, {"clear", P_CLEAR, 0}, {".", P_PRINT, 1}, {"cr", P_CR, 0},
    {"emit", P_EMIT, 1}, {".s", P_SHOW, 0},
};
#define NPRIMS ((int)(sizeof prim_table / sizeof prim_table[0]))

static char input[MAX_INPUT + 1];
static Cell code[MAX_CODE];
static uint32_t ncode;
static Word words[MAX_WORDS];
static int nwords;
static char var_names[MAX_VARS][NAME_LEN];
static u64 vars[MAX_VARS];
static int nvars;
static Ctl cstack[CSTACK];
static int csp;
static int line_no = 1;

static u64 dstack[DSTACK];
static int dsp;
static uint32_t rstack[RSTACK];
static int rsp;
static LoopFrame lstack[LSTACK];
static int lsp;
static u64 steps, prints, print_hash = 0xcbf29ce484222325ull;
static int max_dsp, max_rsp;
static int column;

static _Noreturn void fail(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "rpn error: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* ---------- compiler ---------- */

static uint32_t emit(OpCode op, u64 arg) {
    if (ncode >= MAX_CODE) fail("program too large");
    code[ncode].op = (uint8_t)op;
    code[ncode].arg = arg;
    return ncode++;
}

static int find_prim(const char *w) {
    for (int i = 0; i < NPRIMS; i++) {
        if (strcmp(prim_table[i].name, w) == 0) return i;
    }
    return -1;
}

static int find_word(const char *w) {
    for (int i = nwords - 1; i >= 0; i--) {
        if (strcmp(words[i].name, w) == 0) return i;
    }
    return -1;
}

static int var_index(const char *name) {
    if (!*name || strlen(name) >= NAME_LEN) fail("line %d: bad variable name", line_no);
    for (int i = 0; i < nvars; i++) {
        if (strcmp(var_names[i], name) == 0) return i;
    }
    if (nvars >= MAX_VARS) fail("too many variables");
    strcpy(var_names[nvars], name);
    return nvars++;
}

static int parse_number(const char *w, u64 *out) {
    u64 v = 0;
    const char *p = w;
    int neg = 0;
    if (*p == '-' && p[1]) {
        neg = 1;
        p++;
    }
    if (!isdigit((unsigned char)*p)) return 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        if (!*p) return 0;
        for (; *p; p++) {
            if (!isxdigit((unsigned char)*p)) return 0;
            if (v >> 60) fail("line %d: number too large", line_no);
            v = v * 16 + (u64)(isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10);
        }
    } else {
        for (; *p; p++) {
            if (!isdigit((unsigned char)*p)) return 0;
            if (v > (UINT64_MAX - 9) / 10) fail("line %d: number too large", line_no);
            v = v * 10 + (u64)(*p - '0');
        }
    }
    *out = neg ? 0 - v : v;
    return 1;
}

static void push_ctl(CtlKind k, uint32_t addr) {
    if (csp >= CSTACK) fail("line %d: control structures nested too deeply", line_no);
    cstack[csp].kind = k;
    cstack[csp].addr = addr;
    csp++;
}

static Ctl pop_ctl(CtlKind want, CtlKind alt, const char *word) {
    if (csp == 0 || (cstack[csp - 1].kind != want && cstack[csp - 1].kind != alt)) fail("line %d: unmatched '%s'", line_no, word);
    return cstack[--csp];
}

static int defining = -1;
static uint32_t def_skip_jump;
static int def_csp;

static void compile_word(const char *w) {
    u64 num;
    if (strcmp(w, ":") == 0) {
        if (defining >= 0) fail("line %d: nested definition", line_no);
        if (nwords >= MAX_WORDS) fail("too many definitions");
        def_skip_jump = emit(OP_JMP, 0);
        defining = nwords;
        def_csp = csp;
        words[nwords].name[0] = '\0';
        words[nwords].entry = ncode;
        words[nwords].calls = 0;
        nwords++;
        return;
    }
    if (defining >= 0 && words[defining].name[0] == '\0') {
        if (strlen(w) >= NAME_LEN || parse_number(w, &num) || find_prim(w) >= 0) fail("line %d: bad macro name '%s'", line_no, w);
        strcpy(words[defining].name, w);
        return;
    }
    if (strcmp(w, ";") == 0) {
        if (defining < 0) fail("line %d: ';' outside definition", line_no);
        if (csp != def_csp) fail("line %d: unterminated control structure in definition", line_no);
        emit(OP_RET, 0);
        code[def_skip_jump].arg = ncode;
        defining = -1;
        return;
    }
    if (strcmp(w, "exit") == 0) {
        if (defining < 0) fail("line %d: exit outside definition", line_no);
        emit(OP_RET, 0);
        return;
    }
    if (strcmp(w, "if") == 0) {
        push_ctl(CTL_IF, emit(OP_JZ, 0));
    } else if (strcmp(w, "else") == 0) {
        Ctl c = pop_ctl(CTL_IF, CTL_IF, "else");
        push_ctl(CTL_ELSE, emit(OP_JMP, 0));
        code[c.addr].arg = ncode;
    } else if (strcmp(w, "then") == 0) {
        Ctl c = pop_ctl(CTL_IF, CTL_ELSE, "then");
        code[c.addr].arg = ncode;
    } else if (strcmp(w, "do") == 0) {
        emit(OP_DO, 0);
        push_ctl(CTL_DO, ncode);
    } else if (strcmp(w, "loop") == 0) {
        Ctl c = pop_ctl(CTL_DO, CTL_DO, "loop");
        emit(OP_LOOP, c.addr);
    } else if (strcmp(w, "times") == 0) {
        push_ctl(CTL_TIMES, emit(OP_TIMES, 0));
    } else if (strcmp(w, "end") == 0) {
        Ctl c = pop_ctl(CTL_TIMES, CTL_TIMES, "end");
        emit(OP_NEXT, c.addr + 1);
        code[c.addr].arg = ncode;
    } else if (strcmp(w, "begin") == 0) {
        push_ctl(CTL_BEGIN, ncode);
    } else if (strcmp(w, "until") == 0) {
        Ctl c = pop_ctl(CTL_BEGIN, CTL_BEGIN, "until");
        emit(OP_JZ, c.addr);
    } else if (strcmp(w, "i") == 0) {
        emit(OP_I, 0);
    } else if (strcmp(w, "j") == 0) {
        emit(OP_J, 0);
    } else if (w[0] == '!' && w[1]) {
        emit(OP_STORE, (u64)var_index(w + 1));
    } else if (w[0] == '@' && w[1]) {
        emit(OP_FETCH, (u64)var_index(w + 1));
    } else if (parse_number(w, &num)) {
        emit(OP_LIT, num);
    } else {
        int k = find_word(w);
        if (k >= 0) {
            emit(OP_CALL, (u64)k);
            return;
        }
        int p = find_prim(w);
        if (p < 0) fail("line %d: unknown word '%s'", line_no, w);
        emit(OP_PRIM, (u64)p);
    }
}

static void compile(const char *src, size_t len) {
    size_t pos = 0;
    char w[64];
    while (pos < len) {
        char c = src[pos];
        if (c == '\n') {
            line_no++;
            pos++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            pos++;
            continue;
        }
        if (c == '(') { /* comment up to ')' */
            while (pos < len && src[pos] != ')') {
                if (src[pos] == '\n') line_no++;
                pos++;
            }
            if (pos >= len) fail("line %d: unterminated comment", line_no);
            pos++;
            continue;
        }
        if (c == '\\') {
            while (pos < len && src[pos] != '\n') pos++;
            continue;
        }
        size_t n = 0;
        while (pos < len && !isspace((unsigned char)src[pos])) {
            if ((unsigned char)src[pos] < 0x21 || (unsigned char)src[pos] > 0x7e) fail("line %d: bad character", line_no);
            if (n + 1 >= sizeof w) fail("line %d: word too long", line_no);
            w[n++] = src[pos++];
        }
        w[n] = '\0';
        compile_word(w);
    }
    if (defining >= 0) fail("unterminated definition");
    if (csp != 0) fail("unterminated control structure");
    emit(OP_END, 0);
}

/* ---------- interpreter ---------- */

static void push(u64 v) {
    if (dsp >= DSTACK) fail("stack overflow");
    dstack[dsp++] = v;
    if (dsp > max_dsp) max_dsp = dsp;
}

static u64 pop(void) {
    if (dsp <= 0) fail("stack underflow");
    return dstack[--dsp];
}

static u64 ipow(u64 b, u64 e) {
    u64 r = 1;
    while (e) {
        if (e & 1) r *= b;
        b *= b;
        e >>= 1;
    }
    return r;
}

static void out_number(u64 v) {
    prints++;
    print_hash = (print_hash ^ v) * 0x100000001b3ull;
    column += printf("%llu ", (unsigned long long)v);
    if (column > 100) {
        putchar('\n');
        column = 0;
    }
}

static void run_prim(Prim p) {
    if (dsp < prim_table[p].pops) fail("stack underflow in '%s'", prim_table[p].name);
    u64 a, b, c;
    switch (p) {
    case P_ADD: b = pop(); a = pop(); push(a + b); break;
    case P_SUB: b = pop(); a = pop(); push(a - b); break;
    case P_MUL: b = pop(); a = pop(); push(a * b); break;
    case P_DIV:
        b = pop(); a = pop();
        if (b == 0) fail("division by zero");
        push(a / b);
        break;
    case P_MOD:
        b = pop(); a = pop();
        if (b == 0) fail("division by zero");
        push(a % b);
        break;
    case P_POW: b = pop(); a = pop(); push(ipow(a, b)); break;
    case P_AND: b = pop(); a = pop(); push(a & b); break;
    case P_OR: b = pop(); a = pop(); push(a | b); break;
    case P_XOR: b = pop(); a = pop(); push(a ^ b); break;
    case P_NOT_BITS: push(~pop()); break;
    case P_SHL: b = pop(); a = pop(); push(b >= 64 ? 0 : a << b); break;
    case P_SHR: b = pop(); a = pop(); push(b >= 64 ? 0 : a >> b); break;
    case P_NEG: push(0 - pop()); break;
    case P_MIN: b = pop(); a = pop(); push(a < b ? a : b); break;
    case P_MAX: b = pop(); a = pop(); push(a > b ? a : b); break;
    case P_GCD:
        b = pop(); a = pop();
        while (b) {
            c = a % b;
            a = b;
            b = c;
        }
        push(a);
        break;
    case P_EQ: b = pop(); a = pop(); push(a == b); break;
    case P_NE: b = pop(); a = pop(); push(a != b); break;
    case P_LT: b = pop(); a = pop(); push(a < b); break;
    case P_GT: b = pop(); a = pop(); push(a > b); break;
    case P_LE: b = pop(); a = pop(); push(a <= b); break;
    case P_GE: b = pop(); a = pop(); push(a >= b); break;
    case P_NOT: push(pop() == 0); break;
    case P_DUP: a = pop(); push(a); push(a); break;
    case P_DROP: pop(); break;
    case P_SWAP: b = pop(); a = pop(); push(b); push(a); break;
    case P_OVER: b = pop(); a = pop(); push(a); push(b); push(a); break;
    case P_ROT: c = pop(); b = pop(); a = pop(); push(b); push(c); push(a); break;
    case P_NIP: b = pop(); pop(); push(b); break;
    case P_TUCK: b = pop(); a = pop(); push(b); push(a); push(b); break;
    case P_PICK:
        a = pop();
        if (a >= (u64)dsp) fail("pick out of range");
        push(dstack[dsp - 1 - (int)a]);
        break;
    case P_DEPTH: push((u64)dsp); break;
    case P_CLEAR: dsp = 0; break;
    case P_PRINT: out_number(pop()); break;
    case P_CR:
        putchar('\n');
        column = 0;
        break;
    case P_EMIT:
        a = pop() & 0x7f;
        putchar(a >= 0x20 && a < 0x7f ? (int)a : '?');
        column++;
        break;
    case P_SHOW:
        column += printf("<%d>", dsp);
        for (int k = dsp > 8 ? dsp - 8 : 0; k < dsp; k++) column += printf(" %llu", (unsigned long long)dstack[k]);
        putchar('\n');
        column = 0;
        break;
    case P_COUNT: break;
    }
}

static void run(void) {
    uint32_t pc = 0;
    for (;;) {
        if (++steps > STEP_LIMIT) fail("step limit exceeded");
        const Cell *c = &code[pc++];
        switch ((OpCode)c->op) {
        case OP_LIT: push(c->arg); break;
        case OP_PRIM: run_prim((Prim)c->arg); break;
        case OP_CALL:
            if (rsp >= RSTACK) fail("return stack overflow (recursion too deep)");
            rstack[rsp++] = pc;
            if (rsp > max_rsp) max_rsp = rsp;
            words[c->arg].calls++;
            pc = words[c->arg].entry;
            break;
        case OP_RET:
            if (rsp == 0) fail("return outside call");
            pc = rstack[--rsp];
            break;
        case OP_JMP: pc = (uint32_t)c->arg; break;
        case OP_JZ:
            if (pop() == 0) pc = (uint32_t)c->arg;
            break;
        case OP_DO: {
            u64 start = pop(), limit = pop();
            if (lsp >= LSTACK) fail("loops nested too deeply");
            lstack[lsp].index = start;
            lstack[lsp].limit = limit;
            lsp++;
            break;
        }
        case OP_LOOP:
            if (lsp == 0) fail("loop without do");
            if (++lstack[lsp - 1].index < lstack[lsp - 1].limit) pc = (uint32_t)c->arg;
            else lsp--;
            break;
        case OP_TIMES: {
            u64 n = pop();
            if (n > MAX_TIMES) fail("times count too large");
            if (n == 0) {
                pc = (uint32_t)c->arg;
                break;
            }
            if (lsp >= LSTACK) fail("loops nested too deeply");
            lstack[lsp].index = 0;
            lstack[lsp].limit = n;
            lsp++;
            break;
        }
        case OP_NEXT:
            if (lsp == 0) fail("end without times");
            if (++lstack[lsp - 1].index < lstack[lsp - 1].limit) pc = (uint32_t)c->arg;
            else lsp--;
            break;
        case OP_I:
            if (lsp < 1) fail("i outside loop");
            push(lstack[lsp - 1].index);
            break;
        case OP_J:
            if (lsp < 2) fail("j outside nested loop");
            push(lstack[lsp - 2].index);
            break;
        case OP_FETCH: push(vars[c->arg]); break;
        case OP_STORE: vars[c->arg] = pop(); break;
        case OP_END: return;
        }
    }
}

int main(void) {
    size_t len = fread(input, 1, MAX_INPUT, stdin);
    if (len == MAX_INPUT) fail("input too large");
    compile(input, len);
    run();
    if (column) putchar('\n');
    printf("-- code %u cells, %d macros, %d variables\n", ncode, nwords, nvars);
    printf("-- steps %llu, prints %llu hash %016llx, max stack %d, max rstack %d\n", (unsigned long long)steps,
           (unsigned long long)prints, (unsigned long long)print_hash, max_dsp, max_rsp);
    printf("-- final stack <%d>", dsp);
    for (int k = dsp > 8 ? dsp - 8 : 0; k < dsp; k++) printf(" %llu", (unsigned long long)dstack[k]);
    putchar('\n');
    for (int i = 0; i < nwords; i++) {
        if (words[i].calls) printf("   %-12s %llu calls\n", words[i].name, (unsigned long long)words[i].calls);
    }
    for (int i = 0; i < nvars; i++) printf("   var %-8s = %llu\n", var_names[i], (unsigned long long)vars[i]);
    return 0;
}
