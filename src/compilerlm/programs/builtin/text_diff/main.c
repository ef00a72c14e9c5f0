/* Line-based diff: lines are interned to ids through a string hash table, then
 * common prefix/suffix are trimmed and an LCS dynamic program produces an edit
 * script, which is summarised as hunks and checksummed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 6000
#define MAX_LINE_LEN 200
#define HASH_SIZE 32768

typedef struct {
    char *text[MAX_LINES];
    uint32_t id[MAX_LINES];
    int n;
} Text;

static char *intern_str[HASH_SIZE];
static uint32_t intern_id[HASH_SIZE];
static uint32_t next_id;
static uint16_t *dp;

static uint64_t rng_state;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void die(const char *msg) {
    fprintf(stderr, "error: %s\n", msg);
    exit(1);
}

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (!p)
        die("out of memory");
    memcpy(p, s, n);
    return p;
}

static uint32_t intern(const char *s) {
    uint32_t h = 2166136261u;
    for (const char *p = s; *p; p++) {
        h ^= (uint8_t)*p;
        h *= 16777619u;
    }
    uint32_t slot = h & (HASH_SIZE - 1);
    while (intern_str[slot]) {
        if (strcmp(intern_str[slot], s) == 0)
            return intern_id[slot];
        slot = (slot + 1) & (HASH_SIZE - 1);
    }
    if (next_id >= HASH_SIZE / 2)
        die("too many distinct lines");
    intern_str[slot] = dupstr(s);
    intern_id[slot] = next_id;
    return next_id++;
}

static void add_line(Text *t, const char *s) {
    if (t->n >= MAX_LINES)
        die("too many lines");
    t->text[t->n] = dupstr(s);
    t->id[t->n] = intern(s);
    t->n++;
}

static void free_text(Text *t) {
    for (int i = 0; i < t->n; i++)
        free(t->text[i]);
    t->n = 0;
}

static const char *words[] = {"int", "return", "if", "else", "for", "while", "x", "y",
                              "count", "buf", "len", "node", "next", "{", "}", "=",
                              "+", "0", "1", "i", "j", "value", "ptr", ";"};

static void gen_line(char *out, uint32_t vocab) {
    uint32_t k = (uint32_t)(rng() % vocab);
    /* a line is a deterministic function of k so that equal k give equal lines */
    uint32_t h = k * 2654435761u + 12345u;
    int nw = 1 + (int)(h % 6);
    int pos = snprintf(out, MAX_LINE_LEN, "%*s", (int)((h >> 3) % 4) * 4, "");
    for (int w = 0; w < nw; w++) {
        h = h * 1103515245u + 12345u;
        pos += snprintf(out + pos, (size_t)(MAX_LINE_LEN - pos), "%s%s", w ? " " : "",
                        words[(h >> 16) % (sizeof words / sizeof words[0])]);
    }
    snprintf(out + pos, (size_t)(MAX_LINE_LEN - pos), " /*%u*/", k);
}

static void generate(Text *a, Text *b, int n, uint32_t vocab, int edits) {
    char line[MAX_LINE_LEN];
    for (int i = 0; i < n; i++) {
        gen_line(line, vocab);
        add_line(a, line);
    }
    /* b: copy of a with random edit runs applied while copying */
    int i = 0;
    int edit_prob = n > 0 ? (int)(((uint64_t)edits * 1000) / (uint64_t)n) : 0;
    while (i < a->n) {
        if ((int)(rng() % 1000) < edit_prob) {
            int kind = (int)(rng() % 3), run = 1 + (int)(rng() % 4);
            if (kind == 0) {
                i += run; /* delete */
            } else if (kind == 1) {
                for (int r = 0; r < run && b->n < MAX_LINES; r++) {
                    gen_line(line, vocab);
                    add_line(b, line);
                }
            } else {
                i += run; /* replace */
                for (int r = 0; r < run && b->n < MAX_LINES; r++) {
                    gen_line(line, vocab);
                    add_line(b, line);
                }
            }
            continue;
        }
        if (b->n < MAX_LINES)
            add_line(b, a->text[i]);
        i++;
    }
}

typedef struct {
    int kept, deleted, inserted, hunks;
    uint64_t checksum;
} Summary;

static void emit(Summary *s, char op, uint32_t id, int show, int ai, int bi) {
    s->checksum = (s->checksum ^ (uint64_t)(op * 1000003u + id)) * 0x100000001B3ULL;
    s->checksum += (uint64_t)ai * 31u + (uint64_t)bi;
    (void)show;
}

