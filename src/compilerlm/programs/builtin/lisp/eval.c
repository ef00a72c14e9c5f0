/* Heap with a Cheney copying collector (run between top-level forms), the evaluator with proper
 * tail calls, and the primitive table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lisp.h"

static Obj space_a[HEAP_CELLS], space_b[HEAP_CELLS];
static Obj *from_space = space_a, *to_space = space_b;
static size_t heap_top;
static Obj nil_storage = {T_NIL, 1, {0}};
static Obj true_storage = {T_SYM, 1, {0}};
static Obj small_ints[SMALL_INT_MAX - SMALL_INT_MIN + 1];
Obj *nil_obj = &nil_storage;
Obj *true_obj = &true_storage;
LispStats stats;

static uint32_t s_quote, s_if, s_define, s_lambda, s_let, s_letstar, s_begin, s_set, s_cond, s_and, s_or, s_while, s_else;
static int eval_depth;

_Noreturn void lisp_error(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "lisp error: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* ---------- heap ---------- */

Obj *alloc_obj(Tag tag) {
    if (heap_top >= HEAP_CELLS) lisp_error("heap exhausted");
    Obj *o = &from_space[heap_top++];
    memset(o, 0, sizeof *o);
    o->tag = (uint8_t)tag;
    stats.allocs++;
    return o;
}

Obj *make_num(int64_t n) {
    if (n >= SMALL_INT_MIN && n <= SMALL_INT_MAX) return &small_ints[n - SMALL_INT_MIN];
    Obj *o = alloc_obj(T_NUM);
    o->u.num = n;
    return o;
}

Obj *make_cons(Obj *car, Obj *cdr) {
    Obj *o = alloc_obj(T_CONS);
    CAR(o) = car;
    CDR(o) = cdr;
    return o;
}

Obj *make_sym(uint32_t sym) {
    if (sym == true_obj->u.sym) return true_obj;
    Obj *o = alloc_obj(T_SYM);
    o->u.sym = sym;
    return o;
}

size_t heap_used(void) { return heap_top; }

static size_t to_top;

static Obj *forward(Obj *o) {
    if (o == NULL || o->permanent) return o;
    if (o->tag == T_MOVED) return o->u.forward;
    Obj *n = &to_space[to_top++];
    *n = *o;
    o->tag = T_MOVED;
    o->u.forward = n;
    return n;
}

void collect_garbage(void) {
    to_top = 0;
    for (uint32_t i = 0; i < nsymbols; i++) symbols[i].value = forward(symbols[i].value);
    for (size_t scan = 0; scan < to_top; scan++) {
        Obj *o = &to_space[scan];
        switch ((Tag)o->tag) {
        case T_CONS:
            CAR(o) = forward(CAR(o));
            CDR(o) = forward(CDR(o));
            break;
        case T_LAMBDA:
            o->u.fn.params = forward(o->u.fn.params);
            o->u.fn.body = forward(o->u.fn.body);
            o->u.fn.env = forward(o->u.fn.env);
            break;
        default:
            break;
        }
    }
    Obj *t = from_space;
    from_space = to_space;
    to_space = t;
    heap_top = to_top;
    stats.gcs++;
    stats.copied += to_top;
}

/* ---------- helpers ---------- */

static int64_t num_arg(Obj *o, const char *who) {
    if (!IS(o, T_NUM)) lisp_error("%s: expected number", who);
    return o->u.num;
}

static Obj *bool_obj(int b) { return b ? true_obj : nil_obj; }

static int list_length(Obj *l) {
    int n = 0;
    while (IS(l, T_CONS)) {
        n++;
        l = CDR(l);
    }
    return n;
}

static Obj *arg_n(Obj *args, int n) {
    while (n-- > 0) args = CDR(args);
    return CAR(args);
}

/* ---------- primitives ---------- */

