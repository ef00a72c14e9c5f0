/* JSON parser (recursive descent), serializer and structural comparison. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    JsonDoc *doc;
    const char *s;
    size_t len, pos;
    int line;
    int depth;
    JsonError *err;
} Parser;

static const char *type_names[JSON_TYPE_COUNT] = {"null", "false", "true", "number", "string", "array", "object"};

const char *json_type_name(JsonType t) { return (unsigned)t < JSON_TYPE_COUNT ? type_names[t] : "?"; }

void json_doc_init(JsonDoc *doc) { memset(doc, 0, sizeof *doc); }

void json_doc_reset(JsonDoc *doc) {
    doc->nnodes = 0;
    doc->str_len = 0;
}

void json_doc_free(JsonDoc *doc) {
    free(doc->nodes);
    free(doc->strings);
    json_doc_init(doc);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) nc *= 2;
    void *q = realloc(p, nc * elem);
    if (!q) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    *cap = nc;
    return q;
}

static int new_node(Parser *p, JsonType t) {
    JsonDoc *d = p->doc;
    d->nodes = grow(d->nodes, &d->node_cap, d->nnodes + 1, sizeof(JsonNode));
    JsonNode *n = &d->nodes[d->nnodes];
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)t;
    n->first_child = n->last_child = n->next = -1;
    return (int)d->nnodes++;
}

static void put_char(JsonDoc *d, char c) {
    d->strings = grow(d->strings, &d->str_cap, d->str_len + 1, 1);
    d->strings[d->str_len++] = c;
}

static int fail(Parser *p, const char *msg) {
    if (!p->err->msg) {
        p->err->msg = msg;
        p->err->pos = p->pos;
        p->err->line = p->line;
    }
    return -1;
}

static void skip_ws(Parser *p) {
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c == '\n') p->line++;
        else if (c != ' ' && c != '\t' && c != '\r') break;
        p->pos++;
    }
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(Parser *p, unsigned *out) {
    if (p->pos + 4 > p->len) return fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p->s[p->pos + (size_t)i]);
        if (d < 0) return fail(p, "bad hex digit in \\u escape");
        v = v * 16 + (unsigned)d;
    }
    p->pos += 4;
    *out = v;
    return 0;
}

static void put_utf8(JsonDoc *d, unsigned cp) {
    if (cp < 0x80) {
        put_char(d, (char)cp);
    } else if (cp < 0x800) {
        put_char(d, (char)(0xC0 | (cp >> 6)));
        put_char(d, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put_char(d, (char)(0xE0 | (cp >> 12)));
        put_char(d, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put_char(d, (char)(0x80 | (cp & 0x3F)));
    } else {
        put_char(d, (char)(0xF0 | (cp >> 18)));
        put_char(d, (char)(0x80 | ((cp >> 12) & 0x3F)));
        put_char(d, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put_char(d, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Parses a string literal into the string pool (NUL terminated). */
