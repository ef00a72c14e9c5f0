/* Table-driven DFA lexer for a C-like language. The transition table is built at start-up: fixed
 * states for identifiers, numbers, strings, chars and comments, plus a trie of operator states
 * generated from the operator list. Lexing uses maximal munch over the table.
 *
 * Input: first line "passes N", then the source text. Prints token statistics, keyword and
 * identifier frequencies, bracket depth and a normalized-token-stream hash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define MAX_STATES 160
#define NCLASSES 24
#define IDENT_TABLE 8192
#define MAX_IDENT 64
#define MAX_PASSES 2000

typedef enum {
    C_OTHER, C_SPACE, C_NEWLINE, C_LETTER, C_HEXLETTER, C_E, C_X, C_ZERO, C_DIGIT, C_DOT, C_DQUOTE, C_SQUOTE,
    C_BACKSLASH, C_SLASH, C_STAR, C_OPCHAR, C_UNDERSCORE, C_SUFFIX, C_PLUSMINUS, C_HASH, C_EOF
} CharClass;

typedef enum {
    TK_NONE, TK_IDENT, TK_KEYWORD, TK_INT, TK_HEX, TK_FLOAT, TK_STRING, TK_CHAR, TK_OPERATOR, TK_COMMENT,
    TK_SPACE, TK_PREPROC, TK_KIND_COUNT
} TokenKind;

enum {
    S_ERROR = 0, S_START, S_IDENT, S_ZERO, S_INT, S_HEX_X, S_HEX, S_DOT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_DIG,
    S_INT_SUFFIX, S_STR, S_STR_ESC, S_STR_END, S_CHR, S_CHR_ESC, S_CHR_END, S_SLASH, S_LINE_CMT, S_BLOCK_CMT,
    S_BLOCK_STAR, S_BLOCK_END, S_SPACE, S_HASH, S_FIRST_OP
};

static const char *kind_names[TK_KIND_COUNT] = {"none", "ident", "keyword", "int", "hex", "float", "string",
                                                "char", "operator", "comment", "space", "preproc"};

static const char *const operators[] = {
    "+", "++", "+=", "-", "--", "-=", "->", "*=", "/=", "%", "%=", "=", "==", "!", "!=", "<", "<=", "<<", "<<=",
    ">", ">=", ">>", ">>=", "&", "&&", "&=", "|", "||", "|=", "^", "^=", "~", "?", ":", ";", ",", "(", ")", "[",
    "]", "{", "}", "...", "*", "/", ".",
};
#define NOPS ((int)(sizeof operators / sizeof operators[0]))

static const char *const keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "int", "long", "register", "return", "short", "signed", "sizeof", "static",
    "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
};
#define NKEYWORDS ((int)(sizeof keywords / sizeof keywords[0]))

typedef struct {
    char name[MAX_IDENT];
    uint32_t len;
    uint32_t count;
    int keyword; /* index or -1 */
} IdentEntry;

typedef struct {
    uint64_t kind_count[TK_KIND_COUNT];
    uint64_t op_count[NOPS];
    uint64_t lines, bytes_in_tokens, max_token, max_depth;
    uint64_t stream_hash;
} LexStats;

static uint8_t char_class[256];
static uint8_t trans[MAX_STATES][NCLASSES];
static uint8_t accept_kind[MAX_STATES];
static int16_t op_of_state[MAX_STATES];
static int nstates;
/* operator trie edges keyed by actual character (operator states use exact chars, not classes) */
static uint8_t op_next[MAX_STATES][128];

static IdentEntry idents[IDENT_TABLE];
static uint32_t distinct_idents;
static char input[MAX_INPUT + 1];

static _Noreturn void die(const char *msg, uint64_t line) {
    fprintf(stderr, "lex error: %s (line %llu)\n", msg, (unsigned long long)line);
    exit(1);
}

static void init_classes(void) {
    for (int c = 0; c < 256; c++) char_class[c] = C_OTHER;
    for (int c = 'a'; c <= 'z'; c++) char_class[c] = C_LETTER;
    for (int c = 'A'; c <= 'Z'; c++) char_class[c] = C_LETTER;
    for (const char *p = "abcdfABCDF"; *p; p++) char_class[(unsigned char)*p] = C_HEXLETTER;
    char_class['e'] = char_class['E'] = C_E;
    char_class['x'] = char_class['X'] = C_X;
    char_class['u'] = char_class['U'] = char_class['l'] = char_class['L'] = C_SUFFIX;
    char_class['_'] = C_UNDERSCORE;
    char_class['0'] = C_ZERO;
    for (int c = '1'; c <= '9'; c++) char_class[c] = C_DIGIT;
    char_class[' '] = char_class['\t'] = char_class['\r'] = char_class['\f'] = C_SPACE;
    char_class['\n'] = C_NEWLINE;
    char_class['.'] = C_DOT;
    char_class['"'] = C_DQUOTE;
    char_class['\''] = C_SQUOTE;
    char_class['\\'] = C_BACKSLASH;
    char_class['/'] = C_SLASH;
    char_class['*'] = C_STAR;
    char_class['+'] = char_class['-'] = C_PLUSMINUS;
    char_class['#'] = C_HASH;
    for (const char *p = "%=!<>&|^~?:;,()[]{}"; *p; p++) char_class[(unsigned char)*p] = C_OPCHAR;
}