static Obj *fold_arith(Obj *args, int op, const char *who) {
    if (!IS(args, T_CONS)) return make_num(op == '*' ? 1 : 0);
    uint64_t acc = (uint64_t)num_arg(CAR(args), who);
    if (!IS(CDR(args), T_CONS) && op == '-') return make_num((int64_t)(0 - acc));
    for (Obj *a = CDR(args); IS(a, T_CONS); a = CDR(a)) {
        uint64_t v = (uint64_t)num_arg(CAR(a), who);
        switch (op) {
        case '+': acc += v; break;
        case '-': acc -= v; break;
        default: acc *= v; break;
        }
    }
    return make_num((int64_t)acc);
}

static Obj *p_add(Obj *a) { return fold_arith(a, '+', "+"); }
static Obj *p_sub(Obj *a) { return fold_arith(a, '-', "-"); }
static Obj *p_mul(Obj *a) { return fold_arith(a, '*', "*"); }

static Obj *p_div(Obj *a) {
    int64_t x = num_arg(CAR(a), "/"), y = num_arg(arg_n(a, 1), "/");
    if (y == 0) lisp_error("/: division by zero");
    if (y == -1) return make_num((int64_t)(0 - (uint64_t)x));
    return make_num(x / y);
}

static Obj *p_mod(Obj *a) {
    int64_t x = num_arg(CAR(a), "mod"), y = num_arg(arg_n(a, 1), "mod");
    if (y == 0) lisp_error("mod: division by zero");
    if (y == -1) return make_num(0);
    return make_num(x % y);
}

static Obj *compare_chain(Obj *a, int op) {
    for (; IS(CDR(a), T_CONS); a = CDR(a)) {
        int64_t x = num_arg(CAR(a), "compare"), y = num_arg(CAR(CDR(a)), "compare");
        int ok;
        switch (op) {
        case '<': ok = x < y; break;
        case '>': ok = x > y; break;
        case '=': ok = x == y; break;
        case 'l': ok = x <= y; break;
        default: ok = x >= y; break;
        }
        if (!ok) return nil_obj;
    }
    return true_obj;
}

static Obj *p_lt(Obj *a) { return compare_chain(a, '<'); }
static Obj *p_gt(Obj *a) { return compare_chain(a, '>'); }
static Obj *p_numeq(Obj *a) { return compare_chain(a, '='); }
static Obj *p_le(Obj *a) { return compare_chain(a, 'l'); }
static Obj *p_ge(Obj *a) { return compare_chain(a, 'g'); }
static Obj *p_cons(Obj *a) { return make_cons(CAR(a), arg_n(a, 1)); }

static Obj *p_car(Obj *a) {
    if (!IS(CAR(a), T_CONS)) lisp_error("car: not a pair");
    return CAR(CAR(a));
}

static Obj *p_cdr(Obj *a) {
    if (!IS(CAR(a), T_CONS)) lisp_error("cdr: not a pair");
    return CDR(CAR(a));
}

static Obj *p_list(Obj *a) { return a; }
static Obj *p_nullp(Obj *a) { return bool_obj(CAR(a) == nil_obj); }
static Obj *p_pairp(Obj *a) { return bool_obj(IS(CAR(a), T_CONS)); }
static Obj *p_numberp(Obj *a) { return bool_obj(IS(CAR(a), T_NUM)); }
static Obj *p_not(Obj *a) { return bool_obj(CAR(a) == nil_obj); }
static Obj *p_length(Obj *a) { return make_num(list_length(CAR(a))); }

static Obj *p_eq(Obj *a) {
    Obj *x = CAR(a), *y = arg_n(a, 1);
    if (x->tag != y->tag) return nil_obj;
    switch ((Tag)x->tag) {
    case T_NUM: return bool_obj(x->u.num == y->u.num);
    case T_SYM: return bool_obj(x->u.sym == y->u.sym);
    case T_STR: return bool_obj(strcmp(string_pool + x->u.str, string_pool + y->u.str) == 0);
    default: return bool_obj(x == y);
    }
}

