/* Edit distance workbench.
 *
 * Input lines:
 *   random <pairs> <len> <alphabet 2-26> <seed> <mutation percent 0-100>
 *       generate pairs: a random string and a mutated copy; run every distance algorithm
 *   pair <a> <b>
 *       literal strings (up to 256 chars): print distances and the alignment traceback
 *   align <len 1-256> <alphabet> <seed>
 *       like pair, with a generated string and a mutated copy
 * Blank lines and '#' comments are skipped. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEN 20000
#define MAX_ALIGN 256
#define MAX_CELLS 1000000000ULL
#define MIN3(a, b, c) ((a) < (b) ? ((a) < (c) ? (a) : (c)) : ((b) < (c) ? (b) : (c)))

typedef enum { OP_MATCH, OP_SUB, OP_INS, OP_DEL } EditOp;

static const char alphabet_chars[] = "ACGTNRYKMSWBDHVEFIJLOPQUXZ";
static unsigned long long cells_used;
static uint32_t *row_a, *row_b, *row_c;

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

/* ---------- PRNG ---------- */

static uint32_t pcg_state_hi, pcg_state_lo;

static void prng_seed(uint64_t seed) {
    pcg_state_hi = (uint32_t)(seed >> 32) ^ 0xDEADBEEFu;
    pcg_state_lo = (uint32_t)seed ^ 0x2545F491u;
    if (!pcg_state_hi && !pcg_state_lo)
        pcg_state_lo = 1;
}

