/* mgrep: a small grep.  Searches files (or standard input) for lines matching any of
 * one or more basic regular expressions with a backtracking matcher.
 *
 * usage: mgrep [-i] [-v] [-n] [-c] [-l] [-w] [-F] [-H|-h] [-m NUM] [-e PATTERN]... [PATTERN] [FILE]...
 *   regex syntax: literal characters, '.', '[abc]', '[^a-z]', '\x' escapes (\d digit,
 *   \w word char, \s space), postfix '*', '+', '?', leading '^' and trailing '$'.
 *   -i ignore case  -v select non-matching lines  -n print line numbers  -c print counts
 *   -l print only names of files with a selected line  -w match whole words only
 *   -F patterns are fixed strings  -H/-h force/suppress file name prefixes
 *   -m stop a file after NUM selected lines.  FILE "-" or no FILE reads standard input.
 * exit status: 0 a line was selected, 1 none was, 2 an error occurred (as grep). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATTERNS 16
#define MAX_TOKENS 256

typedef struct {
    uint32_t set[8]; /* 256-bit character set */
    char quant;      /* '1', '*', '+', '?' */
} Token;

typedef struct {
    Token tok[MAX_TOKENS];
    int ntok;
    int bol, eol;
} Regex;

static Regex pats[MAX_PATTERNS];
static int npats;
static int opt_i, opt_v, opt_n, opt_c, opt_l, opt_w, opt_F, opt_H = -1;
static long opt_m = -1;

static void set_add(Token *t, int c) {
    t->set[(unsigned)c >> 5] |= 1u << ((unsigned)c & 31u);
    if (opt_i && isalpha(c)) {
        int o = islower(c) ? toupper(c) : tolower(c);
        t->set[(unsigned)o >> 5] |= 1u << ((unsigned)o & 31u);
    }
}
static int set_has(const Token *t, unsigned char c) { return (t->set[c >> 5] >> (c & 31u)) & 1u; }
static int is_word(int c) { return isalnum(c) || c == '_'; }

static void add_escape_class(Token *t, int e) {
    for (int c = 0; c < 256; c++) {
        if ((e == 'd' && isdigit(c)) || (e == 'w' && is_word(c)) || (e == 's' && isspace(c)) ||
            (e == 'D' && !isdigit(c)) || (e == 'W' && !is_word(c)) || (e == 'S' && !isspace(c)))
            set_add(t, c);
    }
}

/* returns 0 on success, -1 on a syntax error */
static int compile(const char *p, Regex *re) {
    memset(re, 0, sizeof *re);
    size_t len = strlen(p);
    size_t i = 0;
    if (!opt_F && len > 0 && p[0] == '^') re->bol = 1, i = 1;
    if (!opt_F && len > i && p[len - 1] == '$' && (len < 2 || p[len - 2] != '\\')) re->eol = 1, len--;
    while (i < len) {
        if (re->ntok == MAX_TOKENS) return -1;
        Token *t = &re->tok[re->ntok++];
        t->quant = '1';
        unsigned char c = (unsigned char)p[i++];
        if (opt_F) {
            set_add(t, c);
            continue;
        }
        if (c == '.') {
            for (int k = 0; k < 256; k++)
                if (k != '\n') set_add(t, k);
        } else if (c == '\\') {
            if (i >= len) return -1;
            unsigned char e = (unsigned char)p[i++];
            if (strchr("dwsDWS", e)) add_escape_class(t, e);
            else set_add(t, e);
        } else if (c == '[') {
            int neg = 0;
            Token tmp;
            memset(&tmp, 0, sizeof tmp);
            if (i < len && p[i] == '^') neg = 1, i++;
            int first = 1;
            while (i < len && (p[i] != ']' || first)) {
                unsigned char a = (unsigned char)p[i++];
                if (a == '\\' && i < len) a = (unsigned char)p[i++];
                if (i + 1 < len && p[i] == '-' && p[i + 1] != ']') {
                    unsigned char b = (unsigned char)p[i + 1];
                    i += 2;
                    if (b < a) return -1;
                    for (int k = a; k <= b; k++) set_add(&tmp, k);
                } else {
                    set_add(&tmp, a);
                }
                first = 0;
            }
            if (i >= len) return -1; /* missing ']' */
            i++;
            for (int k = 0; k < 8; k++) t->set[k] = neg ? ~tmp.set[k] : tmp.set[k];
            if (neg) t->set['\n' >> 5] &= ~(1u << ('\n' & 31));
        } else if (c == '*' || c == '+' || c == '?') {
            return -1; /* quantifier with nothing to repeat */
        } else {
            set_add(t, c);
        }
        if (i < len && (p[i] == '*' || p[i] == '+' || p[i] == '?')) t->quant = p[i++];
    }
    return 0;
}