static Obj *p_reverse(Obj *a) {
    Obj *r = nil_obj;
    for (Obj *l = CAR(a); IS(l, T_CONS); l = CDR(l)) r = make_cons(CAR(l), r);
    return r;
}

static Obj *p_append(Obj *a) {
    Obj *head = nil_obj, *tail = NULL;
    for (; IS(a, T_CONS); a = CDR(a)) {
        if (!IS(CDR(a), T_CONS)) {
            if (tail) CDR(tail) = CAR(a);
            else head = CAR(a);
            break;
        }
        for (Obj *l = CAR(a); IS(l, T_CONS); l = CDR(l)) {
            Obj *c = make_cons(CAR(l), nil_obj);
            if (tail) CDR(tail) = c;
            else head = c;
            tail = c;
        }
    }
    return head;
}

static Obj *p_display(Obj *a) {
    display(CAR(a));
    return nil_obj;
}

static Obj *p_newline(Obj *a) {
    (void)a;
    putchar('\n');
    return nil_obj;
}

static Obj *p_abs(Obj *a) {
    int64_t x = num_arg(CAR(a), "abs");
    return make_num(x < 0 ? (int64_t)(0 - (uint64_t)x) : x);
}

static Obj *p_min(Obj *a) {
    int64_t m = num_arg(CAR(a), "min");
    for (a = CDR(a); IS(a, T_CONS); a = CDR(a)) {
        int64_t v = num_arg(CAR(a), "min");
        if (v < m) m = v;
    }
    return make_num(m);
}

static Obj *p_max(Obj *a) {
    int64_t m = num_arg(CAR(a), "max");
    for (a = CDR(a); IS(a, T_CONS); a = CDR(a)) {
        int64_t v = num_arg(CAR(a), "max");
        if (v > m) m = v;
    }
    return make_num(m);
}

static Obj *p_bitxor(Obj *a) { return make_num(num_arg(CAR(a), "bitxor") ^ num_arg(arg_n(a, 1), "bitxor")); }
static Obj *p_bitand(Obj *a) { return make_num(num_arg(CAR(a), "bitand") & num_arg(arg_n(a, 1), "bitand")); }

typedef struct {
    const char *name;
    PrimFn fn;
    int min_args, max_args; /* max -1: variadic */
} PrimDef;

static const PrimDef prims[] = {
    {"+", p_add, 0, -1},       {"-", p_sub, 1, -1},         {"*", p_mul, 0, -1},       {"/", p_div, 2, 2},
    {"mod", p_mod, 2, 2},      {"<", p_lt, 1, -1},          {">", p_gt, 1, -1},        {"=", p_numeq, 1, -1},
    {"<=", p_le, 1, -1},       {">=", p_ge, 1, -1},         {"cons", p_cons, 2, 2},    {"car", p_car, 1, 1},
    {"cdr", p_cdr, 1, 1},      {"list", p_list, 0, -1},     {"null?", p_nullp, 1, 1},  {"pair?", p_pairp, 1, 1},
    {"number?", p_numberp, 1, 1}, {"not", p_not, 1, 1},     {"length", p_length, 1, 1}, {"eq?", p_eq, 2, 2},
    {"reverse", p_reverse, 1, 1}, {"append", p_append, 0, -1}, {"display", p_display, 1, 1}, {"newline", p_newline, 0, 0},
    {"abs", p_abs, 1, 1},      {"min", p_min, 1, -1},       {"max", p_max, 1, -1},     {"bitxor", p_bitxor, 2, 2},
    {"bitand", p_bitand, 2, 2},
};
#define NPRIMS ((int)(sizeof prims / sizeof prims[0]))