static void set_range(int from, const int *classes, int n, int to) {
    for (int i = 0; i < n; i++) trans[from][classes[i]] = (uint8_t)to;
}

static void set_all_but(int from, int to, int except1, int except2) {
    for (int c = 0; c < NCLASSES; c++) {
        if (c != except1 && c != except2 && c != C_EOF) trans[from][c] = (uint8_t)to;
    }
}

static int add_op_state(void) {
    if (nstates >= MAX_STATES) {
        fprintf(stderr, "internal: too many states\n");
        exit(1);
    }
    op_of_state[nstates] = -1;
    return nstates++;
}

/* Builds the fixed part of the DFA and the operator trie. */
static void build_dfa(void) {
    static const int ident_chars[] = {C_LETTER, C_HEXLETTER, C_E, C_X, C_SUFFIX, C_UNDERSCORE, C_ZERO, C_DIGIT};
    static const int digits[] = {C_ZERO, C_DIGIT};
    static const int hexdigits[] = {C_ZERO, C_DIGIT, C_HEXLETTER, C_E};
    memset(trans, S_ERROR, sizeof trans);
    memset(op_next, 0, sizeof op_next);
    nstates = S_FIRST_OP;
    for (int s = 0; s < MAX_STATES; s++) op_of_state[s] = -1;

    set_range(S_START, ident_chars, 6, S_IDENT);
    set_range(S_IDENT, ident_chars, 8, S_IDENT);
    trans[S_START][C_ZERO] = S_ZERO;
    trans[S_START][C_DIGIT] = S_INT;
    set_range(S_INT, digits, 2, S_INT);
    set_range(S_ZERO, digits, 2, S_INT);
    trans[S_ZERO][C_X] = S_HEX_X;
    set_range(S_HEX_X, hexdigits, 4, S_HEX);
    set_range(S_HEX, hexdigits, 4, S_HEX);
    trans[S_HEX][C_SUFFIX] = S_INT_SUFFIX;
    trans[S_INT][C_SUFFIX] = trans[S_ZERO][C_SUFFIX] = S_INT_SUFFIX;
    trans[S_INT_SUFFIX][C_SUFFIX] = S_INT_SUFFIX;
    trans[S_INT][C_DOT] = trans[S_ZERO][C_DOT] = S_FRAC;
    trans[S_START][C_DOT] = S_DOT;
    set_range(S_DOT, digits, 2, S_FRAC);
    set_range(S_FRAC, digits, 2, S_FRAC);
    trans[S_INT][C_E] = trans[S_ZERO][C_E] = trans[S_FRAC][C_E] = S_EXP;
    trans[S_EXP][C_PLUSMINUS] = S_EXP_SIGN;
    set_range(S_EXP, digits, 2, S_EXP_DIG);
    set_range(S_EXP_SIGN, digits, 2, S_EXP_DIG);
    set_range(S_EXP_DIG, digits, 2, S_EXP_DIG);

    trans[S_START][C_DQUOTE] = S_STR;
    set_all_but(S_STR, S_STR, C_DQUOTE, C_NEWLINE);
    trans[S_STR][C_BACKSLASH] = S_STR_ESC;
    trans[S_STR][C_DQUOTE] = S_STR_END;
    set_all_but(S_STR_ESC, S_STR, C_NEWLINE, C_EOF);
    trans[S_START][C_SQUOTE] = S_CHR;
    set_all_but(S_CHR, S_CHR, C_SQUOTE, C_NEWLINE);
    trans[S_CHR][C_BACKSLASH] = S_CHR_ESC;
    trans[S_CHR][C_SQUOTE] = S_CHR_END;
    set_all_but(S_CHR_ESC, S_CHR, C_NEWLINE, C_EOF);

    trans[S_START][C_SLASH] = S_SLASH;
    trans[S_SLASH][C_SLASH] = S_LINE_CMT;
    set_all_but(S_LINE_CMT, S_LINE_CMT, C_NEWLINE, C_EOF);
    trans[S_SLASH][C_STAR] = S_BLOCK_CMT;
    set_all_but(S_BLOCK_CMT, S_BLOCK_CMT, C_STAR, C_EOF);
    trans[S_BLOCK_CMT][C_STAR] = S_BLOCK_STAR;
    set_all_but(S_BLOCK_STAR, S_BLOCK_CMT, C_SLASH, C_EOF);
    trans[S_BLOCK_STAR][C_STAR] = S_BLOCK_STAR;
    trans[S_BLOCK_STAR][C_SLASH] = S_BLOCK_END;

    trans[S_START][C_SPACE] = trans[S_START][C_NEWLINE] = S_SPACE;
    trans[S_SPACE][C_SPACE] = trans[S_SPACE][C_NEWLINE] = S_SPACE;
    trans[S_START][C_HASH] = S_HASH;
    set_all_but(S_HASH, S_HASH, C_NEWLINE, C_EOF);

    memset(accept_kind, TK_NONE, sizeof accept_kind);
    accept_kind[S_IDENT] = TK_IDENT;
    accept_kind[S_ZERO] = accept_kind[S_INT] = accept_kind[S_INT_SUFFIX] = TK_INT;
    accept_kind[S_HEX] = TK_HEX;
    accept_kind[S_FRAC] = accept_kind[S_EXP_DIG] = TK_FLOAT;
    accept_kind[S_STR_END] = TK_STRING;
    accept_kind[S_CHR_END] = TK_CHAR;
    accept_kind[S_LINE_CMT] = accept_kind[S_BLOCK_END] = TK_COMMENT;
    accept_kind[S_SPACE] = TK_SPACE;
    accept_kind[S_HASH] = TK_PREPROC;
    accept_kind[S_SLASH] = TK_OPERATOR; /* plain '/' */

    /* operator trie: states beyond S_FIRST_OP, edges by exact character */
    op_next[S_SLASH]['='] = 0; /* filled below */
    for (int i = 0; i < NOPS; i++) {
        const char *op = operators[i];
        int s = S_START;
        for (const char *p = op; *p; p++) {
            unsigned char ch = (unsigned char)*p;
            int nxt;
            if (s == S_START && ch == '/') nxt = S_SLASH;
            else if (s == S_START && ch == '.') nxt = S_DOT;
            else nxt = op_next[s][ch];
            if (nxt == 0) {
                nxt = add_op_state();
                op_next[s][ch] = (uint8_t)nxt;
            }
            s = nxt;
        }
        op_of_state[s] = (int16_t)i;
        accept_kind[s] = TK_OPERATOR;
    }
    accept_kind[S_DOT] = TK_OPERATOR; /* member access '.' */
}

