/* Sorting suite: runs several sorting algorithms over PRNG-generated arrays with different
 * distributions, verifies each result and prints per-algorithm checksums and comparison counts.
 *
 * Input: a sequence of cases, one per line: "<n> <seed> <distribution>", where distribution is
 * one of random, sorted, reversed, fewunique, organ, sawtooth, nearly. Lines starting with '#'
 * are comments. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 2000000
#define MAX_CASES 64
#define MAX_TOTAL 4000000 /* elements over all cases, bounds the run time */
#define INSERTION_CUTOFF 16
#define SWAP(a, b)          \
    do {                    \
        uint32_t t_ = (a);  \
        (a) = (b);          \
        (b) = t_;           \
    } while (0)

typedef enum { DIST_RANDOM, DIST_SORTED, DIST_REVERSED, DIST_FEWUNIQUE, DIST_ORGAN, DIST_SAWTOOTH, DIST_NEARLY, DIST_COUNT } Distribution;

static const char *const dist_names[DIST_COUNT] = {"random", "sorted", "reversed", "fewunique", "organ", "sawtooth", "nearly"};

typedef struct {
    const char *name;
    void (*sort)(uint32_t *a, size_t n);
} Algorithm;

static uint64_t comparisons;
static uint32_t *scratch; /* temp buffer for mergesort and radix sort */

/* ---------- PRNG ---------- */

static uint64_t rng_state;

static void rng_seed(uint64_t s) {
    rng_state = s ^ 0x9E3779B97F4A7C15ULL;
    if (rng_state == 0)
        rng_state = 1;
}

static uint32_t rng_next(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return (uint32_t)(x >> 32);
}

static inline int less(uint32_t a, uint32_t b) {
    comparisons++;
    return a < b;
}

/* ---------- insertion sort ---------- */

static void insertion_range(uint32_t *a, size_t lo, size_t hi) {
    for (size_t i = lo + 1; i < hi; i++) {
        uint32_t v = a[i];
        size_t j = i;
        while (j > lo && less(v, a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* ---------- heapsort ---------- */

static void sift_down(uint32_t *a, size_t start, size_t root, size_t end) {
    /* heap occupies a[start .. end), root is relative index */
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= end - start)
            break;
        if (child + 1 < end - start && less(a[start + child], a[start + child + 1]))
            child++;
        if (!less(a[start + root], a[start + child]))
            break;
        SWAP(a[start + root], a[start + child]);
        root = child;
    }
}

static void heapsort_range(uint32_t *a, size_t lo, size_t hi) {
    size_t n = hi - lo;
    if (n < 2)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, lo, i, hi);
    for (size_t end = hi - 1; end > lo; end--) {
        SWAP(a[lo], a[end]);
        sift_down(a, lo, 0, end);
    }
}

static void heap_sort(uint32_t *a, size_t n) { heapsort_range(a, 0, n); }

/* ---------- introsort ---------- */

static size_t median_of_three(uint32_t *a, size_t i, size_t j, size_t k) {
    if (less(a[i], a[j])) {
        if (less(a[j], a[k]))
            return j;
        return less(a[i], a[k]) ? k : i;
    }
    if (less(a[i], a[k]))
        return i;
    return less(a[j], a[k]) ? k : j;
}

static void introsort_rec(uint32_t *a, size_t lo, size_t hi, int depth) {
    while (hi - lo > INSERTION_CUTOFF) {
        if (depth == 0) {
            heapsort_range(a, lo, hi);
            return;
        }
        depth--;
        size_t mid = lo + (hi - lo) / 2;
        size_t p = median_of_three(a, lo, mid, hi - 1);
        uint32_t pivot = a[p];
        /* Hoare partition */
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (less(a[i], pivot))
                i++;
            while (less(pivot, a[j]))
                j--;
            if (i >= j)
                break;
            SWAP(a[i], a[j]);
            i++;
            j--;
        }
        size_t split = j + 1;
        /* recurse into the smaller half, loop on the larger */
        if (split - lo < hi - split) {
            introsort_rec(a, lo, split, depth);
            lo = split;
        } else {
            introsort_rec(a, split, hi, depth);
            hi = split;
        }
    }
    insertion_range(a, lo, hi);
}

