/* Two-pass assembler: pass 1 records functions and labels, pass 2 emits resolved bytecode. */
#include "asm.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABELS 8192
#define LABEL_HASH_SIZE 16384
#define MAX_TOKENS 40
#define MAX_TOKEN_LEN 64

typedef struct {
    char name[MAX_TOKEN_LEN];
    int func;
    uint32_t addr;
    int used;
} Label;

typedef struct {
    Program *prog;
    Label labels[MAX_LABELS];
    int nlabels;
    int hash[LABEL_HASH_SIZE];
    int pass;
    int cur_func;
    uint32_t pc;
    uint32_t line;
    int max_param;
    char *err;
    size_t errlen;
} Assembler;

static Assembler A;

static int fail(const char *fmt, ...) {
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(A.err, A.errlen, "line %u: %s", A.line, msg);
    return -1;
}

static uint32_t hash_name(const char *s, int func) {
    uint32_t h = 2166136261u ^ (uint32_t)func;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    return h;
}

static int find_label(const char *name, int func) {
    uint32_t h = hash_name(name, func) & (LABEL_HASH_SIZE - 1);
    while (A.hash[h] >= 0) {
        Label *l = &A.labels[A.hash[h]];
        if (l->func == func && strcmp(l->name, name) == 0) return A.hash[h];
        h = (h + 1) & (LABEL_HASH_SIZE - 1);
    }
    return -1;
}

static int add_label(const char *name, int func, uint32_t addr) {
    if (find_label(name, func) >= 0) return fail("duplicate label '%s'", name);
    if (A.nlabels >= MAX_LABELS) return fail("too many labels");
    uint32_t h = hash_name(name, func) & (LABEL_HASH_SIZE - 1);
    while (A.hash[h] >= 0) h = (h + 1) & (LABEL_HASH_SIZE - 1);
    Label *l = &A.labels[A.nlabels];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->func = func;
    l->addr = addr;
    l->used = 0;
    A.hash[h] = A.nlabels++;
    return 0;
}

static int find_func(const char *name) {
    for (uint32_t i = 0; i < A.prog->nfuncs; i++) {
        if (strcmp(A.prog->funcs[i].name, name) == 0) return (int)i;
    }
    return -1;
}

static int valid_ident(const char *s) {
    if (!isalpha((unsigned char)*s) && *s != '_') return 0;
    for (s++; *s; s++) {
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    }
    return 1;
}

/* Parses decimal, negative decimal (two's complement), hex or a 'c' char literal. */
static int parse_number(const char *s, uint64_t *out) {
    int neg = 0;
    uint64_t v = 0;
    size_t n = strlen(s);
    if (n == 3 && s[0] == '\'' && s[2] == '\'') {
        *out = (unsigned char)s[1];
        return 0;
    }
    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (*s == '\0') return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (*s == '\0') return -1;
        for (; *s; s++) {
            int d;
            if (*s >= '0' && *s <= '9') d = *s - '0';
            else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
            else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
            else return -1;
            if (v >> 60) return -1;
            v = v * 16 + (uint64_t)d;
        }
    } else {
        for (; *s; s++) {
            if (!isdigit((unsigned char)*s)) return -1;
            uint64_t d = (uint64_t)(*s - '0');
            if (v > (UINT64_MAX - d) / 10) return -1;
            v = v * 10 + d;
        }
    }
    *out = neg ? 0 - v : v;
    return 0;
}

static int tokenize(char *line, char toks[][MAX_TOKEN_LEN]) {
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == ',') p++;
        if (*p == '\0' || *p == ';' || *p == '#') break;
        char *start = p;
        if (*p == '\'') {
            p++;
            if (*p) p++;
            if (*p == '\'') p++;
        } else {
            while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != ',' && *p != ';' && *p != '#') p++;
        }
        size_t len = (size_t)(p - start);
        if (len >= MAX_TOKEN_LEN) return fail("token too long");
        if (n >= MAX_TOKENS) return fail("too many tokens");
        memcpy(toks[n], start, len);
        toks[n][len] = '\0';
        n++;
    }
    return n;
}

static int directive(char toks[][MAX_TOKEN_LEN], int n) {
    Program *prog = A.prog;
    if (strcmp(toks[0], ".func") == 0) {
        uint64_t nargs, nlocals;
        if (A.cur_func >= 0) return fail("nested .func");
        if (n != 4) return fail(".func needs name nargs nlocals");
        if (!valid_ident(toks[1]) || strlen(toks[1]) >= sizeof prog->funcs[0].name) return fail("bad function name");
        if (parse_number(toks[2], &nargs) || parse_number(toks[3], &nlocals)) return fail("bad .func counts");
        if (nargs > 16 || nlocals > 64 || nargs > nlocals) return fail("bad .func counts");
        if (A.pass == 1) {
            if (find_func(toks[1]) >= 0) return fail("duplicate function '%s'", toks[1]);
            if (prog->nfuncs >= VM_MAX_FUNCS) return fail("too many functions");
            Function *f = &prog->funcs[prog->nfuncs];
            snprintf(f->name, sizeof f->name, "%s", toks[1]);
            f->entry = A.pc;
            f->nargs = (uint32_t)nargs;
            f->nlocals = (uint32_t)nlocals;
            A.cur_func = (int)prog->nfuncs++;
        } else {
            A.cur_func = find_func(toks[1]);
        }
        return 0;
    }
    if (strcmp(toks[0], ".end") == 0) {
        if (A.cur_func < 0) return fail(".end outside function");
        if (n != 1) return fail("junk after .end");
        A.cur_func = -1;
        return 0;
    }
    if (strcmp(toks[0], ".args") == 0) {
        if (A.pass == 2) return 0;
        for (int i = 1; i < n; i++) {
            if (prog->nparams >= VM_MAX_ARGS) return fail("too many args");
            if (parse_number(toks[i], &prog->params[prog->nparams])) return fail("bad arg value '%s'", toks[i]);
            prog->nparams++;
        }
        return 0;
    }
    return fail("unknown directive '%s'", toks[0]);
}