static Summary diff(const Text *a, const Text *b, int print_hunks) {
    Summary s = {0, 0, 0, 0, 1469598103934665603ULL};
    int pre = 0;
    while (pre < a->n && pre < b->n && a->id[pre] == b->id[pre])
        pre++;
    int suf = 0;
    while (suf < a->n - pre && suf < b->n - pre &&
           a->id[a->n - 1 - suf] == b->id[b->n - 1 - suf])
        suf++;
    int n = a->n - pre - suf, m = b->n - pre - suf;
    const uint32_t *x = a->id + pre, *y = b->id + pre;
    size_t w = (size_t)m + 1;
    /* dp[i][j] = LCS of x[i..] and y[j..] */
    for (int j = 0; j <= m; j++)
        dp[(size_t)n * w + (size_t)j] = 0;
    for (int i = n - 1; i >= 0; i--) {
        uint16_t *row = dp + (size_t)i * w, *below = row + w;
        row[m] = 0;
        for (int j = m - 1; j >= 0; j--) {
            if (x[i] == y[j])
                row[j] = (uint16_t)(below[j + 1] + 1);
            else
                row[j] = below[j] >= row[j + 1] ? below[j] : row[j + 1];
        }
    }
    for (int k = 0; k < pre; k++)
        emit(&s, '=', a->id[k], 0, k, k);
    s.kept = pre + suf;
    int i = 0, j = 0, in_hunk = 0, hs_a = 0, hs_b = 0;
    while (i < n || j < m) {
        char op;
        if (i < n && j < m && x[i] == y[j])
            op = '=';
        else if (j < m && (i == n || dp[(size_t)(i + 1) * w + (size_t)j] < dp[(size_t)i * w + (size_t)j + 1]))
            op = '+';
        else
            op = '-';
        if (op != '=' && !in_hunk) {
            in_hunk = 1;
            hs_a = i;
            hs_b = j;
        } else if (op == '=' && in_hunk) {
            in_hunk = 0;
            s.hunks++;
            if (s.hunks <= print_hunks)
                printf("  @@ -%d,%d +%d,%d @@\n", pre + hs_a + 1, i - hs_a, pre + hs_b + 1, j - hs_b);
        }
        if (op == '=') {
            emit(&s, op, x[i], 0, pre + i, pre + j);
            s.kept++;
            i++;
            j++;
        } else if (op == '-') {
            emit(&s, op, x[i], 0, pre + i, pre + j);
            s.deleted++;
            i++;
        } else {
            emit(&s, op, y[j], 0, pre + i, pre + j);
            s.inserted++;
            j++;
        }
    }
    if (in_hunk) {
        s.hunks++;
        if (s.hunks <= print_hunks)
            printf("  @@ -%d,%d +%d,%d @@\n", pre + hs_a + 1, i - hs_a, pre + hs_b + 1, j - hs_b);
    }
    for (int k = 0; k < suf; k++)
        emit(&s, '=', a->id[a->n - suf + k], 0, a->n - suf + k, b->n - suf + k);
    if (dp[0] != (uint16_t)(n >= 0 && m >= 0 ? s.kept - pre - suf : 0))
        die("internal LCS mismatch");
    return s;
}

static uint64_t total_kept, total_deleted, total_inserted, total_hunks, combined;

static void report(int idx, const Text *a, const Text *b, int print_hunks) {
    int verbose = idx <= 3;
    if (verbose)
        printf("pair %d: a=%d lines b=%d lines\n", idx, a->n, b->n);
    Summary s = diff(a, b, verbose ? print_hunks : 0);
    if (verbose)
        printf("  kept=%d deleted=%d inserted=%d hunks=%d checksum=%016llx\n", s.kept, s.deleted,
               s.inserted, s.hunks, (unsigned long long)s.checksum);
    total_kept += (uint64_t)s.kept;
    total_deleted += (uint64_t)s.deleted;
    total_inserted += (uint64_t)s.inserted;
    total_hunks += (uint64_t)s.hunks;
    combined = combined * 0x9E3779B97F4A7C15ULL + s.checksum;
}

int main(void) {
    static Text a, b;
    char line[512];
    dp = malloc(sizeof(uint16_t) * (size_t)(MAX_LINES + 1) * (MAX_LINES + 1));
    if (!dp)
        die("out of memory");
    if (!fgets(line, sizeof line, stdin))
        die("empty input");
    if (strncmp(line, "gen", 3) == 0) {
        unsigned long long seed;
        int pairs, n, vocab, edits;
        if (sscanf(line + 3, "%d %d %d %d %llu", &pairs, &n, &vocab, &edits, &seed) != 5 ||
            pairs < 1 || pairs > 1000 || n < 0 || n > MAX_LINES / 2 || vocab < 1 ||
            vocab > 10000 || edits < 0 || edits > n)
            die("usage: gen PAIRS LINES VOCAB EDITS SEED");
        rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
        for (int p = 0; p < pairs; p++) {
            generate(&a, &b, n, (uint32_t)vocab, edits);
            report(p + 1, &a, &b, 4);
            free_text(&a);
            free_text(&b);
        }
    } else if (strncmp(line, "text", 4) == 0) {
        Text *cur = &a;
        int repeat;
        if (sscanf(line + 4, "%d", &repeat) != 1 || repeat < 1 || repeat > 1000000)
            die("usage: text REPEAT");
        while (fgets(line, sizeof line, stdin)) {
            size_t len = strcspn(line, "\r\n");
            if (line[len] == '\0' && len >= MAX_LINE_LEN)
                die("line too long");
            line[len] = '\0';
            if (len >= MAX_LINE_LEN)
                die("line too long");
            if (strcmp(line, "====") == 0 && cur == &a) {
                cur = &b;
                continue;
            }
            add_line(cur, line);
        }
        if (cur != &b)
            die("missing ==== separator");
        for (int r = 0; r < repeat; r++)
            report(r + 1, &a, &b, r == 0 ? 8 : 0);
    } else {
        die("first line must be 'gen ...' or 'text'");
    }
    printf("total: kept=%llu deleted=%llu inserted=%llu hunks=%llu\n",
           (unsigned long long)total_kept, (unsigned long long)total_deleted,
           (unsigned long long)total_inserted, (unsigned long long)total_hunks);
    printf("combined=%016llx distinct lines interned=%u\n", (unsigned long long)combined, next_id);
    return 0;
}