/* One DFA step: fixed states use the class table, operator states the exact-char trie. */
static inline int step(int s, unsigned char ch) {
    int t = trans[s][char_class[ch]];
    if (t == S_ERROR && ch < 128) t = op_next[s][ch];
    return t;
}

static int keyword_index(const char *s, uint32_t len) {
    for (int i = 0; i < NKEYWORDS; i++) {
        if (strlen(keywords[i]) == len && memcmp(keywords[i], s, len) == 0) return i;
    }
    return -1;
}

static IdentEntry *intern(const char *s, uint32_t len, uint64_t line) {
    if (len >= MAX_IDENT) die("identifier too long", line);
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    for (uint32_t probe = 0; probe < IDENT_TABLE; probe++) {
        IdentEntry *e = &idents[(h + probe) & (IDENT_TABLE - 1)];
        if (e->len == 0) {
            memcpy(e->name, s, len);
            e->name[len] = '\0';
            e->len = len;
            e->keyword = keyword_index(s, len);
            distinct_idents++;
            return e;
        }
        if (e->len == len && memcmp(e->name, s, len) == 0) return e;
    }
    die("identifier table full", line);
}

static void lex(const char *src, size_t len, LexStats *st, int count_idents) {
    size_t pos = 0;
    uint64_t line = 1, depth = 0;
    memset(st, 0, sizeof *st);
    st->stream_hash = 0xcbf29ce484222325ull;
    while (pos < len) {
        int s = S_START;
        size_t i = pos, last_end = 0;
        int last_state = 0;
        while (i < len) {
            s = step(s, (unsigned char)src[i]);
            if (s == S_ERROR) break;
            i++;
            if (accept_kind[s] != TK_NONE) {
                last_state = s;
                last_end = i;
            }
        }
        if (i == len && (s == S_BLOCK_CMT || s == S_BLOCK_STAR)) die("unterminated comment", line);
        if (last_end == 0) {
            unsigned char c = (unsigned char)src[pos];
            die(c == '"' || c == '\'' ? "unterminated literal" : (c == '/' ? "unterminated comment" : "invalid character"), line);
        }
        TokenKind kind = (TokenKind)accept_kind[last_state];
        size_t tlen = last_end - pos;
        for (size_t k = pos; k < last_end; k++) line += src[k] == '\n';
        if (kind == TK_IDENT) {
            IdentEntry *e = count_idents ? intern(src + pos, (uint32_t)tlen, line) : NULL;
            if (e) {
                e->count++;
                if (e->keyword >= 0) kind = TK_KEYWORD;
            } else if (keyword_index(src + pos, (uint32_t)tlen) >= 0) {
                kind = TK_KEYWORD;
            }
        } else if (kind == TK_OPERATOR && op_of_state[last_state] >= 0) {
            int op = op_of_state[last_state];
            st->op_count[op]++;
            char c0 = operators[op][0];
            if (operators[op][1] == '\0') {
                if (c0 == '(' || c0 == '[' || c0 == '{') {
                    if (++depth > st->max_depth) st->max_depth = depth;
                } else if (c0 == ')' || c0 == ']' || c0 == '}') {
                    if (depth == 0) die("unbalanced closing bracket", line);
                    depth--;
                }
            }
        }
        st->kind_count[kind]++;
        if (kind != TK_SPACE && kind != TK_COMMENT) {
            st->bytes_in_tokens += tlen;
            if (tlen > st->max_token) st->max_token = tlen;
            for (size_t k = pos; k < last_end; k++) st->stream_hash = (st->stream_hash ^ (unsigned char)src[k]) * 0x100000001b3ull;
            st->stream_hash = (st->stream_hash ^ ' ') * 0x100000001b3ull;
        }
        pos = last_end;
    }
    if (depth != 0) die("unclosed bracket at end of input", line);
    st->lines = line;
}

