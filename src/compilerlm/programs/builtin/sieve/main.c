/* Prime sieving over ranges.
 *
 * Input lines (0 <= lo <= hi <= 10^12, hi - lo <= 3*10^8):
 *   count <lo> <hi>                 primes in [lo, hi]: count, first, last, sum
 *   twins <lo> <hi>                 twin prime pairs (p, p + 2) inside the range
 *   gaps <lo> <hi>                  largest gap between consecutive primes and a gap histogram
 *   goldbach <lo> <hi>              every even n in [lo, hi] (4 <= n, hi <= 2*10^7) as p + q
 *   verify <lo> <hi> <k> <seed>     k random numbers in range: sieve vs Miller-Rabin
 * '#' starts a comment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HI 1000000000000ULL
#define MAX_WIDTH 300000000ULL
#define MAX_GOLDBACH 20000000ULL
#define MAX_TOTAL_WIDTH 2000000000ULL
#define SEGMENT_ODDS (1u << 18) /* odd numbers per segment */
#define GAP_BUCKETS 12

typedef void (*PrimeVisitor)(uint64_t p, void *ctx);

static uint32_t *base_primes;
static size_t nbase;
static uint64_t base_limit;
static unsigned long long total_width;

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

static uint64_t isqrt64(uint64_t n) {
    uint64_t r = 0;
    for (uint64_t bit = 1ULL << 62; bit; bit >>= 2) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return r;
}

/* Simple sieve for the base primes up to limit (odd-only byte array). */
static void ensure_base_primes(uint64_t limit) {
    if (limit <= base_limit)
        return;
    size_t half = (size_t)(limit / 2 + 1);
    uint8_t *composite = calloc(half, 1);
    if (!composite)
        die("out of memory");
    for (size_t i = 1; (2 * i + 1) * (2 * i + 1) <= limit; i++) {
        if (composite[i])
            continue;
        size_t p = 2 * i + 1;
        for (size_t j = p * p / 2; j < half; j += p)
            composite[j] = 1;
    }
    free(base_primes);
    base_primes = malloc((half + 1) * sizeof *base_primes);
    if (!base_primes)
        die("out of memory");
    nbase = 0;
    for (size_t i = 1; i < half; i++)
        if (!composite[i] && 2 * i + 1 <= limit)
            base_primes[nbase++] = (uint32_t)(2 * i + 1);
    free(composite);
    base_limit = limit;
}

/* Visit every prime in [lo, hi] in increasing order. */
static void sieve_range(uint64_t lo, uint64_t hi, PrimeVisitor visit, void *ctx) {
    if (hi < 2 || lo > hi)
        return;
    if (lo <= 2) {
        visit(2, ctx);
        lo = 3;
    }
    if (lo > hi)
        return;
    ensure_base_primes(isqrt64(hi) + 1);
    static uint64_t bits[SEGMENT_ODDS / 64];
    uint64_t first_odd = lo | 1; /* smallest odd >= lo */
    for (uint64_t seg = first_odd; seg <= hi; seg += 2ULL * SEGMENT_ODDS) {
        uint64_t seg_end = seg + 2ULL * (SEGMENT_ODDS - 1); /* last odd in the segment */
        if (seg_end > hi)
            seg_end = hi;
        size_t count = (size_t)((seg_end - seg) / 2 + 1);
        memset(bits, 0, (count + 63) / 64 * sizeof *bits);
        for (size_t k = 0; k < nbase; k++) {
            uint64_t p = base_primes[k];
            if (p * p > seg_end)
                break;
            uint64_t start = p * p;
            if (start < seg) {
                start = (seg + p - 1) / p * p;
                if (!(start & 1))
                    start += p;
            }
            for (uint64_t m = (start - seg) / 2; m < count; m += p)
                bits[m >> 6] |= 1ULL << (m & 63);
        }
        for (size_t i = 0; i < count; i++) {
            if (!(bits[i >> 6] >> (i & 63) & 1)) {
                uint64_t v = seg + 2 * i;
                if (v > 1)
                    visit(v, ctx);
            }
        }
        if (seg_end == hi || seg_end + 2 < seg_end)
            break;
    }
}

/* ---------- visitors ---------- */

typedef struct {
    uint64_t count, first, last, sum;
} CountCtx;

static void visit_count(uint64_t p, void *vctx) {
    CountCtx *c = vctx;
    if (!c->count)
        c->first = p;
    c->count++;
    c->last = p;
    c->sum += p;
}

typedef struct {
    uint64_t prev, pairs, last_pair, hi;
} TwinCtx;