static void intro_sort(uint32_t *a, size_t n) {
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    if (n > 1)
        introsort_rec(a, 0, n, depth);
}

/* ---------- mergesort ---------- */

static void merge_rec(uint32_t *a, uint32_t *tmp, size_t lo, size_t hi) {
    if (hi - lo <= INSERTION_CUTOFF) {
        insertion_range(a, lo, hi);
        return;
    }
    size_t mid = lo + (hi - lo) / 2;
    merge_rec(a, tmp, lo, mid);
    merge_rec(a, tmp, mid, hi);
    if (!less(a[mid], a[mid - 1]))
        return; /* already ordered */
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = less(a[j], a[i]) ? a[j++] : a[i++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < hi)
        tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (hi - lo) * sizeof *a);
}

static void merge_sort(uint32_t *a, size_t n) {
    if (n > 1)
        merge_rec(a, scratch, 0, n);
}

/* ---------- shellsort (Ciura gaps extended) ---------- */

static const size_t shell_gaps[] = {1, 4, 10, 23, 57, 132, 301, 701, 1750, 3937, 8858, 19930, 44842, 100894, 227011, 510774, 1149241};

static void shell_sort(uint32_t *a, size_t n) {
    int g = (int)(sizeof shell_gaps / sizeof shell_gaps[0]) - 1;
    for (; g >= 0; g--) {
        size_t gap = shell_gaps[g];
        if (gap >= n)
            continue;
        for (size_t i = gap; i < n; i++) {
            uint32_t v = a[i];
            size_t j = i;
            while (j >= gap && less(v, a[j - gap])) {
                a[j] = a[j - gap];
                j -= gap;
            }
            a[j] = v;
        }
    }
}

/* ---------- LSD radix sort, 8 bits per pass ---------- */

