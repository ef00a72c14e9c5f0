/* Thompson-NFA regular expression engine: a recursive-descent regex parser builds an AST, the AST
 * is compiled to NFA states, and a Pike-style simulation finds leftmost-longest matches.
 *
 * Input: pattern lines, a line "%%", then the text to search.
 * Syntax: literals, ., [...] / [^...] classes with ranges, \d \w \s \D \W \S escapes, ( ), |,
 *         * + ? {m} {m,} {m,n}, ^ and $ anchors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define MAX_PATTERNS 64
#define MAX_AST 2048
#define MAX_STATES 4096
#define MAX_CLASSES 256
#define MAX_REPEAT 64
#define MAX_DEPTH 100
#define MAX_COMPILE_CALLS 200000
#define STEP_LIMIT 150000000ull

typedef enum { A_CHAR, A_ANY, A_CLASS, A_CAT, A_ALT, A_STAR, A_PLUS, A_QUEST, A_REPEAT, A_BOL, A_EOL, A_EMPTY } AstKind;

typedef struct {
    AstKind kind;
    int left, right; /* children */
    int c;           /* character or class index */
    int min, max;    /* for A_REPEAT; max < 0 means unbounded */
} Ast;

typedef enum { S_CHAR, S_ANY, S_CLASS, S_SPLIT, S_MATCH, S_BOL, S_EOL, S_JUMP } StateKind;

typedef struct {
    uint8_t kind;
    uint8_t c;
    uint16_t cls;
    int out, out1;
} State;

typedef struct {
    uint32_t bits[8];
} CharClass;

typedef struct {
    char text[256];
    State states[MAX_STATES];
    int nstates, start;
    uint64_t lines_matched, matches, match_chars, hash;
} Pattern;

typedef struct {
    int state;
    int start;
} Thread;

/* parser state */
static const char *rx;
static int rx_pos, rx_depth;
static Ast ast[MAX_AST];
static int nast;
static CharClass classes[MAX_CLASSES];
static int nclasses;
static char err_msg[128];

static Pattern patterns[MAX_PATTERNS];
static int npatterns;
static char input[MAX_INPUT + 1];

/* simulation state */
static Thread clist[MAX_STATES], nlist[MAX_STATES];
static uint32_t mark[MAX_STATES];
static uint32_t generation;

#define CLASS_SET(cc, ch) ((cc)->bits[(ch) >> 5] |= 1u << ((ch)&31))
#define CLASS_HAS(cc, ch) (((cc)->bits[(ch) >> 5] >> ((ch)&31)) & 1u)

static int error(const char *msg) {
    if (!err_msg[0]) snprintf(err_msg, sizeof err_msg, "%s at offset %d", msg, rx_pos);
    return -1;
}

static int new_ast(AstKind k, int l, int r, int c) {
    if (nast >= MAX_AST) return error("pattern too complex");
    ast[nast].kind = k;
    ast[nast].left = l;
    ast[nast].right = r;
    ast[nast].c = c;
    ast[nast].min = ast[nast].max = 0;
    return nast++;
}

static int new_class(void) {
    if (nclasses >= MAX_CLASSES) return error("too many classes");
    memset(&classes[nclasses], 0, sizeof classes[0]);
    return nclasses++;
}

static void class_escape(CharClass *cc, char e) {
    for (int ch = 0; ch < 256; ch++) {
        int in;
        switch (e) {
        case 'd': case 'D': in = ch >= '0' && ch <= '9'; break;
        case 'w': case 'W':
            in = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
            break;
        default: in = ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v'; break;
        }
        if (e >= 'A' && e <= 'Z') in = !in;
        if (in) CLASS_SET(cc, ch);
    }
}

static int is_class_escape(char e) { return e && strchr("dwsDWS", e) != NULL; }

static int literal_escape(char e) {
    switch (e) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return -1;
    default: return (unsigned char)e;
    }
}

