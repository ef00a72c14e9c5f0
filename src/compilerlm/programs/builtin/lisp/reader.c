/* Symbol interning, string pool and the S-expression reader. */
#include <stdio.h>
#include <string.h>

#include "lisp.h"

Symbol symbols[MAX_SYMBOLS];
uint32_t nsymbols;
char string_pool[STRING_POOL];
static size_t string_pool_len;

#define READ_DEPTH_LIMIT 200

uint32_t intern(const char *name, size_t len) {
    if (len >= MAX_SYMBOL_LEN) lisp_error("symbol too long");
    for (uint32_t i = 0; i < nsymbols; i++) {
        if (strlen(symbols[i].name) == len && memcmp(symbols[i].name, name, len) == 0) return i;
    }
    if (nsymbols >= MAX_SYMBOLS) lisp_error("too many symbols");
    memcpy(symbols[nsymbols].name, name, len);
    symbols[nsymbols].name[len] = '\0';
    symbols[nsymbols].value = NULL;
    return nsymbols++;
}

Obj *make_str(const char *s, size_t len) {
    if (string_pool_len + len + 1 > STRING_POOL) lisp_error("string pool exhausted");
    Obj *o = alloc_obj(T_STR);
    o->u.str = (uint32_t)string_pool_len;
    memcpy(string_pool + string_pool_len, s, len);
    string_pool[string_pool_len + len] = '\0';
    string_pool_len += len + 1;
    return o;
}

void reader_init(Reader *r, const char *src, size_t len) {
    r->src = src;
    r->len = len;
    r->pos = 0;
    r->line = 1;
}

static void skip_space(Reader *r) {
    while (r->pos < r->len) {
        char c = r->src[r->pos];
        if (c == ';') {
            while (r->pos < r->len && r->src[r->pos] != '\n') r->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (c == '\n') r->line++;
            r->pos++;
        } else {
            break;
        }
    }
}

static int is_delim(char c) { return c == '(' || c == ')' || c == '\'' || c == ';' || c == '"' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static Obj *read_atom(Reader *r) {
    size_t start = r->pos;
    while (r->pos < r->len && !is_delim(r->src[r->pos])) {
        unsigned char c = (unsigned char)r->src[r->pos];
        if (c < 0x21 || c > 0x7e) lisp_error("line %d: bad character in atom", r->line);
        r->pos++;
    }
    const char *s = r->src + start;
    size_t n = r->pos - start;
    size_t i = (n > 1 && s[0] == '-') ? 1 : 0;
    int numeric = i < n;
    for (size_t k = i; k < n; k++) {
        if (s[k] < '0' || s[k] > '9') numeric = 0;
    }
    if (numeric) {
        uint64_t v = 0;
        for (size_t k = i; k < n; k++) {
            if (v > 922337203685477580ull) lisp_error("line %d: number too large", r->line);
            v = v * 10 + (uint64_t)(s[k] - '0');
        }
        if (v > (uint64_t)INT64_MAX) lisp_error("line %d: number too large", r->line);
        return make_num(i ? -(int64_t)v : (int64_t)v);
    }
    return make_sym(intern(s, n));
}

static Obj *read_form(Reader *r, int depth);

static Obj *read_list(Reader *r, int depth) {
    Obj *head = nil_obj, *tail = NULL;
    for (;;) {
        skip_space(r);
        if (r->pos >= r->len) lisp_error("line %d: unterminated list", r->line);
        char c = r->src[r->pos];
        if (c == ')') {
            r->pos++;
            return head;
        }
        if (c == '.' && r->pos + 1 < r->len && is_delim(r->src[r->pos + 1])) {
            if (!tail) lisp_error("line %d: dot at list start", r->line);
            r->pos++;
            CDR(tail) = read_form(r, depth + 1);
            skip_space(r);
            if (r->pos >= r->len || r->src[r->pos] != ')') lisp_error("line %d: expected ')' after dotted tail", r->line);
            r->pos++;
            return head;
        }
        Obj *item = read_form(r, depth + 1);
        Obj *cell = make_cons(item, nil_obj);
        if (tail) CDR(tail) = cell;
        else head = cell;
        tail = cell;
    }
}

static Obj *read_form(Reader *r, int depth) {
    if (depth > READ_DEPTH_LIMIT) lisp_error("line %d: nesting too deep", r->line);
    skip_space(r);
    if (r->pos >= r->len) lisp_error("line %d: unexpected end of input", r->line);
    char c = r->src[r->pos];
    switch (c) {
    case '(':
        r->pos++;
        return read_list(r, depth);
    case ')':
        lisp_error("line %d: unexpected ')'", r->line);
    case '\'': {
        r->pos++;
        Obj *q = read_form(r, depth + 1);
        return make_cons(make_sym(intern("quote", 5)), make_cons(q, nil_obj));
    }
    case '"': {
        char buf[256];
        size_t n = 0;
        r->pos++;
        for (;;) {
            if (r->pos >= r->len) lisp_error("line %d: unterminated string", r->line);
            char ch = r->src[r->pos++];
            if (ch == '"') break;
            if (ch == '\\') {
                if (r->pos >= r->len) lisp_error("line %d: unterminated string", r->line);
                ch = r->src[r->pos++];
                if (ch == 'n') ch = '\n';
                else if (ch != '\\' && ch != '"') lisp_error("line %d: bad string escape", r->line);
            }
            if (ch == '\0') lisp_error("line %d: NUL in string", r->line);
            if (n + 1 >= sizeof buf) lisp_error("line %d: string too long", r->line);
            buf[n++] = ch;
        }
        return make_str(buf, n);
    }
    default:
        return read_atom(r);
    }
}

int read_datum(Reader *r, Obj **out) {
    skip_space(r);
    if (r->pos >= r->len) return 0;
    *out = read_form(r, 0);
    return 1;
}