static int cmp_ident(const void *a, const void *b) {
    const IdentEntry *x = *(const IdentEntry *const *)a, *y = *(const IdentEntry *const *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

int main(void) {
    size_t len = fread(input, 1, MAX_INPUT, stdin);
    if (len == MAX_INPUT) die("input too large", 0);
    input[len] = '\0';
    long passes = 0;
    size_t pos = 0;
    if (strncmp(input, "passes ", 7) != 0) die("first line must be 'passes N'", 1);
    pos = 7;
    while (pos < len && input[pos] >= '0' && input[pos] <= '9') {
        passes = passes * 10 + (input[pos++] - '0');
        if (passes > MAX_PASSES) die("too many passes", 1);
    }
    if (passes < 1 || pos >= len || input[pos] != '\n') die("bad passes line", 1);
    pos++;
    const char *src = input + pos;
    size_t slen = len - pos;

    init_classes();
    build_dfa();
    LexStats st, again;
    lex(src, slen, &st, 1);
    uint64_t combined = st.stream_hash;
    for (long p = 1; p < passes; p++) {
        lex(src, slen, &again, 0);
        if (again.stream_hash != st.stream_hash) die("nondeterministic lexing", 0);
        combined = combined * 31 + again.stream_hash + again.kind_count[TK_IDENT];
    }
    printf("dfa states %d, lines %llu, passes %ld\n", nstates, (unsigned long long)st.lines, passes);
    uint64_t total = 0;
    for (int k = 1; k < TK_KIND_COUNT; k++) {
        total += st.kind_count[k];
        printf("%-9s %llu\n", kind_names[k], (unsigned long long)st.kind_count[k]);
    }
    printf("tokens %llu, token bytes %llu, longest %llu, max depth %llu\n", (unsigned long long)total,
           (unsigned long long)st.bytes_in_tokens, (unsigned long long)st.max_token, (unsigned long long)st.max_depth);
    printf("operators:");
    for (int i = 0; i < NOPS; i++) {
        if (st.op_count[i]) printf(" %s:%llu", operators[i], (unsigned long long)st.op_count[i]);
    }
    printf("\n");
    IdentEntry *list[IDENT_TABLE];
    uint32_t n = 0;
    uint64_t ident_hash = 0;
    for (int i = 0; i < IDENT_TABLE; i++) {
        if (idents[i].len) list[n++] = &idents[i];
    }
    qsort(list, n, sizeof list[0], cmp_ident);
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < list[i]->len; k++) ident_hash = ident_hash * 131 + (unsigned char)list[i]->name[k];
        ident_hash += list[i]->count;
    }
    printf("distinct identifiers %u, hash %016llx\n", distinct_idents, (unsigned long long)ident_hash);
    int shown = 0;
    for (uint32_t i = 0; i < n && shown < 12; i++) {
        printf("  %-14s %u%s\n", list[i]->name, list[i]->count, list[i]->keyword >= 0 ? " (kw)" : "");
        shown++;
    }
    printf("stream hash %016llx combined %016llx\n", (unsigned long long)st.stream_hash, (unsigned long long)combined);
    return 0;
}
