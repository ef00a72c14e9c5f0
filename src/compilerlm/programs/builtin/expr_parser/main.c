/* Recursive-descent expression language: lexer, precedence-level parser into an AST pool,
 * and a tree-walking evaluator over 64-bit unsigned (wrapping) integers.
 *
 * Statements:  name = expr;   name op= expr;   print expr, ...;   def f(a, b) = expr;
 *              repeat expr { ... }   while expr { ... }   if expr { ... } else { ... }
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SRC (1 << 19)
#define MAX_TOKENS 120000
#define MAX_NODES 200000
#define MAX_VARS 1024
#define MAX_FUNCS 128
#define MAX_PARAMS 8
#define MAX_NAME 32
#define MAX_NEST 200
#define MAX_CALL_DEPTH 2000
#define STEP_LIMIT 100000000ull

typedef uint64_t u64;

typedef enum {
    T_EOF, T_NUM, T_IDENT, T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_SEMI,
    T_QUESTION, T_COLON, T_ASSIGN, T_PLUS_EQ, T_MINUS_EQ, T_STAR_EQ, T_XOR_EQ,
    T_OROR, T_ANDAND, T_OR, T_XOR, T_AND, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
    T_SHL, T_SHR, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_POW, T_BANG, T_TILDE,
    T_KW_PRINT, T_KW_DEF, T_KW_REPEAT, T_KW_WHILE, T_KW_IF, T_KW_ELSE
} TokKind;

typedef struct {
    TokKind kind;
    u64 value;
    int start, len, line;
} Token;

typedef enum {
    N_NUM, N_VAR, N_PARAM, N_NEG, N_NOT, N_BNOT, N_BIN, N_ANDAND, N_OROR, N_COND,
    N_CALL, N_BUILTIN, N_ASSIGN,
    S_EXPR, S_PRINT, S_REPEAT, S_WHILE, S_IF
} NodeKind;

typedef struct {
    uint8_t kind;
    uint8_t op;     /* token kind of the operator for N_BIN / N_ASSIGN */
    int32_t a, b, c; /* children (node indices), or slot/function numbers */
    int32_t next;   /* next argument / next statement */
    u64 val;
} Node;

typedef struct {
    char name[MAX_NAME];
    u64 value;
    int assigned;
} Var;

typedef struct {
    char name[MAX_NAME];
    int nparams;
    char params[MAX_PARAMS][MAX_NAME];
    int body;
    u64 calls;
} Func;

typedef u64 (*BuiltinFn)(const u64 *args);

typedef struct {
    const char *name;
    int nargs;
    BuiltinFn fn;
} Builtin;

static char src[MAX_SRC];
static int src_len;
static Token toks[MAX_TOKENS];
static int ntoks, tpos;
static Node nodes[MAX_NODES];
static int nnodes;
static Var vars[MAX_VARS];
static int nvars;
static Func funcs[MAX_FUNCS];
static int nfuncs;
static int cur_func = -1; /* function whose body is being parsed */
static int nest_depth;
static u64 steps, print_count, print_hash = 1469598103934665603ull;
static int call_depth, max_call_depth;

