/* bitcount: population-count benchmark in the spirit of the classic automotive
 * bit counting kernels.  Several independent bit counting methods are run over
 * the same stream of pseudo-random 32-bit words (xorshift32 with a seed given on
 * the command line) and their totals are cross-checked.
 *
 * usage: bitcount ITERATIONS [-s SEED] [-m METHODS] [-h]
 *   ITERATIONS  number of words counted by every method (1..10000000)
 *   -s SEED     xorshift seed (non-zero, decimal or 0x hex), default 0x2545F491
 *   -m METHODS  comma separated subset of method names, default all
 *   -h          also print a histogram of per-word bit counts
 * exit status: 0 on success, 2 on a usage error, 3 if methods disagree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*count_fn)(uint32_t);

static unsigned char table8[256];
static unsigned char table4[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

/* shift the word right one bit at a time */
static int count_shift(uint32_t x) {
    int n = 0;
    while (x) {
        n += (int)(x & 1u);
        x >>= 1;
    }
    return n;
}

/* test every one of the 32 positions, no early exit */
static int count_loop32(uint32_t x) {
    int n = 0;
    for (int i = 0; i < 32; i++)
        if (x & (1u << i)) n++;
    return n;
}

/* clear the lowest set bit until nothing is left (Kernighan / Wegner) */
static int count_sparse(uint32_t x) {
    int n = 0;
    while (x) {
        x &= x - 1u;
        n++;
    }
    return n;
}

/* set the lowest clear bit until all are set: fast for dense words */
static int count_dense(uint32_t x) {
    int n = 32;
    uint32_t y = ~x;
    while (y) {
        y &= y - 1u;
        n--;
    }
    return n;
}

static int count_nibble(uint32_t x) {
    int n = 0;
    for (int i = 0; i < 8; i++) {
        n += table4[x & 15u];
        x >>= 4;
    }
    return n;
}

static int count_table8(uint32_t x) {
    return table8[x & 255u] + table8[(x >> 8) & 255u] + table8[(x >> 16) & 255u] + table8[x >> 24];
}

/* SWAR: sum adjacent fields of growing width */
static int count_swar(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int)((x * 0x01010101u) >> 24);
}

/* HAKMEM 169, octal fields then modulo 63 */
static int count_hakmem(uint32_t x) {
    uint32_t t = x - ((x >> 1) & 033333333333u) - ((x >> 2) & 011111111111u);
    return (int)(((t + (t >> 3)) & 030707070707u) % 63u);
}

/* recursive split into halves down to a byte */
static int count_recursive(uint32_t x, int width) {
    if (width == 8) return table8[x & 255u];
    int half = width / 2;
    uint32_t lo_mask = (half == 32) ? 0xFFFFFFFFu : ((1u << half) - 1u);
    return count_recursive(x & lo_mask, half) + count_recursive(x >> half, half);
}
static int count_split(uint32_t x) { return count_recursive(x, 32); }

struct method {
    const char *name;
    count_fn fn;
};

static const struct method methods[] = {
    {"shift", count_shift},   {"loop32", count_loop32}, {"sparse", count_sparse},
    {"dense", count_dense},   {"nibble", count_nibble}, {"table8", count_table8},
    {"swar", count_swar},     {"hakmem", count_hakmem}, {"split", count_split},
};
#define NMETHODS ((int)(sizeof methods / sizeof methods[0]))

static uint32_t xorshift32(uint32_t *s) {
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

_Noreturn static void usage(const char *msg) {
    printf("bitcount: %s\n", msg);
    printf("usage: bitcount ITERATIONS [-s SEED] [-m METHODS] [-h]\n");
    exit(2);
}

static int parse_u32(const char *s, uint32_t *out) {
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (*s == '\0' || *s == '-' || *end != '\0' || v > 0xFFFFFFFFull) return 0;
    *out = (uint32_t)v;
    return 1;
}

static int select_methods(const char *list, int *sel) {
    char buf[256];
    if (strlen(list) >= sizeof buf) return 0;
    strcpy(buf, list);
    for (int i = 0; i < NMETHODS; i++) sel[i] = 0;
    int any = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int found = 0;
        for (int i = 0; i < NMETHODS; i++)
            if (strcmp(tok, methods[i].name) == 0) {
                sel[i] = 1;
                found = 1;
            }
        if (!found) {
            printf("bitcount: unknown method '%s'\n", tok);
            return 0;
        }
        any = 1;
    }
    return any;
}

int main(int argc, char **argv) {
    uint32_t iterations = 0, seed = 0x2545F491u;
    int have_iter = 0, histogram = 0;
    int sel[NMETHODS];
    for (int i = 0; i < NMETHODS; i++) sel[i] = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0) {
            if (++i >= argc || !parse_u32(argv[i], &seed) || seed == 0) usage("bad or missing seed");
        } else if (strcmp(argv[i], "-m") == 0) {
            if (++i >= argc || !select_methods(argv[i], sel)) usage("bad or missing method list");
        } else if (strcmp(argv[i], "-h") == 0) {
            histogram = 1;
        } else if (!have_iter) {
            if (!parse_u32(argv[i], &iterations) || iterations == 0 || iterations > 10000000u)
                usage("ITERATIONS must be in 1..10000000");
            have_iter = 1;
        } else {
            usage("too many arguments");
        }
    }
    if (!have_iter) usage("missing ITERATIONS");

    for (int i = 0; i < 256; i++) table8[i] = (unsigned char)(table4[i & 15] + table4[i >> 4]);

    long long totals[NMETHODS];
    uint32_t digests[NMETHODS];
    long long hist[33];
    memset(hist, 0, sizeof hist);
    int reference = -1, mismatch = 0;

    printf("bitcount: %u words, seed 0x%08X\n", (unsigned)iterations, (unsigned)seed);
    for (int m = 0; m < NMETHODS; m++) {
        if (!sel[m]) continue;
        uint32_t state = seed;
        long long total = 0;
        uint32_t digest = 0;
        for (uint32_t k = 0; k < iterations; k++) {
            uint32_t w = xorshift32(&state);
            /* mix in some sparse and dense words so every path is exercised */
            if ((k & 7u) == 3u) w &= w >> 3;
            else if ((k & 7u) == 5u) w |= w << 2;
            int c = methods[m].fn(w);
            total += c;
            digest = digest * 31u + (uint32_t)c;
            if (reference < 0) hist[c]++;
        }
        totals[m] = total;
        digests[m] = digest;
        if (reference < 0) reference = m;
        else if (total != totals[reference] || digest != digests[reference]) mismatch = 1;
        printf("  %-8s total %10lld  digest %08X\n", methods[m].name, total, (unsigned)digest);
    }

    printf("average bits per word: %lld.%03lld\n", totals[reference] / iterations,
           (totals[reference] % iterations) * 1000 / iterations);
    if (histogram) {
        long long peak = 1;
        for (int b = 0; b <= 32; b++)
            if (hist[b] > peak) peak = hist[b];
        for (int b = 0; b <= 32; b++) {
            if (hist[b] == 0) continue;
            int bar = (int)(hist[b] * 50 / peak);
            printf("%2d %8lld ", b, hist[b]);
            for (int j = 0; j < bar; j++) putchar('#');
            putchar('\n');
        }
    }
    if (mismatch) {
        printf("MISMATCH between methods\n");
        return 3;
    }
    printf("all methods agree\n");
    return 0;
}
