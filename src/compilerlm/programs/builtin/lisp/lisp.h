/* A tiny Lisp: shared declarations for the reader, evaluator and driver. */
#ifndef LISP_LISP_H
#define LISP_LISP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_CELLS (1u << 21)
#define MAX_SYMBOLS 4096
#define MAX_SYMBOL_LEN 48
#define STRING_POOL (1u << 18)
#define MAX_EVAL_DEPTH 1500
#define EVAL_STEP_LIMIT 200000000ull
#define SMALL_INT_MIN (-64)
#define SMALL_INT_MAX 1023

typedef enum { T_NIL, T_NUM, T_SYM, T_STR, T_CONS, T_PRIM, T_LAMBDA, T_MOVED } Tag;

typedef struct Obj Obj;

typedef Obj *(*PrimFn)(Obj *args);

struct Obj {
    uint8_t tag;
    uint8_t permanent; /* statically allocated: never moved by the collector */
    union {
        int64_t num;
        uint32_t sym;      /* index into the symbol table */
        uint32_t str;      /* offset into the string pool */
        struct {
            Obj *car, *cdr;
        } cons;
        int prim;          /* index into the primitive table */
        struct {
            Obj *params, *body, *env;
        } fn;
        Obj *forward;      /* set while copying */
    } u;
};

typedef struct {
    char name[MAX_SYMBOL_LEN];
    Obj *value; /* global binding or NULL */
} Symbol;

typedef struct {
    uint64_t evals, allocs, gcs, copied, max_depth, prim_calls, lambda_calls;
} LispStats;

extern Obj *nil_obj;
extern Obj *true_obj;
extern Symbol symbols[MAX_SYMBOLS];
extern uint32_t nsymbols;
extern char string_pool[STRING_POOL];
extern LispStats stats;

/* heap (eval.c) */
Obj *alloc_obj(Tag tag);
Obj *make_num(int64_t n);
Obj *make_cons(Obj *car, Obj *cdr);
Obj *make_sym(uint32_t sym);
void collect_garbage(void);
size_t heap_used(void);
_Noreturn void lisp_error(const char *fmt, ...);

/* symbols and reader (reader.c) */
uint32_t intern(const char *name, size_t len);
Obj *make_str(const char *s, size_t len);
typedef struct {
    const char *src;
    size_t len, pos;
    int line;
} Reader;
void reader_init(Reader *r, const char *src, size_t len);
/* Returns 1 and stores the datum when one was read, 0 at end of input. */
int read_datum(Reader *r, Obj **out);

/* evaluator (eval.c) */
void init_builtins(void);
Obj *eval_toplevel(Obj *form);
void print_obj(Obj *o, char *buf, size_t cap, size_t *len);
void display(Obj *o);

#define CAR(o) ((o)->u.cons.car)
#define CDR(o) ((o)->u.cons.cdr)
#define IS(o, t) ((o)->tag == (t))

#endif