static void visit_twin(uint64_t p, void *vctx) {
    TwinCtx *t = vctx;
    if (t->prev && p - t->prev == 2) {
        t->pairs++;
        t->last_pair = t->prev;
    }
    t->prev = p;
}

typedef struct {
    uint64_t prev, max_gap, max_at, primes;
    uint64_t hist[GAP_BUCKETS]; /* gaps 2,4,...; the last bucket collects the rest */
    uint64_t gap_one;
} GapCtx;

static void visit_gap(uint64_t p, void *vctx) {
    GapCtx *g = vctx;
    g->primes++;
    if (g->prev) {
        uint64_t gap = p - g->prev;
        if (gap == 1) {
            g->gap_one++;
        } else {
            size_t b = (size_t)(gap / 2 - 1);
            g->hist[b < GAP_BUCKETS ? b : GAP_BUCKETS - 1]++;
        }
        if (gap > g->max_gap) {
            g->max_gap = gap;
            g->max_at = g->prev;
        }
    }
    g->prev = p;
}

typedef struct {
    uint8_t *is_prime;
} FlagCtx;

static void visit_flag(uint64_t p, void *vctx) { ((FlagCtx *)vctx)->is_prime[p] = 1; }

/* ---------- Miller-Rabin (deterministic below 3.4e14 with these bases) ---------- */

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) {
    /* m < 2^40: split b into 20-bit halves so no product exceeds 2^61 */
    uint64_t hi = (a * (b >> 20)) % m;
    uint64_t lo = (a * (b & 0xFFFFF)) % m;
    return ((hi << 20) % m + lo) % m;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
    uint64_t r = 1 % m;
    b %= m;
    while (e) {
        if (e & 1)
            r = mulmod(r, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    return r;
}

static int miller_rabin(uint64_t n) {
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17};
    if (n < 2)
        return 0;
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (n == bases[i])
            return 1;
        if (n % bases[i] == 0)
            return 0;
    }
    uint64_t d = n - 1;
    int s = 0;
    while (!(d & 1)) {
        d >>= 1;
        s++;
    }
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        uint64_t x = powmod(bases[i], d, n);
        if (x == 1 || x == n - 1)
            continue;
        int witness = 1;
        for (int r = 1; r < s; r++) {
            x = mulmod(x, x, n);
            if (x == n - 1) {
                witness = 0;
                break;
            }
        }
        if (witness)
            return 0;
    }
    return 1;
}

/* ---------- commands ---------- */

static void cmd_count(uint64_t lo, uint64_t hi) {
    CountCtx c = {0, 0, 0, 0};
    sieve_range(lo, hi, visit_count, &c);
    printf("count [%llu, %llu]: %llu primes", (unsigned long long)lo, (unsigned long long)hi,
           (unsigned long long)c.count);
    if (c.count)
        printf(" first=%llu last=%llu sum=%llu", (unsigned long long)c.first, (unsigned long long)c.last,
               (unsigned long long)c.sum);
    printf("\n");
}

static void cmd_twins(uint64_t lo, uint64_t hi) {
    TwinCtx t = {0, 0, 0, hi};
    sieve_range(lo, hi, visit_twin, &t);
    printf("twins [%llu, %llu]: %llu pairs", (unsigned long long)lo, (unsigned long long)hi,
           (unsigned long long)t.pairs);
    if (t.pairs)
        printf(" last=(%llu, %llu)", (unsigned long long)t.last_pair, (unsigned long long)t.last_pair + 2);
    printf("\n");
}

static void cmd_gaps(uint64_t lo, uint64_t hi) {
    GapCtx g;
    memset(&g, 0, sizeof g);
    sieve_range(lo, hi, visit_gap, &g);
    printf("gaps [%llu, %llu]: primes=%llu max=%llu after %llu\n  hist:", (unsigned long long)lo,
           (unsigned long long)hi, (unsigned long long)g.primes, (unsigned long long)g.max_gap,
           (unsigned long long)g.max_at);
    if (g.gap_one)
        printf(" 1:%llu", (unsigned long long)g.gap_one);
    for (int b = 0; b < GAP_BUCKETS; b++)
        printf(" %d%s:%llu", 2 * (b + 1), b == GAP_BUCKETS - 1 ? "+" : "", (unsigned long long)g.hist[b]);
    printf("\n");
}