static int parse_string(Parser *p, uint32_t *off, uint32_t *len) {
    JsonDoc *d = p->doc;
    size_t start = d->str_len;
    p->pos++; /* opening quote */
    for (;;) {
        if (p->pos >= p->len) return fail(p, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '"') break;
        if (c < 0x20) return fail(p, "control character in string");
        if (c != '\\') {
            put_char(d, (char)c);
            continue;
        }
        if (p->pos >= p->len) return fail(p, "unterminated escape");
        char e = p->s[p->pos++];
        unsigned cp;
        switch (e) {
        case '"': put_char(d, '"'); break;
        case '\\': put_char(d, '\\'); break;
        case '/': put_char(d, '/'); break;
        case 'b': put_char(d, '\b'); break;
        case 'f': put_char(d, '\f'); break;
        case 'n': put_char(d, '\n'); break;
        case 'r': put_char(d, '\r'); break;
        case 't': put_char(d, '\t'); break;
        case 'u':
            if (read_hex4(p, &cp) < 0) return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (p->pos + 2 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') return fail(p, "lone high surrogate");
                p->pos += 2;
                if (read_hex4(p, &lo) < 0) return -1;
                if (lo < 0xDC00 || lo > 0xDFFF) return fail(p, "bad low surrogate");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(p, "lone low surrogate");
            }
            if (cp == 0) return fail(p, "NUL in string");
            put_utf8(d, cp);
            break;
        default:
            return fail(p, "bad escape");
        }
    }
    if (d->str_len - start > 0xFFFFFFu) return fail(p, "string too long");
    put_char(d, '\0');
    *off = (uint32_t)start;
    *len = (uint32_t)(d->str_len - start - 1);
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(Parser *p, int node) {
    int neg = 0;
    uint64_t mant = 0;
    int64_t exp10 = 0;
    int digits = 0;
    if (p->s[p->pos] == '-') {
        neg = 1;
        p->pos++;
    }
    if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail(p, "bad number");
    if (p->s[p->pos] == '0' && p->pos + 1 < p->len && is_digit(p->s[p->pos + 1])) return fail(p, "leading zero");
    while (p->pos < p->len && is_digit(p->s[p->pos])) {
        if (mant < 100000000000000000ull) {
            mant = mant * 10 + (uint64_t)(p->s[p->pos] - '0');
            if (mant) digits++;
        } else {
            exp10++;
        }
        p->pos++;
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail(p, "bad fraction");
        while (p->pos < p->len && is_digit(p->s[p->pos])) {
            if (mant < 100000000000000000ull) {
                mant = mant * 10 + (uint64_t)(p->s[p->pos] - '0');
                exp10--;
            }
            p->pos++;
        }
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        int eneg = 0;
        int64_t e = 0;
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) eneg = p->s[p->pos++] == '-';
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail(p, "bad exponent");
        while (p->pos < p->len && is_digit(p->s[p->pos])) {
            if (e < 1000000) e = e * 10 + (p->s[p->pos] - '0');
            p->pos++;
        }
        exp10 += eneg ? -e : e;
    }
    (void)digits;
    if (mant == 0) exp10 = 0;
    while (mant != 0 && mant % 10 == 0) {
        mant /= 10;
        exp10++;
    }
    if (exp10 > 100000 || exp10 < -100000) return fail(p, "exponent out of range");
    JsonNode *n = &p->doc->nodes[node];
    n->mant = neg ? -(int64_t)mant : (int64_t)mant;
    n->exp10 = (int32_t)exp10;
    /* an integer if it fits in 18 digits once scaled */
    n->is_int = 0;
    if (exp10 >= 0) {
        uint64_t v = mant;
        int ok = 1;
        for (int64_t i = 0; i < exp10 && ok; i++) {
            if (v > 99999999999999999ull) ok = 0;
            else v *= 10;
        }
        if (ok) {
            n->is_int = 1;
            n->mant = neg ? -(int64_t)v : (int64_t)v;
            n->exp10 = 0;
        }
    }
    return 0;
}

static int match_word(Parser *p, const char *w) {
    size_t n = strlen(w);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, w, n) != 0) return 0;
    p->pos += n;
    return 1;
}

static void append_child(JsonDoc *d, int parent, int child) {
    JsonNode *pn = &d->nodes[parent];
    if (pn->last_child < 0) pn->first_child = child;
    else d->nodes[pn->last_child].next = child;
    pn->last_child = child;
    pn->count++;
}

static int parse_value(Parser *p);

static int parse_array(Parser *p) {
    int node = new_node(p, JSON_ARRAY);
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return node;
    }
    for (;;) {
        int child = parse_value(p);
        if (child < 0) return -1;
        append_child(p->doc, node, child);
        skip_ws(p);
        if (p->pos >= p->len) return fail(p, "unterminated array");
        char c = p->s[p->pos++];
        if (c == ']') return node;
        if (c != ',') return fail(p, "expected ',' or ']'");
    }
}

static int parse_object(Parser *p) {
    int node = new_node(p, JSON_OBJECT);
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return node;
    }
    for (;;) {
        uint32_t koff, klen;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '"') return fail(p, "expected string key");
        if (parse_string(p, &koff, &klen) < 0) return -1;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') return fail(p, "expected ':'");
        p->pos++;
        int child = parse_value(p);
        if (child < 0) return -1;
        p->doc->nodes[child].key_off = koff;
        p->doc->nodes[child].key_len = klen;
        append_child(p->doc, node, child);
        skip_ws(p);
        if (p->pos >= p->len) return fail(p, "unterminated object");
        char c = p->s[p->pos++];
        if (c == '}') return node;
        if (c != ',') return fail(p, "expected ',' or '}'");
    }
}

static int parse_value(Parser *p) {
    skip_ws(p);
    if (p->pos >= p->len) return fail(p, "unexpected end of input");
    if (++p->depth > JSON_MAX_DEPTH) return fail(p, "nesting too deep");
    int node = -1;
    char c = p->s[p->pos];
    switch (c) {
    case '{': node = parse_object(p); break;
    case '[': node = parse_array(p); break;
    case '"': {
        uint32_t off, len;
        node = new_node(p, JSON_STRING);
        if (parse_string(p, &off, &len) < 0) return -1;
        p->doc->nodes[node].str_off = off;
        p->doc->nodes[node].str_len = len;
        break;
    }
    case 't':
        if (match_word(p, "true")) node = new_node(p, JSON_TRUE);
        else return fail(p, "bad literal");
        break;
    case 'f':
        if (match_word(p, "false")) node = new_node(p, JSON_FALSE);
        else return fail(p, "bad literal");
        break;
    case 'n':
        if (match_word(p, "null")) node = new_node(p, JSON_NULL);
        else return fail(p, "bad literal");
        break;
    default:
        if (c == '-' || is_digit(c)) {
            node = new_node(p, JSON_NUMBER);
            if (parse_number(p, node) < 0) return -1;
        } else {
            return fail(p, "unexpected character");
        }
    }
    p->depth--;
    return node;
}

