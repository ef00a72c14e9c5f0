/* Segmented sieve of Eratosthenes with a few classic prime statistics.
 *
 * Input lines ('#' starts a comment):
 *   count <lo> <hi>       primes in [lo, hi]: count, twin pairs, sum, max gap,
 *                         first/last prime, residue classes mod 4 and mod 6
 *   goldbach <lo> <hi>    every even n in [lo, hi] (n >= 4) as p + q, p <= q
 *                         prime: total representations, minimum / maximum
 *   pi <x> <step>         prime counting function sampled every step up to x,
 *                         cross-checked against a trial-division count for small x
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEG 32768u
#define MAX_HI 1000000000000ULL   /* 1e12 */
#define MAX_SPAN 3000000000ULL
#define MAX_GOLD 30000000ULL

static uint32_t *base_primes;
static size_t base_count;
static uint64_t base_limit;

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

static uint64_t isqrt64(uint64_t x) {
    uint64_t r = 0;
    for (uint64_t bit = 1ULL << 31; bit; bit >>= 1) {
        uint64_t c = r | bit;
        if (c * c <= x)
            r = c;
    }
    return r;
}

/* Simple sieve for base primes up to lim (inclusive). */
static void ensure_base(uint64_t lim) {
    if (lim <= base_limit && base_primes)
        return;
    free(base_primes);
    uint8_t *comp = xmalloc(lim + 1);
    memset(comp, 0, lim + 1);
    base_count = 0;
    for (uint64_t i = 2; i <= lim; i++)
        if (!comp[i]) {
            base_count++;
            for (uint64_t j = i * i; j <= lim; j += i)
                comp[j] = 1;
        }
    base_primes = xmalloc(base_count * sizeof(uint32_t));
    size_t k = 0;
    for (uint64_t i = 2; i <= lim; i++)
        if (!comp[i])
            base_primes[k++] = (uint32_t)i;
    free(comp);
    base_limit = lim;
}

typedef void (*PrimeFn)(uint64_t p, void *ctx);

/* Enumerate primes in [lo, hi] in increasing order. */
static void segmented(uint64_t lo, uint64_t hi, PrimeFn fn, void *ctx) {
    static uint8_t seg[SEG];
    if (lo < 2)
        lo = 2;
    if (hi < lo)
        return;
    ensure_base(isqrt64(hi) + 1);
    for (uint64_t start = lo; start <= hi; start += SEG) {
        uint64_t end = start + SEG - 1 < hi ? start + SEG - 1 : hi;
        size_t len = (size_t)(end - start + 1);
        memset(seg, 1, len);
        for (size_t i = 0; i < base_count; i++) {
            uint64_t p = base_primes[i];
            if (p * p > end)
                break;
            uint64_t m = (start + p - 1) / p * p;
            if (m < p * p)
                m = p * p;
            for (; m <= end; m += p)
                seg[m - start] = 0;
        }
        for (size_t i = 0; i < len; i++)
            if (seg[i])
                fn(start + i, ctx);
        if (end == hi)
            break;
    }
}

typedef struct {
    uint64_t count, twins, sum, first, last, gap, gap_at;
    uint64_t mod4[4], mod6[6];
} Stats;

static void stats_cb(uint64_t p, void *vctx) {
    Stats *s = vctx;
    if (s->count == 0) {
        s->first = p;
    } else {
        uint64_t g = p - s->last;
        if (g == 2)
            s->twins++;
        if (g > s->gap) {
            s->gap = g;
            s->gap_at = s->last;
        }
    }
    s->count++;
    s->sum += p * (s->count | 1);
    s->last = p;
    s->mod4[p % 4]++;
    s->mod6[p % 6]++;
}

static void cmd_count(uint64_t lo, uint64_t hi) {
    Stats s;
    memset(&s, 0, sizeof s);
    segmented(lo, hi, stats_cb, &s);
    printf("count [%llu,%llu]: primes=%llu twins=%llu wsum=%016llx\n", (unsigned long long)lo,
           (unsigned long long)hi, (unsigned long long)s.count, (unsigned long long)s.twins,
           (unsigned long long)s.sum);
    if (s.count) {
        printf("  first=%llu last=%llu maxgap=%llu after %llu\n", (unsigned long long)s.first,
               (unsigned long long)s.last, (unsigned long long)s.gap,
               (unsigned long long)s.gap_at);
        printf("  mod4: 1:%llu 3:%llu  mod6: 1:%llu 5:%llu\n", (unsigned long long)s.mod4[1],
               (unsigned long long)s.mod4[3], (unsigned long long)s.mod6[1],
               (unsigned long long)s.mod6[5]);
    }
}

typedef struct {
    uint8_t *is_prime;
    uint32_t *list;
    size_t n;
} PrimeTable;

static void table_cb(uint64_t p, void *vctx) {
    PrimeTable *t = vctx;
    t->is_prime[p] = 1;
    t->list[t->n++] = (uint32_t)p;
}