static _Noreturn void die(int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "error (line %d): ", line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* ---------- builtins ---------- */

static u64 b_min(const u64 *a) { return a[0] < a[1] ? a[0] : a[1]; }
static u64 b_max(const u64 *a) { return a[0] > a[1] ? a[0] : a[1]; }
static u64 b_gcd(const u64 *a) {
    u64 x = a[0], y = a[1];
    while (y) {
        u64 t = x % y;
        x = y;
        y = t;
    }
    return x;
}
static u64 b_isqrt(const u64 *a) {
    u64 x = a[0], r = 0, bit = 1ull << 62;
    while (bit > x) bit >>= 2;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}
static u64 b_popcnt(const u64 *a) {
    u64 x = a[0], c = 0;
    while (x) {
        x &= x - 1;
        c++;
    }
    return c;
}
static u64 b_rotl(const u64 *a) {
    unsigned s = (unsigned)(a[1] & 63);
    return s ? (a[0] << s) | (a[0] >> (64 - s)) : a[0];
}
static u64 b_mix(const u64 *a) {
    u64 z = a[0] + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static u64 b_sel(const u64 *a) { return a[0] ? a[1] : a[2]; }

static const Builtin builtins[] = {
    {"min", 2, b_min},     {"max", 2, b_max},       {"gcd", 2, b_gcd},   {"isqrt", 1, b_isqrt},
    {"popcnt", 1, b_popcnt}, {"rotl", 2, b_rotl},   {"mix", 1, b_mix},   {"sel", 3, b_sel},
};
#define NBUILTINS ((int)(sizeof builtins / sizeof builtins[0]))

/* ---------- lexer ---------- */

static const struct {
    const char *text;
    TokKind kind;
} keywords[] = {
    {"print", T_KW_PRINT}, {"def", T_KW_DEF},   {"repeat", T_KW_REPEAT},
    {"while", T_KW_WHILE}, {"if", T_KW_IF},     {"else", T_KW_ELSE},
};

static void add_token(TokKind k, int start, int len, int line, u64 v) {
    if (ntoks >= MAX_TOKENS) die(line, "too many tokens");
    toks[ntoks].kind = k;
    toks[ntoks].start = start;
    toks[ntoks].len = len;
    toks[ntoks].line = line;
    toks[ntoks].value = v;
    ntoks++;
}

static void lex(void) {
    int i = 0, line = 1;
    while (i < src_len) {
        char c = src[i];
        if (c == '\n') {
            line++;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (c == '#') {
            while (i < src_len && src[i] != '\n') i++;
            continue;
        }
        int start = i;
        if (isdigit((unsigned char)c)) {
            u64 v = 0;
            if (c == '0' && i + 1 < src_len && (src[i + 1] == 'x' || src[i + 1] == 'X')) {
                i += 2;
                if (i >= src_len || !isxdigit((unsigned char)src[i])) die(line, "bad hex literal");
                while (i < src_len && isxdigit((unsigned char)src[i])) {
                    int d = isdigit((unsigned char)src[i]) ? src[i] - '0' : (tolower((unsigned char)src[i]) - 'a' + 10);
                    if (v >> 60) die(line, "hex literal too large");
                    v = (v << 4) | (u64)d;
                    i++;
                }
            } else {
                while (i < src_len && isdigit((unsigned char)src[i])) {
                    u64 d = (u64)(src[i] - '0');
                    if (v > (UINT64_MAX - d) / 10) die(line, "literal too large");
                    v = v * 10 + d;
                    i++;
                }
            }
            if (i < src_len && (isalpha((unsigned char)src[i]) || src[i] == '_')) die(line, "bad number suffix");
            add_token(T_NUM, start, i - start, line, v);
            continue;
        }
        if (isalpha((unsigned char)c) || c == '_') {
            while (i < src_len && (isalnum((unsigned char)src[i]) || src[i] == '_')) i++;
            int len = i - start;
            if (len >= MAX_NAME) die(line, "identifier too long");
            TokKind k = T_IDENT;
            for (size_t j = 0; j < sizeof keywords / sizeof keywords[0]; j++) {
                if ((int)strlen(keywords[j].text) == len && memcmp(keywords[j].text, src + start, (size_t)len) == 0) k = keywords[j].kind;
            }
            add_token(k, start, len, line, 0);
            continue;
        }
        char n = i + 1 < src_len ? src[i + 1] : '\0';
        TokKind k;
        int len = 1;
        switch (c) {
        case '(': k = T_LPAREN; break;
        case ')': k = T_RPAREN; break;
        case '{': k = T_LBRACE; break;
        case '}': k = T_RBRACE; break;
        case ',': k = T_COMMA; break;
        case ';': k = T_SEMI; break;
        case '?': k = T_QUESTION; break;
        case ':': k = T_COLON; break;
        case '~': k = T_TILDE; break;
        case '/': k = T_SLASH; break;
        case '%': k = T_PERCENT; break;
        case '+': if (n == '=') { k = T_PLUS_EQ; len = 2; } else k = T_PLUS; break;
        case '-': if (n == '=') { k = T_MINUS_EQ; len = 2; } else k = T_MINUS; break;
        case '*':
            if (n == '*') { k = T_POW; len = 2; }
            else if (n == '=') { k = T_STAR_EQ; len = 2; }
            else k = T_STAR;
            break;
        case '^': if (n == '=') { k = T_XOR_EQ; len = 2; } else k = T_XOR; break;
        case '=': if (n == '=') { k = T_EQ; len = 2; } else k = T_ASSIGN; break;
        case '!': if (n == '=') { k = T_NE; len = 2; } else k = T_BANG; break;
        case '&': if (n == '&') { k = T_ANDAND; len = 2; } else k = T_AND; break;
        case '|': if (n == '|') { k = T_OROR; len = 2; } else k = T_OR; break;
        case '<':
            if (n == '<') { k = T_SHL; len = 2; }
            else if (n == '=') { k = T_LE; len = 2; }
            else k = T_LT;
            break;
        case '>':
            if (n == '>') { k = T_SHR; len = 2; }
            else if (n == '=') { k = T_GE; len = 2; }
            else k = T_GT;
            break;
        default:
            die(line, "unexpected character 0x%02x", (unsigned char)c);
        }
        add_token(k, start, len, line, 0);
        i += len;
    }
    add_token(T_EOF, src_len, 0, line, 0);
}

/* ---------- parser ---------- */

static Token *peek(void) { return &toks[tpos]; }
static int accept(TokKind k) {
    if (toks[tpos].kind == k) {
        tpos++;
        return 1;
    }
    return 0;
}
static void expect(TokKind k, const char *what) {
    if (!accept(k)) die(peek()->line, "expected %s", what);
}
static int tok_is(const Token *t, const char *s) {
    return (int)strlen(s) == t->len && memcmp(src + t->start, s, (size_t)t->len) == 0;
}

static int new_node(NodeKind kind, int a, int b, int c) {
    if (nnodes >= MAX_NODES) die(peek()->line, "program too large");
    Node *n = &nodes[nnodes];
    n->kind = (uint8_t)kind;
    n->op = 0;
    n->a = a;
    n->b = b;
    n->c = c;
    n->next = -1;
    n->val = 0;
    return nnodes++;
}

static int var_slot(const Token *t) {
    for (int i = 0; i < nvars; i++) {
        if (tok_is(t, vars[i].name)) return i;
    }
    if (nvars >= MAX_VARS) die(t->line, "too many variables");
    memcpy(vars[nvars].name, src + t->start, (size_t)t->len);
    vars[nvars].name[t->len] = '\0';
    return nvars++;
}

static int find_func(const Token *t) {
    for (int i = 0; i < nfuncs; i++) {
        if (tok_is(t, funcs[i].name)) return i;
    }
    return -1;
}

static int parse_expr(void);

static int parse_args(int *count) {
    int head = -1, tail = -1;
    *count = 0;
    expect(T_LPAREN, "'('");
    if (!accept(T_RPAREN)) {
        do {
            int e = parse_expr();
            if (head < 0) head = e;
            else nodes[tail].next = e;
            tail = e;
            (*count)++;
        } while (accept(T_COMMA));
        expect(T_RPAREN, "')'");
    }
    return head;
}

static int parse_primary(void) {
    Token *t = peek();
    if (accept(T_NUM)) {
        int n = new_node(N_NUM, 0, 0, 0);
        nodes[n].val = t->value;
        return n;
    }
    if (accept(T_LPAREN)) {
        int e = parse_expr();
        expect(T_RPAREN, "')'");
        return e;
    }
    if (accept(T_IDENT)) {
        if (peek()->kind == T_LPAREN) {
            int count;
            for (int i = 0; i < NBUILTINS; i++) {
                if (tok_is(t, builtins[i].name)) {
                    int args = parse_args(&count);
                    if (count != builtins[i].nargs) die(t->line, "%s takes %d args", builtins[i].name, builtins[i].nargs);
                    return new_node(N_BUILTIN, i, args, count);
                }
            }
            int f = find_func(t);
            if (f < 0) die(t->line, "unknown function");
            int args = parse_args(&count);
            if (count != funcs[f].nparams) die(t->line, "wrong argument count for %s", funcs[f].name);
            return new_node(N_CALL, f, args, count);
        }
        if (cur_func >= 0) {
            for (int i = 0; i < funcs[cur_func].nparams; i++) {
                if (tok_is(t, funcs[cur_func].params[i])) return new_node(N_PARAM, i, 0, 0);
            }
        }
        return new_node(N_VAR, var_slot(t), 0, 0);
    }
    die(t->line, "unexpected token in expression");
    return -1;
}

static int parse_unary(void);

static int parse_power(void) {
    int base = parse_primary();
    if (accept(T_POW)) {
        int e = parse_unary(); /* right associative */
        int n = new_node(N_BIN, base, e, 0);
        nodes[n].op = T_POW;
        return n;
    }
    return base;
}

static int parse_unary(void) {
    if (++nest_depth > MAX_NEST) die(peek()->line, "expression nested too deeply");
    int r;
    if (accept(T_MINUS)) r = new_node(N_NEG, parse_unary(), 0, 0);
    else if (accept(T_BANG)) r = new_node(N_NOT, parse_unary(), 0, 0);
    else if (accept(T_TILDE)) r = new_node(N_BNOT, parse_unary(), 0, 0);
    else if (accept(T_PLUS)) r = parse_unary();
    else r = parse_power();
    nest_depth--;
    return r;
}

/* Binary precedence levels, loosest first; each level is left associative. */
static const TokKind level_ops[][4] = {
    {T_OR, T_EOF, T_EOF, T_EOF},
    {T_XOR, T_EOF, T_EOF, T_EOF},
    {T_AND, T_EOF, T_EOF, T_EOF},
    {T_EQ, T_NE, T_EOF, T_EOF},
    {T_LT, T_LE, T_GT, T_GE},
    {T_SHL, T_SHR, T_EOF, T_EOF},
    {T_PLUS, T_MINUS, T_EOF, T_EOF},
    {T_STAR, T_SLASH, T_PERCENT, T_EOF},
};
#define NLEVELS ((int)(sizeof level_ops / sizeof level_ops[0]))

static int parse_level(int level) {
    if (level >= NLEVELS) return parse_unary();
    int left = parse_level(level + 1);
    for (;;) {
        TokKind k = peek()->kind;
        int match = 0;
        for (int i = 0; i < 4; i++) {
            if (level_ops[level][i] != T_EOF && level_ops[level][i] == k) match = 1;
        }
        if (!match) return left;
        tpos++;
        int right = parse_level(level + 1);
        int n = new_node(N_BIN, left, right, 0);
        nodes[n].op = (uint8_t)k;
        left = n;
    }
}

static int parse_and(void) {
    int left = parse_level(0);
    while (accept(T_ANDAND)) left = new_node(N_ANDAND, left, parse_level(0), 0);
    return left;
}

static int parse_or(void) {
    int left = parse_and();
    while (accept(T_OROR)) left = new_node(N_OROR, left, parse_and(), 0);
    return left;
}

static int parse_expr(void) {
    if (++nest_depth > MAX_NEST) die(peek()->line, "expression nested too deeply");
    int cond = parse_or();
    if (accept(T_QUESTION)) {
        int a = parse_expr();
        expect(T_COLON, "':'");
        int b = parse_expr();
        cond = new_node(N_COND, cond, a, b);
    }
    nest_depth--;
    return cond;
}

static int parse_block(void);

static int parse_statement(void) {
    Token *t = peek();
    if (++nest_depth > MAX_NEST) die(t->line, "statements nested too deeply");
    int s;
    if (accept(T_KW_PRINT)) {
        int count;
        int head = -1, tail = -1;
        count = 0;
        do {
            int e = parse_expr();
            if (head < 0) head = e;
            else nodes[tail].next = e;
            tail = e;
            count++;
        } while (accept(T_COMMA));
        expect(T_SEMI, "';'");
        s = new_node(S_PRINT, head, count, 0);
    } else if (accept(T_KW_REPEAT)) {
        int count = parse_expr();
        s = new_node(S_REPEAT, count, parse_block(), 0);
    } else if (accept(T_KW_WHILE)) {
        int cond = parse_expr();
        s = new_node(S_WHILE, cond, parse_block(), 0);
    } else if (accept(T_KW_IF)) {
        int cond = parse_expr();
        int then = parse_block();
        int els = -1;
        if (accept(T_KW_ELSE)) els = peek()->kind == T_KW_IF ? parse_statement() : parse_block();
        s = new_node(S_IF, cond, then, els);
    } else if (t->kind == T_IDENT && toks[tpos + 1].kind >= T_ASSIGN && toks[tpos + 1].kind <= T_XOR_EQ) {
        tpos++;
        TokKind op = peek()->kind;
        tpos++;
        int slot = var_slot(t);
        int rhs = parse_expr();
        expect(T_SEMI, "';'");
        int a = new_node(N_ASSIGN, slot, rhs, 0);
        nodes[a].op = (uint8_t)op;
        s = new_node(S_EXPR, a, 0, 0);
    } else {
        int e = parse_expr();
        expect(T_SEMI, "';'");
        s = new_node(S_EXPR, e, 0, 0);
    }
    nest_depth--;
    return s;
}

static int parse_block(void) {
    int head = -1, tail = -1;
    expect(T_LBRACE, "'{'");
    while (!accept(T_RBRACE)) {
        if (peek()->kind == T_EOF) die(peek()->line, "unterminated block");
        int s = parse_statement();
        if (head < 0) head = s;
        else nodes[tail].next = s;
        tail = s;
    }
    return head;
}

static void parse_def(void) {
    Token *name = peek();
    expect(T_IDENT, "function name");
    if (find_func(name) >= 0) die(name->line, "function redefined");
    for (int i = 0; i < NBUILTINS; i++) {
        if (tok_is(name, builtins[i].name)) die(name->line, "cannot redefine builtin");
    }
    if (nfuncs >= MAX_FUNCS) die(name->line, "too many functions");
    Func *f = &funcs[nfuncs];
    memcpy(f->name, src + name->start, (size_t)name->len);
    f->name[name->len] = '\0';
    f->nparams = 0;
    expect(T_LPAREN, "'('");
    if (!accept(T_RPAREN)) {
        do {
            Token *p = peek();
            expect(T_IDENT, "parameter name");
            if (f->nparams >= MAX_PARAMS) die(p->line, "too many parameters");
            memcpy(f->params[f->nparams], src + p->start, (size_t)p->len);
            f->params[f->nparams][p->len] = '\0';
            f->nparams++;
        } while (accept(T_COMMA));
        expect(T_RPAREN, "')'");
    }
    expect(T_ASSIGN, "'='");
    cur_func = nfuncs++;
    f->body = parse_expr();
    cur_func = -1;
    expect(T_SEMI, "';'");
}

/* ---------- evaluator ---------- */

static u64 ipow(u64 b, u64 e) {
    u64 r = 1;
    while (e) {
        if (e & 1) r *= b;
        b *= b;
        e >>= 1;
    }
    return r;
}

static u64 binop(int op, u64 x, u64 y, int line) {
    switch (op) {
    case T_PLUS: case T_PLUS_EQ: return x + y;
    case T_MINUS: case T_MINUS_EQ: return x - y;
    case T_STAR: case T_STAR_EQ: return x * y;
    case T_XOR: case T_XOR_EQ: return x ^ y;
    case T_SLASH:
        if (y == 0) die(line, "division by zero");
        return x / y;
    case T_PERCENT:
        if (y == 0) die(line, "modulo by zero");
        return x % y;
    case T_POW: return ipow(x, y);
    case T_AND: return x & y;
    case T_OR: return x | y;
    case T_SHL: return y >= 64 ? 0 : x << y;
    case T_SHR: return y >= 64 ? 0 : x >> y;
    case T_EQ: return x == y;
    case T_NE: return x != y;
    case T_LT: return x < y;
    case T_LE: return x <= y;
    case T_GT: return x > y;
    case T_GE: return x >= y;
    default: die(line, "bad operator"); return 0;
    }
}

static u64 eval(int ni, const u64 *frame) {
    const Node *n = &nodes[ni];
    if (++steps > STEP_LIMIT) die(0, "step limit exceeded");
    switch ((NodeKind)n->kind) {
    case N_NUM: return n->val;
    case N_VAR: return vars[n->a].value;
    case N_PARAM: return frame[n->a];
    case N_NEG: return 0 - eval(n->a, frame);
    case N_NOT: return eval(n->a, frame) == 0;
    case N_BNOT: return ~eval(n->a, frame);
    case N_BIN: {
        u64 x = eval(n->a, frame);
        u64 y = eval(n->b, frame);
        return binop(n->op, x, y, 0);
    }
    case N_ANDAND: return eval(n->a, frame) && eval(n->b, frame);
    case N_OROR: return eval(n->a, frame) || eval(n->b, frame);
    case N_COND: return eval(n->a, frame) ? eval(n->b, frame) : eval(n->c, frame);
    case N_BUILTIN: {
        u64 args[MAX_PARAMS];
        int i = 0;
        for (int a = n->b; a >= 0; a = nodes[a].next) args[i++] = eval(a, frame);
        return builtins[n->a].fn(args);
    }
    case N_CALL: {
        u64 args[MAX_PARAMS];
        int i = 0;
        for (int a = n->b; a >= 0; a = nodes[a].next) args[i++] = eval(a, frame);
        if (++call_depth > MAX_CALL_DEPTH) die(0, "call depth exceeded");
        if (call_depth > max_call_depth) max_call_depth = call_depth;
        funcs[n->a].calls++;
        u64 r = eval(funcs[n->a].body, args);
        call_depth--;
        return r;
    }
    case N_ASSIGN: {
        u64 v = eval(n->b, frame);
        Var *var = &vars[n->a];
        var->value = n->op == T_ASSIGN ? v : binop(n->op, var->value, v, 0);
        var->assigned = 1;
        return var->value;
    }
    default:
        die(0, "bad expression node");
        return 0;
    }
}

static void exec_list(int s);

static void exec(int si) {
    const Node *s = &nodes[si];
    switch ((NodeKind)s->kind) {
    case S_EXPR:
        eval(s->a, NULL);
        break;
    case S_PRINT: {
        int first = 1;
        for (int e = s->a; e >= 0; e = nodes[e].next) {
            u64 v = eval(e, NULL);
            printf(first ? "%llu" : " %llu", (unsigned long long)v);
            first = 0;
            print_hash = (print_hash ^ v) * 1099511628211ull;
            print_count++;
        }
        putchar('\n');
        break;
    }
    case S_REPEAT: {
        u64 count = eval(s->a, NULL);
        for (u64 i = 0; i < count; i++) {
            if (++steps > STEP_LIMIT) die(0, "step limit exceeded");
            exec_list(s->b);
        }
        break;
    }
    case S_WHILE:
        while (eval(s->a, NULL)) exec_list(s->b);
        break;
    case S_IF:
        if (eval(s->a, NULL)) exec_list(s->b);
        else if (s->c >= 0) exec_list(s->c);
        break;
    default:
        die(0, "bad statement node");
    }
}

static void exec_list(int s) {
    for (; s >= 0; s = nodes[s].next) exec(s);
}

int main(void) {
    size_t n = fread(src, 1, sizeof src - 1, stdin);
    if (n >= sizeof src - 1) die(0, "input too large");
    src_len = (int)n;
    lex();
    int head = -1, tail = -1, nstmts = 0;
    while (peek()->kind != T_EOF) {
        if (accept(T_KW_DEF)) {
            parse_def();
            continue;
        }
        int s = parse_statement();
        if (head < 0) head = s;
        else nodes[tail].next = s;
        tail = s;
        nstmts++;
    }
    exec_list(head);
    printf("-- %d tokens, %d nodes, %d statements, %d functions\n", ntoks, nnodes, nstmts, nfuncs);
    printf("-- steps %llu, max call depth %d, prints %llu, hash %016llx\n", (unsigned long long)steps, max_call_depth,
           (unsigned long long)print_count, (unsigned long long)print_hash);
    for (int i = 0; i < nfuncs; i++) printf("fn %s calls %llu\n", funcs[i].name, (unsigned long long)funcs[i].calls);
    u64 vh = 0;
    for (int i = 0; i < nvars; i++) {
        if (!vars[i].assigned) continue;
        vh = (vh * 31) ^ vars[i].value;
        if (i < 24) printf("%s = %llu\n", vars[i].name, (unsigned long long)vars[i].value);
    }
    printf("-- %d variables, hash %016llx\n", nvars, (unsigned long long)vh);
    return 0;
}