void init_builtins(void) {
    for (int i = SMALL_INT_MIN; i <= SMALL_INT_MAX; i++) {
        Obj *o = &small_ints[i - SMALL_INT_MIN];
        o->tag = T_NUM;
        o->permanent = 1;
        o->u.num = i;
    }
    true_obj->u.sym = intern("t", 1);
    symbols[true_obj->u.sym].value = true_obj;
    uint32_t nil_sym = intern("nil", 3);
    symbols[nil_sym].value = nil_obj;
    for (int i = 0; i < NPRIMS; i++) {
        Obj *p = alloc_obj(T_PRIM);
        p->u.prim = i;
        symbols[intern(prims[i].name, strlen(prims[i].name))].value = p;
    }
    s_quote = intern("quote", 5);
    s_if = intern("if", 2);
    s_define = intern("define", 6);
    s_lambda = intern("lambda", 6);
    s_let = intern("let", 3);
    s_letstar = intern("let*", 4);
    s_begin = intern("begin", 5);
    s_set = intern("set!", 4);
    s_cond = intern("cond", 4);
    s_and = intern("and", 3);
    s_or = intern("or", 2);
    s_while = intern("while", 5);
    s_else = intern("else", 4);
}

/* ---------- printing ---------- */

static void put(char *buf, size_t cap, size_t *len, const char *s) {
    while (*s) {
        if (*len + 1 < cap) buf[*len] = *s;
        (*len)++;
        s++;
    }
}

static void print_rec(Obj *o, char *buf, size_t cap, size_t *len, int depth) {
    char tmp[32];
    if (depth > 100) {
        put(buf, cap, len, "...");
        return;
    }
    switch ((Tag)o->tag) {
    case T_NIL: put(buf, cap, len, "()"); break;
    case T_NUM:
        snprintf(tmp, sizeof tmp, "%lld", (long long)o->u.num);
        put(buf, cap, len, tmp);
        break;
    case T_SYM: put(buf, cap, len, symbols[o->u.sym].name); break;
    case T_STR: put(buf, cap, len, string_pool + o->u.str); break;
    case T_PRIM:
        put(buf, cap, len, "#<prim ");
        put(buf, cap, len, prims[o->u.prim].name);
        put(buf, cap, len, ">");
        break;
    case T_LAMBDA: put(buf, cap, len, "#<lambda>"); break;
    case T_CONS: {
        put(buf, cap, len, "(");
        int first = 1;
        while (IS(o, T_CONS)) {
            if (!first) put(buf, cap, len, " ");
            print_rec(CAR(o), buf, cap, len, depth + 1);
            first = 0;
            o = CDR(o);
            if (*len > cap) break;
        }
        if (o != nil_obj) {
            put(buf, cap, len, " . ");
            print_rec(o, buf, cap, len, depth + 1);
        }
        put(buf, cap, len, ")");
        break;
    }
    default: put(buf, cap, len, "#<?>"); break;
    }
}

void print_obj(Obj *o, char *buf, size_t cap, size_t *len) {
    *len = 0;
    print_rec(o, buf, cap, len, 0);
    buf[*len < cap ? *len : cap - 1] = '\0';
}

void display(Obj *o) {
    static char buf[4096];
    size_t n;
    print_obj(o, buf, sizeof buf, &n);
    fputs(buf, stdout);
    if (n >= sizeof buf) fputs("...", stdout);
}

/* ---------- evaluator ---------- */

static Obj *lookup(Obj *sym, Obj *env) {
    uint32_t s = sym->u.sym;
    for (Obj *e = env; IS(e, T_CONS); e = CDR(e)) {
        if (CAR(CAR(e))->u.sym == s) return CAR(e);
    }
    return NULL;
}

static Obj *eval(Obj *x, Obj *env);

static Obj *eval_args(Obj *args, Obj *env) {
    Obj *head = nil_obj, *tail = NULL;
    for (; IS(args, T_CONS); args = CDR(args)) {
        Obj *c = make_cons(eval(CAR(args), env), nil_obj);
        if (tail) CDR(tail) = c;
        else head = c;
        tail = c;
    }
    if (args != nil_obj) lisp_error("improper argument list");
    return head;
}