static int operand(int op, const char *tok, uint64_t *out) {
    const Function *f = &A.prog->funcs[A.cur_func];
    uint64_t v = 0;
    switch (vm_operand_kind(op)) {
    case ARG_NONE:
        return fail("'%s' takes no operand", vm_opcode_name(op));
    case ARG_IMM:
        if (parse_number(tok, &v)) return fail("bad immediate '%s'", tok);
        break;
    case ARG_LOCAL:
        if (parse_number(tok, &v) || v >= f->nlocals) return fail("bad local '%s'", tok);
        break;
    case ARG_GLOBAL:
        if (parse_number(tok, &v) || v >= VM_GLOBALS) return fail("bad global '%s'", tok);
        break;
    case ARG_PARAM:
        if (parse_number(tok, &v) || v >= VM_MAX_ARGS) return fail("bad param index '%s'", tok);
        if ((int)v > A.max_param) A.max_param = (int)v;
        break;
    case ARG_LABEL: {
        if (A.pass == 1) break;
        int li = find_label(tok, A.cur_func);
        if (li < 0) return fail("undefined label '%s'", tok);
        A.labels[li].used = 1;
        v = A.labels[li].addr;
        break;
    }
    case ARG_FUNC: {
        if (A.pass == 1) break;
        int fi = find_func(tok);
        if (fi < 0) return fail("undefined function '%s'", tok);
        v = (uint64_t)fi;
        break;
    }
    }
    *out = v;
    return 0;
}

static int assemble_line(char *line) {
    char toks[MAX_TOKENS][MAX_TOKEN_LEN];
    int n = tokenize(line, toks);
    if (n <= 0) return n;
    if (toks[0][0] == '.') return directive(toks, n);
    int first = 0;
    size_t l0 = strlen(toks[0]);
    if (toks[0][l0 - 1] == ':') {
        toks[0][l0 - 1] = '\0';
        if (A.cur_func < 0) return fail("label outside function");
        if (!valid_ident(toks[0])) return fail("bad label name");
        if (A.pass == 1 && add_label(toks[0], A.cur_func, A.pc) < 0) return -1;
        first = 1;
    }
    if (first >= n) return 0;
    if (A.cur_func < 0) return fail("instruction outside function");
    int op = vm_lookup_opcode(toks[first]);
    if (op < 0) return fail("unknown instruction '%s'", toks[first]);
    int want = vm_operand_kind(op) == ARG_NONE ? 0 : 1;
    if (n - first - 1 != want) return fail("'%s' expects %d operand(s)", toks[first], want);
    uint64_t arg = 0;
    if (want && operand(op, toks[first + 1], &arg) < 0) return -1;
    if (A.pc >= VM_MAX_CODE) return fail("program too large");
    if (A.pass == 2) {
        Instr *in = &A.prog->code[A.pc];
        in->op = (uint8_t)op;
        in->arg = arg;
        in->line = A.line;
    }
    A.pc++;
    return 0;
}

static int run_pass(const char *src, size_t len) {
    char buf[1024];
    size_t pos = 0;
    A.pc = 0;
    A.line = 0;
    A.cur_func = -1;
    while (pos < len) {
        size_t n = 0;
        A.line++;
        while (pos < len && src[pos] != '\n') {
            if (n + 1 >= sizeof buf) return fail("line too long");
            if (src[pos] == '\0') return fail("NUL byte in source");
            buf[n++] = src[pos++];
        }
        buf[n] = '\0';
        pos++;
        if (assemble_line(buf) < 0) return -1;
    }
    if (A.cur_func >= 0) return fail("missing .end");
    return 0;
}

int assemble(const char *src, size_t len, Program *prog, char *err, size_t errlen) {
    memset(&A, 0, sizeof A);
    memset(A.hash, 0xff, sizeof A.hash);
    A.prog = prog;
    A.err = err;
    A.errlen = errlen;
    A.max_param = -1;
    prog->ncode = 0;
    prog->nfuncs = 0;
    prog->nparams = 0;
    A.pass = 1;
    if (run_pass(src, len) < 0) return -1;
    A.pass = 2;
    if (run_pass(src, len) < 0) return -1;
    prog->ncode = A.pc;
    if (A.max_param >= (int)prog->nparams) {
        snprintf(err, errlen, "program uses arg %d but only %u given", A.max_param, prog->nparams);
        return -1;
    }
    prog->main_func = find_func("main");
    if (prog->main_func < 0) {
        snprintf(err, errlen, "no main function");
        return -1;
    }
    if (prog->funcs[prog->main_func].nargs != 0) {
        snprintf(err, errlen, "main must take no arguments");
        return -1;
    }
    for (int i = 0; i < A.nlabels; i++) {
        if (!A.labels[i].used) fprintf(stderr, "warning: unused label '%s'\n", A.labels[i].name);
    }
    return 0;
}