static void radix_sort(uint32_t *a, size_t n) {
    uint32_t *src = a, *dst = scratch;
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[((src[i] >> shift) & 0xFF) + 1]++;
        if (count[((src[0] >> shift) & 0xFF) + 1] == n)
            continue; /* all keys share this digit */
        for (int d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

static const Algorithm algorithms[] = {
    {"introsort", intro_sort}, {"mergesort", merge_sort}, {"heapsort", heap_sort},
    {"shellsort", shell_sort}, {"radix", radix_sort},
};
#define NUM_ALGOS (sizeof algorithms / sizeof algorithms[0])

/* ---------- data generation ---------- */

static void generate(uint32_t *a, size_t n, Distribution d) {
    switch (d) {
    case DIST_RANDOM:
        for (size_t i = 0; i < n; i++)
            a[i] = rng_next();
        break;
    case DIST_SORTED:
        for (size_t i = 0; i < n; i++)
            a[i] = (uint32_t)i * 3u + (rng_next() & 1u);
        break;
    case DIST_REVERSED:
        for (size_t i = 0; i < n; i++)
            a[i] = (uint32_t)(n - i) * 5u;
        break;
    case DIST_FEWUNIQUE:
        for (size_t i = 0; i < n; i++)
            a[i] = (rng_next() % 13u) * 1000003u;
        break;
    case DIST_ORGAN:
        for (size_t i = 0; i < n; i++)
            a[i] = (uint32_t)(i < n / 2 ? i : n - i);
        break;
    case DIST_SAWTOOTH:
        for (size_t i = 0; i < n; i++)
            a[i] = (uint32_t)(i % 1024u) ^ (rng_next() & 0xF0000u);
        break;
    case DIST_NEARLY:
        for (size_t i = 0; i < n; i++)
            a[i] = (uint32_t)i;
        for (size_t k = 0; k < n / 64 + 1; k++) {
            size_t x = rng_next() % n, y = rng_next() % n;
            SWAP(a[x], a[y]);
        }
        break;
    default:
        break;
    }
}

static int parse_distribution(const char *s, Distribution *out) {
    for (int i = 0; i < DIST_COUNT; i++) {
        if (strcmp(s, dist_names[i]) == 0) {
            *out = (Distribution)i;
            return 1;
        }
    }
    return 0;
}

static uint64_t checksum(const uint32_t *a, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= a[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t count_inversions_adjacent(const uint32_t *a, size_t n) {
    size_t bad = 0;
    for (size_t i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            bad++;
    return bad;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out) {
    char *end;
    if (*s < '0' || *s > '9')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || v > max)
        return 0;
    *out = v;
    return 1;
}

static int run_case(size_t n, uint64_t seed, Distribution d, uint32_t *orig, uint32_t *work) {
    rng_seed(seed);
    generate(orig, n, d);
    uint64_t in_sum = 0;
    for (size_t i = 0; i < n; i++)
        in_sum += orig[i];
    printf("case n=%zu seed=%llu dist=%s input=%016llx\n", n, (unsigned long long)seed, dist_names[d],
           (unsigned long long)checksum(orig, n));
    uint64_t reference = 0;
    int ok = 1;
    for (size_t k = 0; k < NUM_ALGOS; k++) {
        memcpy(work, orig, n * sizeof *work);
        comparisons = 0;
        algorithms[k].sort(work, n);
        uint64_t out_sum = 0;
        for (size_t i = 0; i < n; i++)
            out_sum += work[i];
        size_t bad = count_inversions_adjacent(work, n);
        uint64_t h = checksum(work, n);
        if (k == 0)
            reference = h;
        int good = bad == 0 && out_sum == in_sum && h == reference;
        ok &= good;
        printf("  %-10s cmp=%llu hash=%016llx min=%u med=%u max=%u %s\n", algorithms[k].name,
               (unsigned long long)comparisons, (unsigned long long)h, work[0], work[n / 2], work[n - 1],
               good ? "ok" : "FAIL");
    }
    return ok;
}

int main(void) {
    static char line[256];
    size_t cap = 0;
    uint32_t *orig = NULL, *work = NULL;
    int cases = 0, all_ok = 1;
    size_t total = 0;
    int lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(stdin)) {
            fprintf(stderr, "line %d too long\n", lineno);
            return 1;
        }
        char a[64], b[64], c[64], extra[8];
        int got = sscanf(line, "%63s %63s %63s %7s", a, b, c, extra);
        if (got <= 0 || a[0] == '#')
            continue;
        unsigned long long n, seed;
        Distribution d;
        if (got != 3 || !parse_uint(a, MAX_N, &n) || n == 0 || !parse_uint(b, UINT64_MAX, &seed) ||
            !parse_distribution(c, &d)) {
            fprintf(stderr, "line %d: expected '<n> <seed> <distribution>'\n", lineno);
            return 1;
        }
        total += (size_t)n;
        if (++cases > MAX_CASES || total > MAX_TOTAL) {
            fprintf(stderr, "too many cases or elements\n");
            return 1;
        }
        if (n > cap) {
            free(orig);
            free(work);
            free(scratch);
            cap = n;
            orig = malloc(cap * sizeof *orig);
            work = malloc(cap * sizeof *work);
            scratch = malloc(cap * sizeof *scratch);
            if (!orig || !work || !scratch) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
        }
        all_ok &= run_case((size_t)n, seed, d, orig, work);
    }
    if (cases == 0) {
        fprintf(stderr, "no cases\n");
        return 1;
    }
    printf("%d cases, %s\n", cases, all_ok ? "all sorted" : "FAILURES");
    free(orig);
    free(work);
    free(scratch);
    return 0;
}