static void cmd_goldbach(uint64_t lo, uint64_t hi) {
    FlagCtx f;
    f.is_prime = calloc((size_t)hi + 1, 1);
    if (!f.is_prime)
        die("out of memory");
    sieve_range(0, hi, visit_flag, &f);
    uint64_t checked = 0, failures = 0, worst_n = 0, worst_p = 0, sum_p = 0;
    uint64_t start = lo < 4 ? 4 : lo + (lo & 1);
    for (uint64_t n = start; n <= hi; n += 2) {
        uint64_t p = 2;
        while (p <= n / 2 && !(f.is_prime[p] && f.is_prime[n - p]))
            p = p == 2 ? 3 : p + 2;
        checked++;
        if (p > n / 2) {
            failures++;
            continue;
        }
        sum_p += p;
        if (p > worst_p) {
            worst_p = p;
            worst_n = n;
        }
    }
    /* count all partitions of the top even number as a bonus statistic */
    uint64_t top = hi & ~1ULL, partitions = 0;
    if (top >= 4)
        for (uint64_t p = 2; p <= top / 2; p++)
            partitions += f.is_prime[p] && f.is_prime[top - p];
    printf("goldbach [%llu, %llu]: checked=%llu failures=%llu sum_min_p=%llu hardest=%llu=%llu+%llu "
           "partitions(%llu)=%llu\n",
           (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)checked, (unsigned long long)failures,
           (unsigned long long)sum_p, (unsigned long long)worst_n, (unsigned long long)worst_p,
           (unsigned long long)(worst_n - worst_p), (unsigned long long)top, (unsigned long long)partitions);
    free(f.is_prime);
}

typedef struct {
    uint64_t *sorted;
    size_t n, idx;
    uint64_t hits;
} ProbeCtx;

static void visit_probe(uint64_t p, void *vctx) {
    ProbeCtx *c = vctx;
    while (c->idx < c->n && c->sorted[c->idx] < p)
        c->idx++;
    while (c->idx < c->n && c->sorted[c->idx] == p) {
        c->hits++;
        c->idx++;
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void cmd_verify(uint64_t lo, uint64_t hi, uint64_t k, uint64_t seed) {
    uint64_t *samples = malloc((size_t)k * sizeof *samples);
    if (!samples)
        die("out of memory");
    uint64_t s = seed, mr = 0;
    for (uint64_t i = 0; i < k; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        samples[i] = lo + (s >> 11) % (hi - lo + 1);
        mr += (uint64_t)miller_rabin(samples[i]);
    }
    qsort(samples, (size_t)k, sizeof *samples, cmp_u64);
    ProbeCtx c = {samples, (size_t)k, 0, 0};
    sieve_range(lo, hi, visit_probe, &c);
    printf("verify [%llu, %llu] k=%llu: miller-rabin=%llu sieve=%llu %s\n", (unsigned long long)lo,
           (unsigned long long)hi, (unsigned long long)k, (unsigned long long)mr, (unsigned long long)c.hits,
           mr == c.hits ? "agree" : "DISAGREE");
    free(samples);
}

static int parse_u64(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000000000ULL)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 1;
}

int main(void) {
    char line[256];
    int lineno = 0, done = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        char cmd[16], a[32], b[32], c[32], d[32], e[2];
        int nf = sscanf(line, "%15s %31s %31s %31s %31s %1s", cmd, a, b, c, d, e);
        if (nf <= 0 || cmd[0] == '#')
            continue;
        uint64_t lo, hi, k, seed;
        int ok = nf >= 3 && parse_u64(a, &lo) && parse_u64(b, &hi) && lo <= hi && hi <= MAX_HI &&
                 hi - lo <= MAX_WIDTH;
        if (ok) {
            total_width += hi - lo + 1;
            ok = total_width <= MAX_TOTAL_WIDTH;
        }
        if (ok && nf == 3 && strcmp(cmd, "count") == 0)
            cmd_count(lo, hi);
        else if (ok && nf == 3 && strcmp(cmd, "twins") == 0)
            cmd_twins(lo, hi);
        else if (ok && nf == 3 && strcmp(cmd, "gaps") == 0)
            cmd_gaps(lo, hi);
        else if (ok && nf == 3 && strcmp(cmd, "goldbach") == 0 && hi <= MAX_GOLDBACH)
            cmd_goldbach(lo, hi);
        else if (ok && nf == 5 && strcmp(cmd, "verify") == 0 && parse_u64(c, &k) && k >= 1 && k <= 1000000 &&
                 parse_u64(d, &seed))
            cmd_verify(lo, hi, k, seed);
        else {
            fprintf(stderr, "line %d: bad command or range\n", lineno);
            return 1;
        }
        done++;
    }
    if (!done)
        die("no commands");
    free(base_primes);
    return 0;
}