static int parse_class(void) {
    int ci = new_class();
    if (ci < 0) return -1;
    CharClass *cc = &classes[ci];
    int negate = 0;
    rx_pos++; /* '[' */
    if (rx[rx_pos] == '^') {
        negate = 1;
        rx_pos++;
    }
    int first = 1;
    while (rx[rx_pos] != ']' || first) {
        first = 0;
        if (!rx[rx_pos]) return error("unterminated class");
        int lo = (unsigned char)rx[rx_pos++];
        if (lo == '\\') {
            char e = rx[rx_pos++];
            if (!e) return error("trailing backslash");
            if (is_class_escape(e)) {
                class_escape(cc, e);
                continue;
            }
            lo = literal_escape(e);
            if (lo < 0) return error("bad escape");
        }
        int hi = lo;
        if (rx[rx_pos] == '-' && rx[rx_pos + 1] && rx[rx_pos + 1] != ']') {
            rx_pos++;
            hi = (unsigned char)rx[rx_pos++];
            if (hi == '\\') {
                char e = rx[rx_pos++];
                if (!e || is_class_escape(e)) return error("bad range end");
                hi = literal_escape(e);
                if (hi < 0) return error("bad escape");
            }
            if (hi < lo) return error("reversed range");
        }
        for (int ch = lo; ch <= hi; ch++) CLASS_SET(cc, ch);
    }
    rx_pos++; /* ']' */
    if (negate) {
        for (int i = 0; i < 8; i++) cc->bits[i] = ~cc->bits[i];
    }
    return new_ast(A_CLASS, -1, -1, ci);
}

static int parse_alt(void);

static int parse_atom(void) {
    char c = rx[rx_pos];
    switch (c) {
    case '(': {
        rx_pos++;
        if (++rx_depth > MAX_DEPTH) return error("nesting too deep");
        int inner = rx[rx_pos] == ')' ? new_ast(A_EMPTY, -1, -1, 0) : parse_alt();
        rx_depth--;
        if (inner < 0) return -1;
        if (rx[rx_pos] != ')') return error("missing ')'");
        rx_pos++;
        return inner;
    }
    case '[': return parse_class();
    case '.': rx_pos++; return new_ast(A_ANY, -1, -1, 0);
    case '^': rx_pos++; return new_ast(A_BOL, -1, -1, 0);
    case '$': rx_pos++; return new_ast(A_EOL, -1, -1, 0);
    case '\\': {
        char e = rx[rx_pos + 1];
        if (!e) return error("trailing backslash");
        rx_pos += 2;
        if (is_class_escape(e)) {
            int ci = new_class();
            if (ci < 0) return -1;
            class_escape(&classes[ci], e);
            return new_ast(A_CLASS, -1, -1, ci);
        }
        int lc = literal_escape(e);
        if (lc < 0) return error("bad escape");
        return new_ast(A_CHAR, -1, -1, lc);
    }
    case '*': case '+': case '?': case '{':
        return error("quantifier without operand");
    case ')': case '|': case '\0':
        return error("unexpected end of term");
    default:
        rx_pos++;
        return new_ast(A_CHAR, -1, -1, (unsigned char)c);
    }
}

static int parse_int(int *out) {
    int v = 0, digits = 0;
    while (rx[rx_pos] >= '0' && rx[rx_pos] <= '9') {
        v = v * 10 + (rx[rx_pos++] - '0');
        if (v > MAX_REPEAT) return error("repeat count too large");
        digits++;
    }
    *out = v;
    return digits ? 0 : -1;
}

static int parse_repeat(void) {
    int a = parse_atom();
    if (a < 0) return -1;
    for (;;) {
        char q = rx[rx_pos];
        if (q == '*') a = new_ast(A_STAR, a, -1, 0);
        else if (q == '+') a = new_ast(A_PLUS, a, -1, 0);
        else if (q == '?') a = new_ast(A_QUEST, a, -1, 0);
        else if (q == '{') {
            int lo, hi;
            rx_pos++;
            if (parse_int(&lo) < 0) return error("bad repeat");
            hi = lo;
            if (rx[rx_pos] == ',') {
                rx_pos++;
                if (rx[rx_pos] == '}') hi = -1;
                else if (parse_int(&hi) < 0 || hi < lo) return error("bad repeat range");
            }
            if (rx[rx_pos] != '}') return error("missing '}'");
            a = new_ast(A_REPEAT, a, -1, 0);
            if (a < 0) return -1;
            ast[a].min = lo;
            ast[a].max = hi;
        } else {
            return a;
        }
        if (a < 0) return -1;
        rx_pos++;
    }
}

static int parse_concat(void) {
    int left = -1;
    while (rx[rx_pos] && rx[rx_pos] != '|' && rx[rx_pos] != ')') {
        int r = parse_repeat();
        if (r < 0) return -1;
        left = left < 0 ? r : new_ast(A_CAT, left, r, 0);
        if (left < 0) return -1;
    }
    return left < 0 ? new_ast(A_EMPTY, -1, -1, 0) : left;
}

static int parse_alt(void) {
    int left = parse_concat();
    while (left >= 0 && rx[rx_pos] == '|') {
        rx_pos++;
        int right = parse_concat();
        if (right < 0) return -1;
        left = new_ast(A_ALT, left, right, 0);
    }
    return left;
}

/* ---------- NFA construction ---------- */

static Pattern *cur;
static int compile_calls;
static uint64_t sim_steps;