int json_parse(JsonDoc *doc, const char *text, size_t len, size_t *consumed, JsonError *err) {
    Parser p = {doc, text, len, 0, 1, 0, err};
    err->msg = NULL;
    int root = parse_value(&p);
    if (root < 0) return -1;
    skip_ws(&p);
    *consumed = p.pos;
    return root;
}

/* ---------- serializer ---------- */

typedef struct {
    char *buf;
    size_t cap, len;
} Out;

static void out_char(Out *o, char c) {
    if (o->len < o->cap) o->buf[o->len] = c;
    o->len++;
}

static void out_str(Out *o, const char *s) {
    while (*s) out_char(o, *s++);
}

static void out_indent(Out *o, int indent, int level) {
    if (indent < 0) return;
    out_char(o, '\n');
    for (int i = 0; i < indent * level; i++) out_char(o, ' ');
}

static void out_quoted(Out *o, const char *s, uint32_t len) {
    static const char hex[] = "0123456789abcdef";
    out_char(o, '"');
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': out_str(o, "\\\""); break;
        case '\\': out_str(o, "\\\\"); break;
        case '\n': out_str(o, "\\n"); break;
        case '\t': out_str(o, "\\t"); break;
        case '\r': out_str(o, "\\r"); break;
        case '\b': out_str(o, "\\b"); break;
        case '\f': out_str(o, "\\f"); break;
        default:
            if (c < 0x20) {
                out_str(o, "\\u00");
                out_char(o, hex[c >> 4]);
                out_char(o, hex[c & 15]);
            } else {
                out_char(o, (char)c);
            }
        }
    }
    out_char(o, '"');
}

static void ser(const JsonDoc *d, int ni, Out *o, int indent, int level) {
    const JsonNode *n = &d->nodes[ni];
    char tmp[48];
    switch ((JsonType)n->type) {
    case JSON_NULL: out_str(o, "null"); break;
    case JSON_FALSE: out_str(o, "false"); break;
    case JSON_TRUE: out_str(o, "true"); break;
    case JSON_NUMBER:
        if (n->exp10 == 0) snprintf(tmp, sizeof tmp, "%lld", (long long)n->mant);
        else snprintf(tmp, sizeof tmp, "%llde%d", (long long)n->mant, (int)n->exp10);
        out_str(o, tmp);
        break;
    case JSON_STRING: out_quoted(o, json_str(d, n), n->str_len); break;
    case JSON_ARRAY:
    case JSON_OBJECT: {
        int obj = n->type == JSON_OBJECT;
        out_char(o, obj ? '{' : '[');
        for (int c = n->first_child; c >= 0; c = d->nodes[c].next) {
            out_indent(o, indent, level + 1);
            if (obj) {
                out_quoted(o, json_key(d, &d->nodes[c]), d->nodes[c].key_len);
                out_char(o, ':');
                if (indent >= 0) out_char(o, ' ');
            }
            ser(d, c, o, indent, level + 1);
            if (d->nodes[c].next >= 0) out_char(o, ',');
        }
        if (n->count) out_indent(o, indent, level);
        out_char(o, obj ? '}' : ']');
        break;
    }
    default: break;
    }
}

size_t json_serialize(const JsonDoc *doc, int node, char *buf, size_t cap, int indent) {
    Out o = {buf, cap, 0};
    ser(doc, node, &o, indent, 0);
    if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}

int json_equal(const JsonDoc *a, int na, const JsonDoc *b, int nb) {
    const JsonNode *x = &a->nodes[na], *y = &b->nodes[nb];
    if (x->type != y->type) return 0;
    switch ((JsonType)x->type) {
    case JSON_NUMBER: return x->mant == y->mant && x->exp10 == y->exp10;
    case JSON_STRING: return x->str_len == y->str_len && memcmp(json_str(a, x), json_str(b, y), x->str_len) == 0;
    case JSON_ARRAY:
    case JSON_OBJECT: {
        if (x->count != y->count) return 0;
        int cx = x->first_child, cy = y->first_child;
        while (cx >= 0 && cy >= 0) {
            const JsonNode *kx = &a->nodes[cx], *ky = &b->nodes[cy];
            if (x->type == JSON_OBJECT &&
                (kx->key_len != ky->key_len || memcmp(json_key(a, kx), json_key(b, ky), kx->key_len) != 0))
                return 0;
            if (!json_equal(a, cx, b, cy)) return 0;
            cx = kx->next;
            cy = ky->next;
        }
        return cx < 0 && cy < 0;
    }
    default: return 1;
    }
}