static Obj *bind_params(Obj *params, Obj *args, Obj *env) {
    while (IS(params, T_CONS)) {
        if (!IS(args, T_CONS)) lisp_error("too few arguments");
        env = make_cons(make_cons(CAR(params), CAR(args)), env);
        params = CDR(params);
        args = CDR(args);
    }
    if (IS(params, T_SYM)) return make_cons(make_cons(params, args), env); /* rest parameter */
    if (args != nil_obj) lisp_error("too many arguments");
    return env;
}

static void check_params(Obj *params) {
    while (IS(params, T_CONS)) {
        if (!IS(CAR(params), T_SYM) || CAR(params) == true_obj) lisp_error("lambda: bad parameter");
        params = CDR(params);
    }
    if (params != nil_obj && (!IS(params, T_SYM) || params == true_obj)) lisp_error("lambda: bad parameter list");
}

static Obj *need_list(Obj *x, int n, const char *form) {
    if (list_length(x) < n) lisp_error("%s: malformed", form);
    return x;
}

static Obj *eval(Obj *x, Obj *env) {
    Obj *result;
    if (++eval_depth > MAX_EVAL_DEPTH) lisp_error("recursion too deep");
    if ((uint64_t)eval_depth > stats.max_depth) stats.max_depth = (uint64_t)eval_depth;
tail:
    if (++stats.evals > EVAL_STEP_LIMIT) lisp_error("evaluation step limit exceeded");
    switch ((Tag)x->tag) {
    case T_NUM:
    case T_STR:
    case T_NIL:
    case T_PRIM:
    case T_LAMBDA:
        result = x;
        goto done;
    case T_SYM: {
        if (x == true_obj) {
            result = x;
            goto done;
        }
        Obj *b = lookup(x, env);
        if (b) {
            result = CDR(b);
            goto done;
        }
        result = symbols[x->u.sym].value;
        if (!result) lisp_error("unbound symbol %s", symbols[x->u.sym].name);
        goto done;
    }
    case T_CONS:
        break;
    default:
        lisp_error("cannot evaluate object");
    }

    Obj *op = CAR(x);
    if (IS(op, T_SYM) && !lookup(op, env)) {
        uint32_t s = op->u.sym;
        Obj *rest = CDR(x);
        if (s == s_quote) {
            need_list(rest, 1, "quote");
            result = CAR(rest);
            goto done;
        }
        if (s == s_if) {
            need_list(rest, 2, "if");
            Obj *c = eval(CAR(rest), env);
            if (c != nil_obj) x = CAR(CDR(rest));
            else if (IS(CDR(CDR(rest)), T_CONS)) x = CAR(CDR(CDR(rest)));
            else {
                result = nil_obj;
                goto done;
            }
            goto tail;
        }
        if (s == s_define) {
            need_list(rest, 2, "define");
            Obj *target = CAR(rest);
            Obj *value;
            if (IS(target, T_CONS)) { /* (define (f args) body...) */
                if (!IS(CAR(target), T_SYM)) lisp_error("define: bad name");
                check_params(CDR(target));
                value = alloc_obj(T_LAMBDA);
                value->u.fn.params = CDR(target);
                value->u.fn.body = CDR(rest);
                value->u.fn.env = env;
                target = CAR(target);
            } else {
                if (!IS(target, T_SYM) || target == true_obj) lisp_error("define: bad name");
                value = eval(CAR(CDR(rest)), env);
            }
            symbols[target->u.sym].value = value;
            result = target;
            goto done;
        }
        if (s == s_lambda) {
            need_list(rest, 2, "lambda");
            check_params(CAR(rest));
            result = alloc_obj(T_LAMBDA);
            result->u.fn.params = CAR(rest);
            result->u.fn.body = CDR(rest);
            result->u.fn.env = env;
            goto done;
        }
        if (s == s_let || s == s_letstar) {
            need_list(rest, 2, "let");
            Obj *newenv = env;
            for (Obj *b = CAR(rest); IS(b, T_CONS); b = CDR(b)) {
                Obj *bind = CAR(b);
                if (list_length(bind) != 2 || !IS(CAR(bind), T_SYM) || CAR(bind) == true_obj) lisp_error("let: bad binding");
                Obj *v = eval(CAR(CDR(bind)), s == s_let ? env : newenv);
                newenv = make_cons(make_cons(CAR(bind), v), newenv);
            }
            env = newenv;
            Obj *body = CDR(rest);
            for (; IS(CDR(body), T_CONS); body = CDR(body)) eval(CAR(body), env);
            x = CAR(body);
            goto tail;
        }
        if (s == s_begin) {
            if (!IS(rest, T_CONS)) {
                result = nil_obj;
                goto done;
            }
            for (; IS(CDR(rest), T_CONS); rest = CDR(rest)) eval(CAR(rest), env);
            x = CAR(rest);
            goto tail;
        }
        if (s == s_set) {
            need_list(rest, 2, "set!");
            if (!IS(CAR(rest), T_SYM)) lisp_error("set!: not a symbol");
            Obj *v = eval(CAR(CDR(rest)), env);
            Obj *b = lookup(CAR(rest), env);
            if (b) CDR(b) = v;
            else if (symbols[CAR(rest)->u.sym].value) symbols[CAR(rest)->u.sym].value = v;
            else lisp_error("set!: unbound symbol %s", symbols[CAR(rest)->u.sym].name);
            result = v;
            goto done;
        }
        if (s == s_cond) {
            for (Obj *c = rest; IS(c, T_CONS); c = CDR(c)) {
                Obj *clause = CAR(c);
                if (!IS(clause, T_CONS) || !IS(CDR(clause), T_CONS)) lisp_error("cond: bad clause");
                Obj *test = CAR(clause);
                if ((IS(test, T_SYM) && test->u.sym == s_else) || eval(test, env) != nil_obj) {
                    Obj *body = CDR(clause);
                    for (; IS(CDR(body), T_CONS); body = CDR(body)) eval(CAR(body), env);
                    x = CAR(body);
                    goto tail;
                }
            }
            result = nil_obj;
            goto done;
        }
        if (s == s_and || s == s_or) {
            result = s == s_and ? true_obj : nil_obj;
            for (; IS(rest, T_CONS); rest = CDR(rest)) {
                result = eval(CAR(rest), env);
                if ((s == s_and) == (result == nil_obj)) break;
            }
            goto done;
        }
        if (s == s_while) {
            need_list(rest, 1, "while");
            while (eval(CAR(rest), env) != nil_obj) {
                for (Obj *b = CDR(rest); IS(b, T_CONS); b = CDR(b)) eval(CAR(b), env);
            }
            result = nil_obj;
            goto done;
        }
    }

    Obj *fn = eval(op, env);
    Obj *args = eval_args(CDR(x), env);
    if (IS(fn, T_PRIM)) {
        const PrimDef *p = &prims[fn->u.prim];
        int n = list_length(args);
        if (n < p->min_args || (p->max_args >= 0 && n > p->max_args)) lisp_error("%s: wrong number of arguments", p->name);
        stats.prim_calls++;
        result = p->fn(args);
        goto done;
    }
    if (!IS(fn, T_LAMBDA)) lisp_error("not a function");
    stats.lambda_calls++;
    env = bind_params(fn->u.fn.params, args, fn->u.fn.env);
    Obj *body = fn->u.fn.body;
    for (; IS(CDR(body), T_CONS); body = CDR(body)) eval(CAR(body), env);
    x = CAR(body);
    goto tail;

done:
    eval_depth--;
    return result;
}

Obj *eval_toplevel(Obj *form) {
    eval_depth = 0;
    return eval(form, nil_obj);
}