static int emit(StateKind k, int c, int out, int out1) {
    if (cur->nstates >= MAX_STATES) return error("NFA too large");
    State *s = &cur->states[cur->nstates];
    s->kind = (uint8_t)k;
    s->c = (uint8_t)c;
    s->cls = (uint16_t)(k == S_CLASS ? c : 0);
    s->out = out;
    s->out1 = out1;
    return cur->nstates++;
}

/* Compiles node n so that it continues to state `next`; returns the entry state. States are built
 * back to front, which makes every fragment's exit known at construction time. */
static int compile(int n, int next) {
    const Ast *a = &ast[n];
    int s, body;
    if (++compile_calls > MAX_COMPILE_CALLS) return error("pattern expands too much");
    switch (a->kind) {
    case A_CHAR: return emit(S_CHAR, a->c, next, -1);
    case A_ANY: return emit(S_ANY, 0, next, -1);
    case A_CLASS: return emit(S_CLASS, a->c, next, -1);
    case A_BOL: return emit(S_BOL, 0, next, -1);
    case A_EOL: return emit(S_EOL, 0, next, -1);
    case A_EMPTY: return next;
    case A_CAT: {
        int r = compile(a->right, next);
        return r < 0 ? -1 : compile(a->left, r);
    }
    case A_ALT: {
        int l = compile(a->left, next);
        int r = l < 0 ? -1 : compile(a->right, next);
        return r < 0 ? -1 : emit(S_SPLIT, 0, l, r);
    }
    case A_QUEST:
        body = compile(a->left, next);
        return body < 0 ? -1 : emit(S_SPLIT, 0, body, next);
    case A_STAR:
    case A_PLUS:
        /* loop state: split(body, next); body continues back into the loop */
        s = emit(S_SPLIT, 0, -1, next);
        if (s < 0) return -1;
        body = compile(a->left, s);
        if (body < 0) return -1;
        cur->states[s].out = body;
        return a->kind == A_STAR ? s : body;
    case A_REPEAT: {
        int tail = next;
        if (a->max < 0) {
            s = emit(S_SPLIT, 0, -1, next);
            if (s < 0) return -1;
            body = compile(a->left, s);
            if (body < 0) return -1;
            cur->states[s].out = body;
            tail = s;
        } else {
            for (int i = a->min; i < a->max; i++) {
                body = compile(a->left, tail);
                if (body < 0) return -1;
                tail = emit(S_SPLIT, 0, body, next);
                if (tail < 0) return -1;
            }
        }
        for (int i = 0; i < a->min; i++) {
            tail = compile(a->left, tail);
            if (tail < 0) return -1;
        }
        return tail;
    }
    }
    return error("bad ast");
}

static int compile_pattern(Pattern *p) {
    rx = p->text;
    rx_pos = 0;
    rx_depth = 0;
    nast = 0;
    err_msg[0] = '\0';
    int root = parse_alt();
    if (root < 0) return -1;
    if (rx[rx_pos]) return error("unbalanced ')'");
    cur = p;
    compile_calls = 0;
    p->nstates = 0;
    int m = emit(S_MATCH, 0, -1, -1);
    if (m < 0) return -1;
    p->start = compile(root, m);
    return p->start < 0 ? -1 : 0;
}

/* ---------- simulation ---------- */

typedef struct {
    const unsigned char *s;
    int len;
    int best_start, best_end;
} Search;

/* Follows epsilon edges from state st (explicit stack, no recursion) and adds threads. */
static void add_thread(const Pattern *p, Thread *list, int *n, int st, int start, int pos, Search *se) {
    static int stack[2 * MAX_STATES + 2];
    int sp = 0;
    stack[sp++] = st;
    while (sp > 0) {
        int k = stack[--sp];
        if (mark[k] == generation) continue;
        mark[k] = generation;
        const State *s = &p->states[k];
        switch ((StateKind)s->kind) {
        case S_SPLIT:
            stack[sp++] = s->out1; /* pushed first: explored second */
            stack[sp++] = s->out;
            break;
        case S_JUMP: stack[sp++] = s->out; break;
        case S_BOL:
            if (pos == 0) stack[sp++] = s->out;
            break;
        case S_EOL:
            if (pos == se->len) stack[sp++] = s->out;
            break;
        case S_MATCH:
            if (se->best_start < 0 || start < se->best_start || (start == se->best_start && pos > se->best_end)) {
                se->best_start = start;
                se->best_end = pos;
            }
            break;
        default:
            list[*n].state = k;
            list[*n].start = start;
            (*n)++;
            break;
        }
    }
}