/* can the tokens from k on match text[pos..] (ending at a valid place)? */
static int match_here(const Regex *re, int k, const unsigned char *text, int pos, int n) {
    if (k == re->ntok) {
        if (re->eol && pos != n) return 0;
        if (opt_w && pos < n && is_word(text[pos])) return 0;
        return 1;
    }
    const Token *t = &re->tok[k];
    if (t->quant == '1') return pos < n && set_has(t, text[pos]) && match_here(re, k + 1, text, pos + 1, n);
    if (t->quant == '?') {
        if (pos < n && set_has(t, text[pos]) && match_here(re, k + 1, text, pos + 1, n)) return 1;
        return match_here(re, k + 1, text, pos, n);
    }
    /* '*' or '+': greedy, then back off */
    int end = pos;
    while (end < n && set_has(t, text[end])) end++;
    int min = t->quant == '+' ? pos + 1 : pos;
    for (int e = end; e >= min; e--)
        if (match_here(re, k + 1, text, e, n)) return 1;
    return 0;
}

static int line_matches(const unsigned char *text, int n) {
    for (int p = 0; p < npats; p++) {
        const Regex *re = &pats[p];
        for (int start = 0; start <= n; start++) {
            if (re->bol && start > 0) break;
            if (opt_w && start > 0 && is_word(text[start - 1])) continue;
            if (match_here(re, 0, text, start, n)) return 1;
        }
    }
    return 0;
}

typedef struct {
    unsigned char *buf;
    size_t cap;
} Line;

/* reads one line without its newline; returns its length or -1 at end of file */
static long read_line(FILE *f, Line *ln) {
    size_t n = 0;
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (n + 1 >= ln->cap) {
            ln->cap = ln->cap ? ln->cap * 2 : 256;
            ln->buf = realloc(ln->buf, ln->cap);
            if (!ln->buf) {
                printf("mgrep: out of memory\n");
                exit(2);
            }
        }
        ln->buf[n++] = (unsigned char)c;
    }
    if (c == EOF && n == 0) return -1;
    return (long)n;
}

/* returns the number of selected lines */
static long grep_stream(FILE *f, const char *name, int show_name, Line *ln) {
    long selected = 0, lineno = 0, len;
    while ((opt_m < 0 || selected < opt_m) && (len = read_line(f, ln)) >= 0) {
        lineno++;
        int m = line_matches(ln->buf, (int)len);
        if (m == opt_v) continue;
        selected++;
        if (opt_l) break;
        if (opt_c) continue;
        if (show_name) printf("%s:", name);
        if (opt_n) printf("%ld:", lineno);
        fwrite(ln->buf, 1, (size_t)len, stdout);
        putchar('\n');
    }
    if (opt_c) {
        if (show_name) printf("%s:", name);
        printf("%ld\n", selected);
    }
    if (opt_l && selected) printf("%s\n", name);
    return selected;
}

static void usage(void) {
    printf("usage: mgrep [-ivnclwFHh] [-m NUM] [-e PATTERN]... [PATTERN] [FILE]...\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *pattern_src[MAX_PATTERNS];
    int npsrc = 0, i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        for (const char *o = argv[i] + 1; *o; o++) {
            switch (*o) {
            case 'i': opt_i = 1; break;
            case 'v': opt_v = 1; break;
            case 'n': opt_n = 1; break;
            case 'c': opt_c = 1; break;
            case 'l': opt_l = 1; break;
            case 'w': opt_w = 1; break;
            case 'F': opt_F = 1; break;
            case 'H': opt_H = 1; break;
            case 'h': opt_H = 0; break;
            case 'e':
            case 'm': {
                const char *val = o[1] ? o + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (!val) usage();
                if (*o == 'm') {
                    opt_m = atol(val);
                } else {
                    if (npsrc == MAX_PATTERNS) usage();
                    pattern_src[npsrc++] = val;
                }
                goto next_arg; /* the rest of this argument was the value */
            }
            default:
                printf("mgrep: unknown option -%c\n", *o);
                usage();
            }
        }
    next_arg:;
    }
    if (npsrc == 0) {
        if (i >= argc) usage();
        pattern_src[npsrc++] = argv[i++];
    }
    for (int p = 0; p < npsrc; p++) {
        if (compile(pattern_src[p], &pats[p]) != 0) {
            printf("mgrep: bad pattern '%s'\n", pattern_src[p]);
            return 2;
        }
    }
    npats = npsrc;

    int nfiles = argc - i, error = 0;
    int show_name = opt_H >= 0 ? opt_H : nfiles > 1;
    long total = 0;
    Line ln = {NULL, 0};
    if (nfiles == 0) {
        total += grep_stream(stdin, "(standard input)", show_name, &ln);
    } else {
        for (; i < argc; i++) {
            if (strcmp(argv[i], "-") == 0) {
                total += grep_stream(stdin, "(standard input)", show_name, &ln);
                continue;
            }
            FILE *f = fopen(argv[i], "r");
            if (!f) {
                printf("mgrep: %s: cannot open file\n", argv[i]);
                error = 1;
                continue;
            }
            total += grep_stream(f, argv[i], show_name, &ln);
            fclose(f);
        }
    }
    free(ln.buf);
    return error ? 2 : (total > 0 ? 0 : 1);
}