static int cmd_goldbach(uint64_t lo, uint64_t hi) {
    if (lo < 4)
        lo = 4;
    if (lo & 1)
        lo++;
    PrimeTable t;
    t.is_prime = xmalloc(hi + 1);
    memset(t.is_prime, 0, hi + 1);
    t.list = xmalloc((hi / 2 + 2) * sizeof(uint32_t));
    t.n = 0;
    segmented(2, hi, table_cb, &t);
    uint64_t evens = 0, total = 0, minc = UINT64_MAX, maxc = 0, min_at = 0, max_at = 0;
    uint64_t failures = 0, minp_sum = 0, h = 1469598103934665603ULL;
    for (uint64_t n = lo; n <= hi; n += 2) {
        uint64_t c = 0, minp = 0;
        for (size_t i = 0; i < t.n; i++) {
            uint64_t p = t.list[i];
            if (2 * p > n)
                break;
            if (t.is_prime[n - p]) {
                if (!c)
                    minp = p;
                c++;
            }
        }
        evens++;
        total += c;
        minp_sum += minp;
        h = (h ^ c) * 1099511628211ULL;
        if (c == 0)
            failures++;
        if (c < minc) {
            minc = c;
            min_at = n;
        }
        if (c > maxc) {
            maxc = c;
            max_at = n;
        }
    }
    if (evens == 0) {
        printf("goldbach [%llu,%llu]: no even numbers\n", (unsigned long long)lo,
               (unsigned long long)hi);
    } else {
        printf("goldbach [%llu,%llu]: evens=%llu reps=%llu hash=%016llx failures=%llu\n",
               (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)evens,
               (unsigned long long)total, (unsigned long long)h,
               (unsigned long long)failures);
        printf("  min=%llu at %llu max=%llu at %llu sum(min p)=%llu\n", (unsigned long long)minc,
               (unsigned long long)min_at, (unsigned long long)maxc, (unsigned long long)max_at,
               (unsigned long long)minp_sum);
    }
    free(t.is_prime);
    free(t.list);
    return 0;
}

typedef struct {
    uint64_t step, next, count, checks;
    uint64_t samples[8];
    int ns;
} PiCtx;

static void pi_cb(uint64_t p, void *vctx) {
    PiCtx *c = vctx;
    while (p > c->next) {
        if (c->ns < 8)
            c->samples[c->ns++] = c->count;
        c->checks = (c->checks * 31 + c->count) & 0xFFFFFFFFFFFFULL;
        c->next += c->step;
    }
    c->count++;
}

static uint64_t trial_pi(uint64_t x) {
    uint64_t c = 0;
    for (uint64_t n = 2; n <= x; n++) {
        int prime = 1;
        for (uint64_t d = 2; d * d <= n; d++)
            if (n % d == 0) {
                prime = 0;
                break;
            }
        c += (uint64_t)prime;
    }
    return c;
}

static void cmd_pi(uint64_t x, uint64_t step) {
    PiCtx c;
    memset(&c, 0, sizeof c);
    c.step = step;
    c.next = step;
    segmented(2, x, pi_cb, &c);
    while (c.next <= x) {
        if (c.ns < 8)
            c.samples[c.ns++] = c.count;
        c.checks = (c.checks * 31 + c.count) & 0xFFFFFFFFFFFFULL;
        c.next += step;
    }
    printf("pi(%llu)=%llu checks=%012llx samples:", (unsigned long long)x,
           (unsigned long long)c.count, (unsigned long long)c.checks);
    for (int i = 0; i < c.ns; i++)
        printf(" %llu", (unsigned long long)c.samples[i]);
    printf("\n");
    if (x <= 200000)
        printf("  trial division agrees: %s\n", trial_pi(x) == c.count ? "yes" : "NO");
}

int main(void) {
    char line[256];
    int cmds = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char cmd[32];
        unsigned long long a, b;
        char extra;
        int got = sscanf(line, "%31s %llu %llu %c", cmd, &a, &b, &extra);
        if (got <= 0)
            continue;
        if (got != 3 || b > MAX_HI) {
            fprintf(stderr, "bad line: %s", line);
            return 1;
        }
        if (strcmp(cmd, "count") == 0) {
            if (a > b || b - a > MAX_SPAN) {
                fprintf(stderr, "bad range: %s", line);
                return 1;
            }
            cmd_count(a, b);
        } else if (strcmp(cmd, "goldbach") == 0) {
            if (a > b || b > MAX_GOLD) {
                fprintf(stderr, "bad goldbach range: %s", line);
                return 1;
            }
            cmd_goldbach(a, b);
        } else if (strcmp(cmd, "pi") == 0) {
            if (a > MAX_SPAN || b == 0) {
                fprintf(stderr, "bad pi arguments: %s", line);
                return 1;
            }
            cmd_pi(a, b);
        } else {
            fprintf(stderr, "unknown command: %s\n", cmd);
            return 1;
        }
        cmds++;
    }
    if (!cmds) {
        fprintf(stderr, "no commands\n");
        return 1;
    }
    free(base_primes);
    return 0;
}
