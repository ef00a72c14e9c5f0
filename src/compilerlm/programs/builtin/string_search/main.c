/* String search: naive, Knuth-Morris-Pratt, Boyer-Moore-Horspool and
 * Rabin-Karp over a PRNG-generated text, cross-checked against each other.
 * Counts overlapping occurrences and hashes the match positions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT (1 << 22)
#define MAX_PAT 256
#define MAX_PATTERNS 512

typedef struct {
    uint64_t count;
    uint64_t pos_hash;
    long first, last;
} Result;

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

static void record(Result *r, size_t pos) {
    if (r->count == 0)
        r->first = (long)pos;
    r->last = (long)pos;
    r->count++;
    r->pos_hash = (r->pos_hash ^ (uint64_t)pos) * 0x100000001B3ULL;
}

static void reset(Result *r) {
    r->count = 0;
    r->pos_hash = 14695981039346656037ULL;
    r->first = r->last = -1;
}

static void search_naive(const char *t, size_t n, const char *p, size_t m, Result *r) {
    reset(r);
    if (m > n)
        return;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && t[i + j] == p[j])
            j++;
        if (j == m)
            record(r, i);
    }
}

static void search_kmp(const char *t, size_t n, const char *p, size_t m, Result *r) {
    size_t fail[MAX_PAT + 1];
    reset(r);
    if (m > n)
        return;
    fail[0] = 0;
    size_t k = 0;
    for (size_t i = 1; i < m; i++) {
        while (k > 0 && p[i] != p[k])
            k = fail[k - 1];
        if (p[i] == p[k])
            k++;
        fail[i] = k;
    }
    k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k > 0 && t[i] != p[k])
            k = fail[k - 1];
        if (t[i] == p[k])
            k++;
        if (k == m) {
            record(r, i + 1 - m);
            k = fail[k - 1];
        }
    }
}

static void search_horspool(const char *t, size_t n, const char *p, size_t m, Result *r) {
    size_t shift[256];
    reset(r);
    if (m > n)
        return;
    for (int c = 0; c < 256; c++)
        shift[c] = m;
    for (size_t i = 0; i + 1 < m; i++)
        shift[(unsigned char)p[i]] = m - 1 - i;
    size_t i = 0;
    while (i + m <= n) {
        size_t j = m;
        while (j > 0 && t[i + j - 1] == p[j - 1])
            j--;
        if (j == 0)
            record(r, i);
        i += shift[(unsigned char)t[i + m - 1]];
    }
}

#define RK_BASE 257u
#define RK_MOD 1000000007u

static void search_rabin_karp(const char *t, size_t n, const char *p, size_t m, Result *r) {
    reset(r);
    if (m > n)
        return;
    uint64_t hp = 0, ht = 0, high = 1;
    for (size_t i = 0; i < m; i++) {
        hp = (hp * RK_BASE + (unsigned char)p[i]) % RK_MOD;
        ht = (ht * RK_BASE + (unsigned char)t[i]) % RK_MOD;
        if (i + 1 < m)
            high = (high * RK_BASE) % RK_MOD;
    }
    for (size_t i = 0;; i++) {
        if (hp == ht && memcmp(t + i, p, m) == 0)
            record(r, i);
        if (i + m >= n)
            break;
        uint64_t out = ((unsigned char)t[i] * high) % RK_MOD;
        ht = (ht + RK_MOD - out) % RK_MOD;
        ht = (ht * RK_BASE + (unsigned char)t[i + m]) % RK_MOD;
    }
}

static int same(const Result *a, const Result *b) {
    return a->count == b->count && a->pos_hash == b->pos_hash && a->first == b->first &&
           a->last == b->last;
}

int main(void) {
    static char text[MAX_TEXT];
    static char patterns[MAX_PATTERNS][MAX_PAT + 1];
    char line[1024];
    unsigned long n_ul, alpha, rounds;
    unsigned long long seed;
    int np = 0;

    if (!fgets(line, sizeof line, stdin) ||
        sscanf(line, "%lu %lu %llu %lu", &n_ul, &alpha, &seed, &rounds) != 4)
        die("first line must be: TEXT_LEN ALPHABET SEED ROUNDS");
    if (n_ul < 1 || n_ul > MAX_TEXT || alpha < 1 || alpha > 26 || rounds < 1 || rounds > 1000)
        die("parameter out of range");
    size_t n = (size_t)n_ul;
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
    /* skewed letter distribution: letter k has weight proportional to alpha - k/2 */
    for (size_t i = 0; i < n; i++) {
        uint64_t x = rng();
        unsigned long c = (unsigned long)(x % alpha);
        if ((x >> 40) & 1)
            c = (unsigned long)((x >> 20) % (alpha / 2 + 1));
        text[i] = (char)('a' + c);
    }

    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        unsigned long plen, count;
        if (line[0] == '!') {
            /* "!LEN COUNT": patterns sampled from the text, some mutated */
            if (sscanf(line + 1, "%lu %lu", &plen, &count) != 2 || plen < 1 || plen > MAX_PAT ||
                plen > n || count > MAX_PATTERNS)
                die("bad sampled pattern line");
            for (unsigned long k = 0; k < count; k++) {
                if (np >= MAX_PATTERNS)
                    die("too many patterns");
                size_t at = (size_t)(rng() % (n - plen + 1));
                memcpy(patterns[np], text + at, plen);
                patterns[np][plen] = '\0';
                if (rng() % 3 == 0) {
                    /* two statements: the order of two rng() calls in one expression is unspecified */
                    size_t pos = (size_t)(rng() % plen);
                    patterns[np][pos] = (char)('a' + rng() % alpha);
                }
                np++;
            }
            continue;
        }
        if (len > MAX_PAT)
            die("pattern too long");
        for (size_t i = 0; i < len; i++)
            if (line[i] < 'a' || line[i] > 'z')
                die("patterns must be lowercase letters");
        if (np >= MAX_PATTERNS)
            die("too many patterns");
        memcpy(patterns[np++], line, len + 1);
    }
    if (np == 0)
        die("no patterns");

    uint64_t total = 0, combined = 0;
    for (unsigned long round = 0; round < rounds; round++) {
        for (int k = 0; k < np; k++) {
            const char *p = patterns[k];
            size_t m = strlen(p);
            Result rn, rk, rh, rr;
            search_kmp(text, n, p, m, &rk);
            search_horspool(text, n, p, m, &rh);
            search_rabin_karp(text, n, p, m, &rr);
            if (round == 0)
                search_naive(text, n, p, m, &rn);
            else
                rn = rk;
            if (!same(&rn, &rk) || !same(&rn, &rh) || !same(&rn, &rr)) {
                fprintf(stderr, "mismatch on pattern %d\n", k + 1);
                return 1;
            }
            if (round == 0) {
                total += rn.count;
                combined = (combined * 0x9E3779B97F4A7C15ULL) ^ rn.pos_hash;
                if (k < 12)
                    printf("pattern %d len=%zu '%.16s%s': count=%llu first=%ld last=%ld\n", k + 1, m,
                           p, m > 16 ? "..." : "", (unsigned long long)rn.count, rn.first,
                           rn.last);
            }
        }
    }
    uint64_t letters[26] = {0};
    for (size_t i = 0; i < n; i++)
        letters[text[i] - 'a']++;
    printf("text_len=%zu alphabet=%lu patterns=%d\n", n, alpha, np);
    printf("letter counts: a=%llu b=%llu last=%llu\n", (unsigned long long)letters[0],
           (unsigned long long)letters[alpha > 1 ? 1 : 0], (unsigned long long)letters[alpha - 1]);
    printf("total occurrences=%llu combined=%016llx\n", (unsigned long long)total,
           (unsigned long long)combined);
    return 0;
}