static int step_ok(const State *s, unsigned char ch) {
    switch ((StateKind)s->kind) {
    case S_CHAR: return s->c == ch;
    case S_ANY: return ch != '\n';
    case S_CLASS: return CLASS_HAS(&classes[s->cls], ch);
    default: return 0;
    }
}

/* Finds the leftmost-longest match starting at or after `from`. Threads are kept in priority
 * order (earlier start first); a new seed thread is added after the stepped ones. */
static int search(const Pattern *p, Search *se, int from) {
    int nc = 0;
    se->best_start = -1;
    se->best_end = -1;
    generation++;
    add_thread(p, clist, &nc, p->start, from, from, se);
    for (int pos = from; pos < se->len; pos++) {
        if (nc == 0 && se->best_start >= 0) break;
        unsigned char ch = se->s[pos];
        int nn = 0;
        sim_steps += (uint64_t)nc + 1;
        if (sim_steps > STEP_LIMIT) {
            fprintf(stderr, "search step limit exceeded\n");
            exit(1);
        }
        generation++;
        for (int i = 0; i < nc; i++) {
            const State *s = &p->states[clist[i].state];
            if (se->best_start >= 0 && clist[i].start > se->best_start) continue;
            if (step_ok(s, ch)) add_thread(p, nlist, &nn, s->out, clist[i].start, pos + 1, se);
        }
        if (se->best_start < 0) add_thread(p, nlist, &nn, p->start, pos + 1, pos + 1, se);
        memcpy(clist, nlist, sizeof(Thread) * (size_t)nn);
        nc = nn;
    }
    return se->best_start;
}

static void compiled_classes_used(int *count) { *count = nclasses; }

static void scan_line(Pattern *p, const unsigned char *line, int len, int lineno) {
    Search se = {line, len, -1, -1};
    int from = 0, found = 0;
    while (from <= len) {
        if (search(p, &se, from) < 0) break;
        found = 1;
        p->matches++;
        p->match_chars += (uint64_t)(se.best_end - se.best_start);
        p->hash = (p->hash ^ ((uint64_t)lineno << 32 | (uint64_t)se.best_start << 16 | (uint64_t)se.best_end)) * 0x100000001b3ull;
        from = se.best_end > se.best_start ? se.best_end : se.best_start + 1;
    }
    if (found) p->lines_matched++;
}

int main(void) {
    size_t len = fread(input, 1, MAX_INPUT, stdin);
    if (len == MAX_INPUT) {
        fprintf(stderr, "input too large\n");
        return 1;
    }
    input[len] = '\0';
    size_t pos = 0;
    int have_sep = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && input[end] != '\n') end++;
        size_t ll = end - pos;
        if (ll == 2 && input[pos] == '%' && input[pos + 1] == '%') {
            pos = end + 1;
            have_sep = 1;
            break;
        }
        if (npatterns >= MAX_PATTERNS) {
            fprintf(stderr, "too many patterns\n");
            return 1;
        }
        if (ll == 0 || ll >= sizeof patterns[0].text || memchr(input + pos, '\0', ll)) {
            fprintf(stderr, "bad pattern line\n");
            return 1;
        }
        Pattern *p = &patterns[npatterns];
        memcpy(p->text, input + pos, ll);
        p->text[ll] = '\0';
        p->hash = 0xcbf29ce484222325ull;
        if (compile_pattern(p) < 0) {
            fprintf(stderr, "pattern %d: %s\n", npatterns + 1, err_msg);
            return 1;
        }
        npatterns++;
        pos = end + 1;
    }
    if (!have_sep || npatterns == 0) {
        fprintf(stderr, "expected patterns then a %%%% line\n");
        return 1;
    }
    int lines = 0;
    uint64_t total_states = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && input[end] != '\n') end++;
        lines++;
        for (int i = 0; i < npatterns; i++) scan_line(&patterns[i], (const unsigned char *)input + pos, (int)(end - pos), lines);
        pos = end + 1;
    }
    int ncls;
    compiled_classes_used(&ncls);
    printf("%d patterns, %d lines, %d classes\n", npatterns, lines, ncls);
    for (int i = 0; i < npatterns; i++) {
        Pattern *p = &patterns[i];
        total_states += (uint64_t)p->nstates;
        printf("%-32.32s states %4d lines %6llu matches %7llu chars %8llu hash %016llx\n", p->text, p->nstates,
               (unsigned long long)p->lines_matched, (unsigned long long)p->matches, (unsigned long long)p->match_chars,
               (unsigned long long)p->hash);
    }
    printf("total states %llu, simulation steps %llu\n", (unsigned long long)total_states, (unsigned long long)sim_steps);
    return 0;
}