static uint32_t prng_next(void) {
    /* xorshift64 split into two 32-bit words, returns the high word mixed */
    uint64_t x = (uint64_t)pcg_state_hi << 32 | pcg_state_lo;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    pcg_state_hi = (uint32_t)(x >> 32);
    pcg_state_lo = (uint32_t)x;
    return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t prng_below(uint32_t n) { return n ? prng_next() % n : 0; }

/* ---------- algorithms ---------- */

static uint32_t levenshtein(const char *a, size_t n, const char *b, size_t m) {
    uint32_t *prev = row_a, *cur = row_b;
    for (size_t j = 0; j <= m; j++)
        prev[j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (uint32_t)i;
        char ca = a[i - 1];
        for (size_t j = 1; j <= m; j++) {
            uint32_t sub = prev[j - 1] + (ca != b[j - 1]);
            uint32_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = MIN3(sub, del, ins);
        }
        uint32_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

/* Optimal string alignment (restricted Damerau): adjacent transpositions cost 1. */
static uint32_t osa_distance(const char *a, size_t n, const char *b, size_t m) {
    uint32_t *pp = row_a, *prev = row_b, *cur = row_c;
    for (size_t j = 0; j <= m; j++)
        prev[j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (uint32_t)i;
        for (size_t j = 1; j <= m; j++) {
            uint32_t cost = a[i - 1] != b[j - 1];
            uint32_t v = MIN3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
        }
        uint32_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

static uint32_t lcs_length(const char *a, size_t n, const char *b, size_t m) {
    uint32_t *prev = row_a, *cur = row_b;
    memset(prev, 0, (m + 1) * sizeof *prev);
    for (size_t i = 1; i <= n; i++) {
        cur[0] = 0;
        for (size_t j = 1; j <= m; j++) {
            if (a[i - 1] == b[j - 1])
                cur[j] = prev[j - 1] + 1;
            else
                cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
        uint32_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

/* Levenshtein restricted to the diagonal band |i - j| <= k; returns k + 1 when the distance
 * exceeds k. Cells outside the band are treated as infinite. */
static uint32_t banded(const char *a, size_t n, const char *b, size_t m, uint32_t k) {
    const uint32_t INF = UINT32_MAX / 2;
    size_t diff = n > m ? n - m : m - n;
    if (diff > k)
        return k + 1;
    uint32_t *prev = row_a, *cur = row_b;
    for (size_t j = 0; j <= m; j++)
        prev[j] = j <= k ? (uint32_t)j : INF;
    for (size_t i = 1; i <= n; i++) {
        size_t lo = i > k ? i - k : 0, hi = i + k < m ? i + k : m;
        if (lo > 0)
            cur[lo - 1] = INF;
        if (lo == 0) {
            cur[0] = (uint32_t)i;
            lo = 1;
        }
        for (size_t j = lo; j <= hi; j++) {
            uint32_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            uint32_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = MIN3(sub, del, ins);
        }
        if (hi < m)
            cur[hi + 1] = INF;
        cells_used += hi - lo + 1;
        uint32_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[m] > k ? k + 1 : prev[m];
}

static uint32_t banded_doubling(const char *a, size_t n, const char *b, size_t m, int *rounds) {
    uint32_t k = 8;
    *rounds = 0;
    for (;;) {
        ++*rounds;
        uint32_t d = banded(a, n, b, m, k);
        if (d <= k)
            return d;
        k *= 2;
    }
}

/* Myers' bit-vector algorithm for patterns of at most 64 characters (global distance). */
static uint32_t myers64(const char *pat, size_t m, const char *text, size_t n) {
    if (m == 0)
        return (uint32_t)n;
    uint64_t peq[256] = {0};
    for (size_t i = 0; i < m; i++)
        peq[(unsigned char)pat[i]] |= 1ULL << i;
    uint64_t pv = ~0ULL, mv = 0, last = 1ULL << (m - 1);
    uint32_t score = (uint32_t)m;
    for (size_t j = 0; j < n; j++) {
        uint64_t eq = peq[(unsigned char)text[j]];
        uint64_t xv = eq | mv;
        uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
        uint64_t ph = mv | ~(xh | pv);
        uint64_t mh = pv & xh;
        if (ph & last)
            score++;
        else if (mh & last)
            score--;
        ph = (ph << 1) | 1; /* global alignment: the top row grows by one per column */
        mh <<= 1;
        pv = mh | ~(xv | ph);
        mv = ph & xv;
    }
    return score;
}

/* ---------- alignment with traceback ---------- */

static uint32_t dp[MAX_ALIGN + 1][MAX_ALIGN + 1];

static void print_alignment(const char *a, size_t n, const char *b, size_t m) {
    for (size_t i = 0; i <= n; i++)
        dp[i][0] = (uint32_t)i;
    for (size_t j = 0; j <= m; j++)
        dp[0][j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++)
            dp[i][j] = MIN3(dp[i - 1][j - 1] + (a[i - 1] != b[j - 1]), dp[i - 1][j] + 1, dp[i][j - 1] + 1);
    char top[2 * MAX_ALIGN + 1], mid[2 * MAX_ALIGN + 1], bot[2 * MAX_ALIGN + 1];
    size_t k = 0, i = n, j = m;
    unsigned counts[4] = {0};
    while (i > 0 || j > 0) {
        EditOp op;
        if (i > 0 && j > 0 && dp[i][j] == dp[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            op = a[i - 1] == b[j - 1] ? OP_MATCH : OP_SUB;
        else if (i > 0 && dp[i][j] == dp[i - 1][j] + 1)
            op = OP_DEL;
        else
            op = OP_INS;
        counts[op]++;
        switch (op) {
        case OP_MATCH:
        case OP_SUB:
            top[k] = a[--i];
            bot[k] = b[--j];
            mid[k] = op == OP_MATCH ? '|' : '.';
            break;
        case OP_DEL:
            top[k] = a[--i];
            bot[k] = '-';
            mid[k] = ' ';
            break;
        case OP_INS:
            top[k] = '-';
            bot[k] = b[--j];
            mid[k] = ' ';
            break;
        }
        k++;
    }
    /* reverse in place */
    for (size_t x = 0, y = k ? k - 1 : 0; x < y; x++, y--) {
        char t;
        t = top[x], top[x] = top[y], top[y] = t;
        t = mid[x], mid[x] = mid[y], mid[y] = t;
        t = bot[x], bot[x] = bot[y], bot[y] = t;
    }
    top[k] = mid[k] = bot[k] = '\0';
    printf("  distance=%u match=%u sub=%u ins=%u del=%u\n", dp[n][m], counts[OP_MATCH], counts[OP_SUB], counts[OP_INS],
           counts[OP_DEL]);
    for (size_t off = 0; off < k; off += 64) {
        printf("  %.64s\n  %.64s\n  %.64s\n", top + off, mid + off, bot + off);
    }
}

/* ---------- string generation ---------- */

static void random_string(char *s, size_t n, unsigned alpha) {
    for (size_t i = 0; i < n; i++)
        s[i] = alphabet_chars[prng_below(alpha)];
}

/* Copy src into dst applying random edits; returns the new length (at most cap). */
static size_t mutate(const char *src, size_t n, char *dst, size_t cap, unsigned alpha, unsigned percent) {
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        if (prng_below(100) >= percent) {
            dst[k++] = src[i];
            continue;
        }
        switch (prng_below(4)) {
        case 0: /* substitute */
            dst[k++] = alphabet_chars[prng_below(alpha)];
            break;
        case 1: /* delete */
            break;
        case 2: /* insert before */
            dst[k++] = alphabet_chars[prng_below(alpha)];
            if (k < cap)
                dst[k++] = src[i];
            break;
        default: /* transpose with next */
            if (i + 1 < n && k + 1 < cap) {
                dst[k++] = src[i + 1];
                dst[k++] = src[i];
                i++;
            } else {
                dst[k++] = src[i];
            }
            break;
        }
    }
    return k;
}

/* ---------- commands ---------- */

static int parse_num(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out) {
    char *end;
    if (!s || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static void report_pair(const char *a, size_t n, const char *b, size_t m) {
    uint32_t lev = levenshtein(a, n, b, m), osa = osa_distance(a, n, b, m), lcs = lcs_length(a, n, b, m);
    int rounds;
    uint32_t band = banded_doubling(a, n, b, m, &rounds);
    printf("  lev=%u osa=%u lcs=%u banded=%u", lev, osa, lcs, band);
    if (n <= 64)
        printf(" myers=%u", myers64(a, n, b, m));
    printf("\n");
    print_alignment(a, n, b, m);
}

static char *buf_a, *buf_b;

static int cmd_random(unsigned long long pairs, unsigned long long len, unsigned alpha, uint64_t seed,
                      unsigned percent) {
    unsigned long long cells = pairs * len * len * 3;
    if (cells > MAX_CELLS || cells_used + cells > MAX_CELLS)
        return 0;
    cells_used += cells;
    prng_seed(seed);
    uint64_t sum_lev = 0, sum_osa = 0, sum_lcs = 0, sum_rounds = 0, check = 0;
    uint32_t min_lev = UINT32_MAX, max_lev = 0;
    unsigned disagreements = 0;
    for (unsigned long long p = 0; p < pairs; p++) {
        size_t n = (size_t)len - prng_below((uint32_t)(len / 8 + 1));
        random_string(buf_a, n, alpha);
        size_t m = mutate(buf_a, n, buf_b, MAX_LEN, alpha, percent);
        uint32_t lev = levenshtein(buf_a, n, buf_b, m);
        uint32_t osa = osa_distance(buf_a, n, buf_b, m);
        uint32_t lcs = lcs_length(buf_a, n, buf_b, m);
        int rounds;
        uint32_t band = banded_doubling(buf_a, n, buf_b, m, &rounds);
        if (band != lev || osa > lev || lev > n + m - 2 * lcs || (n <= 64 && myers64(buf_a, n, buf_b, m) != lev))
            disagreements++;
        sum_lev += lev;
        sum_osa += osa;
        sum_lcs += lcs;
        sum_rounds += (uint64_t)rounds;
        if (lev < min_lev)
            min_lev = lev;
        if (lev > max_lev)
            max_lev = lev;
        check = (check * 1000003u) ^ ((uint64_t)lev << 40 | (uint64_t)osa << 20 | lcs);
    }
    printf("random pairs=%llu len=%llu alpha=%u mut=%u%%: lev=%llu osa=%llu lcs=%llu min=%u max=%u rounds=%llu "
           "check=%016llx disagree=%u\n",
           pairs, len, alpha, percent, (unsigned long long)sum_lev, (unsigned long long)sum_osa,
           (unsigned long long)sum_lcs, min_lev, max_lev, (unsigned long long)sum_rounds, (unsigned long long)check,
           disagreements);
    return 1;
}

static int valid_word(const char *s) {
    size_t n = strlen(s);
    if (n > MAX_ALIGN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
            return 0;
    return 1;
}

int main(void) {
    static char line[1024];
    buf_a = malloc(MAX_LEN + 1);
    buf_b = malloc(MAX_LEN + 1);
    row_a = malloc((MAX_LEN + 2) * sizeof *row_a);
    row_b = malloc((MAX_LEN + 2) * sizeof *row_b);
    row_c = malloc((MAX_LEN + 2) * sizeof *row_c);
    if (!buf_a || !buf_b || !row_a || !row_b || !row_c)
        die("out of memory");
    int lineno = 0, commands = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(stdin))
            die("line too long");
        char *tok[8];
        int nt = 0;
        for (char *t = strtok(line, " \t\r\n"); t && nt < 8; t = strtok(NULL, " \t\r\n"))
            tok[nt++] = t;
        if (nt == 0 || tok[0][0] == '#')
            continue;
        unsigned long long v[5];
        int ok = 0;
        if (strcmp(tok[0], "random") == 0 && nt == 6) {
            ok = parse_num(tok[1], 1, 100000, &v[0]) && parse_num(tok[2], 1, MAX_LEN, &v[1]) &&
                 parse_num(tok[3], 2, 26, &v[2]) && parse_num(tok[4], 0, UINT64_MAX, &v[3]) &&
                 parse_num(tok[5], 0, 100, &v[4]) && cmd_random(v[0], v[1], (unsigned)v[2], v[3], (unsigned)v[4]);
        } else if (strcmp(tok[0], "pair") == 0 && nt == 3) {
            ok = valid_word(tok[1]) && valid_word(tok[2]);
            if (ok) {
                printf("pair %s %s\n", tok[1], tok[2]);
                report_pair(tok[1], strlen(tok[1]), tok[2], strlen(tok[2]));
            }
        } else if (strcmp(tok[0], "align") == 0 && nt == 4) {
            ok = parse_num(tok[1], 1, MAX_ALIGN, &v[0]) && parse_num(tok[2], 2, 26, &v[1]) &&
                 parse_num(tok[3], 0, UINT64_MAX, &v[2]);
            if (ok) {
                prng_seed(v[2]);
                random_string(buf_a, (size_t)v[0], (unsigned)v[1]);
                size_t m = mutate(buf_a, (size_t)v[0], buf_b, MAX_ALIGN, (unsigned)v[1], 15);
                printf("align len=%llu alpha=%llu seed=%llu\n", v[0], v[1], v[2]);
                report_pair(buf_a, (size_t)v[0], buf_b, m);
            }
        }
        if (!ok) {
            fprintf(stderr, "line %d: bad command or limit exceeded\n", lineno);
            return 1;
        }
        commands++;
    }
    if (commands == 0)
        die("no commands");
    free(buf_a);
    free(buf_b);
    free(row_a);
    free(row_b);
    free(row_c);
    return 0;
}
