/* Bit tricks, each implemented several ways and cross-checked.
 *
 * Input lines:
 *   popcount <n> <seed>     population count variants over n random words
 *   reverse <n> <seed>      bit reversal (32 and 64 bit) variants
 *   zeros <n> <seed>        ctz / clz / log2 / power-of-two helpers
 *   gray <n> <start>        Gray code encode/decode on n consecutive integers from start
 *   combos <bits> <k>       all k-subsets of a bits-wide word via Gosper's hack (bits <= 32)
 *   morton <n> <seed>       2-D and 3-D Morton interleaving, loop vs magic numbers
 *   mix <n> <seed>          random walk through a table of bijective word transforms
 * '#' starts a comment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 50000000ULL
#define MAX_TOTAL 200000000ULL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ROTL64(x, r) (((x) << ((r) & 63)) | ((x) >> ((64 - ((r) & 63)) & 63)))

typedef unsigned (*PopFn)(uint64_t);
typedef uint32_t (*Rev32Fn)(uint32_t);
typedef unsigned (*CtzFn)(uint64_t);

typedef struct {
    const char *name;
    unsigned long long mismatches;
    uint64_t sum;
} Tally;

static uint8_t pop_table[256];
static uint8_t rev_table[256];
static unsigned long long total_work;

/* ---------- PRNG: wyrand ---------- */

static uint64_t wy_state;

static uint64_t wyrand(void) {
    wy_state += 0xA0761D6478BD642FULL;
    uint64_t a = wy_state, b = wy_state ^ 0xE7037ED1A0B428DBULL;
    /* 64x64 -> 128 multiply folded, done with 32-bit halves to stay portable */
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + lo_hi;
    uint64_t hi = hi_hi + (hi_lo >> 32) + (cross >> 32);
    uint64_t lo = (cross << 32) | (lo_lo & 0xFFFFFFFFu);
    return hi ^ lo;
}

/* random words with varied density so that sparse and dense cases both occur */
static uint64_t random_word(void) {
    uint64_t x = wyrand();
    switch (x & 7) {
    case 0:
        return x & wyrand() & wyrand();
    case 1:
        return x | wyrand();
    case 2:
        return x >> (wyrand() & 63);
    case 3:
        return 1ULL << (wyrand() & 63);
    default:
        return x;
    }
}

static void init_tables(void) {
    for (int i = 0; i < 256; i++) {
        pop_table[i] = (uint8_t)((i & 1) + pop_table[i / 2]);
        unsigned r = 0;
        for (int b = 0; b < 8; b++)
            if (i >> b & 1)
                r |= 1u << (7 - b);
        rev_table[i] = (uint8_t)r;
    }
}

/* ---------- popcount ---------- */

static unsigned pop_loop(uint64_t x) {
    unsigned c = 0;
    for (int i = 0; i < 64; i++)
        c += (unsigned)(x >> i & 1);
    return c;
}

static unsigned pop_kernighan(uint64_t x) {
    unsigned c = 0;
    while (x) {
        x &= x - 1;
        c++;
    }
    return c;
}

static unsigned pop_table8(uint64_t x) {
    unsigned c = 0;
    for (int i = 0; i < 8; i++, x >>= 8)
        c += pop_table[x & 0xFF];
    return c;
}

static unsigned pop_swar(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

static unsigned pop_builtin(uint64_t x) { return (unsigned)__builtin_popcountll(x); }

static const struct {
    const char *name;
    PopFn fn;
} pop_variants[] = {
    {"loop", pop_loop}, {"kernighan", pop_kernighan}, {"table", pop_table8}, {"swar", pop_swar}, {"builtin", pop_builtin},
};

static void cmd_popcount(unsigned long long n) {
    Tally t[ARRAY_LEN(pop_variants)];
    unsigned hist[65] = {0};
    for (size_t v = 0; v < ARRAY_LEN(pop_variants); v++)
        t[v] = (Tally){pop_variants[v].name, 0, 0};
    for (unsigned long long i = 0; i < n; i++) {
        uint64_t x = random_word();
        unsigned ref = pop_variants[0].fn(x);
        hist[ref]++;
        for (size_t v = 0; v < ARRAY_LEN(pop_variants); v++) {
            unsigned c = pop_variants[v].fn(x);
            t[v].sum += c;
            t[v].mismatches += c != ref;
        }
    }
    printf("popcount n=%llu:", n);
    for (size_t v = 0; v < ARRAY_LEN(t); v++)
        printf(" %s=%llu/%llu", t[v].name, (unsigned long long)t[v].sum, t[v].mismatches);
    printf("\n  hist:");
    for (int b = 0; b <= 64; b += 4)
        printf(" %u", hist[b]);
    printf("\n");
}

/* ---------- bit reversal ---------- */

static uint32_t rev_loop(uint32_t x) {
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) {
        r = (r << 1) | (x & 1);
        x >>= 1;
    }
    return r;
}

static uint32_t rev_table32(uint32_t x) {
    return (uint32_t)rev_table[x & 0xFF] << 24 | (uint32_t)rev_table[x >> 8 & 0xFF] << 16 |
           (uint32_t)rev_table[x >> 16 & 0xFF] << 8 | rev_table[x >> 24];
}

static uint32_t rev_swap(uint32_t x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
    x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
    return (x >> 16) | (x << 16);
}

static uint32_t rev_bytes_mul(uint32_t x) {
    /* reverse each byte with the 64-bit multiply trick, then swap bytes */
    uint32_t r = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t b = x >> (8 * i) & 0xFF;
        uint32_t rb = (uint32_t)(((b * 0x0202020202ULL) & 0x010884422010ULL) % 1023);
        r |= rb << (8 * (3 - i));
    }
    return r;
}

static uint64_t rev64(uint64_t x) { return (uint64_t)rev_swap((uint32_t)x) << 32 | rev_swap((uint32_t)(x >> 32)); }

static const Rev32Fn rev_variants[] = {rev_loop, rev_table32, rev_swap, rev_bytes_mul};

static void cmd_reverse(unsigned long long n) {
    unsigned long long bad = 0, palindromes = 0;
    uint64_t acc = 0;
    for (unsigned long long i = 0; i < n; i++) {
        uint32_t x = (uint32_t)random_word();
        uint32_t ref = rev_variants[0](x);
        for (size_t v = 1; v < ARRAY_LEN(rev_variants); v++)
            bad += rev_variants[v](x) != ref;
        bad += rev_swap(ref) != x; /* involution */
        palindromes += ref == x;
        uint64_t y = random_word();
        uint64_t ry = rev64(y);
        bad += rev64(ry) != y;
        bad += pop_swar(ry) != pop_swar(y);
        acc = ROTL64(acc, 7) ^ ref ^ ry;
    }
    printf("reverse n=%llu: acc=%016llx palindromes=%llu mismatches=%llu\n", n, (unsigned long long)acc, palindromes,
           bad);
}

/* ---------- zero counts ---------- */

static const uint8_t debruijn_index[64] = {
    0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51, 43, 22, 45, 39,
    33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11, 46, 26, 40, 15,
    34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};

static unsigned ctz_loop(uint64_t x) {
    if (!x)
        return 64;
    unsigned c = 0;
    while (!(x & 1)) {
        x >>= 1;
        c++;
    }
    return c;
}

static unsigned ctz_debruijn(uint64_t x) {
    if (!x)
        return 64;
    return debruijn_index[((x & (~x + 1)) * 0x03F79D71B4CB0A89ULL) >> 58];
}

static unsigned ctz_binary(uint64_t x) {
    if (!x)
        return 64;
    unsigned c = 0;
    if (!(x & 0xFFFFFFFFu)) { x >>= 32; c += 32; }
    if (!(x & 0xFFFFu)) { x >>= 16; c += 16; }
    if (!(x & 0xFFu)) { x >>= 8; c += 8; }
    if (!(x & 0xFu)) { x >>= 4; c += 4; }
    if (!(x & 0x3u)) { x >>= 2; c += 2; }
    if (!(x & 0x1u))
        c += 1;
    return c;
}

static unsigned ctz_builtin(uint64_t x) { return x ? (unsigned)__builtin_ctzll(x) : 64; }

static unsigned ctz_popcount(uint64_t x) { return pop_swar((x & (~x + 1)) - 1); }

static const CtzFn ctz_variants[] = {ctz_loop, ctz_debruijn, ctz_binary, ctz_builtin, ctz_popcount};

static unsigned clz_loop(uint64_t x) {
    unsigned c = 0;
    for (uint64_t m = 1ULL << 63; m && !(x & m); m >>= 1)
        c++;
    return c;
}

static unsigned clz_smear(uint64_t x) {
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    x |= x >> 32;
    return 64 - pop_swar(x);
}

static uint64_t next_pow2(uint64_t x) {
    if (x <= 1)
        return 1;
    if (x > (1ULL << 63))
        return 0; /* does not fit */
    x--;
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    x |= x >> 32;
    return x + 1;
}

static void cmd_zeros(unsigned long long n) {
    unsigned long long bad = 0, pow2 = 0;
    uint64_t sum_ctz = 0, sum_clz = 0, acc = 0;
    for (unsigned long long i = 0; i < n; i++) {
        uint64_t x = random_word();
        if (i % 64 == 0)
            x = 0; /* exercise the zero edge case */
        unsigned ref = ctz_variants[0](x);
        for (size_t v = 1; v < ARRAY_LEN(ctz_variants); v++)
            bad += ctz_variants[v](x) != ref;
        unsigned lz = clz_loop(x);
        bad += clz_smear(x) != lz;
        if (x)
            bad += (unsigned)__builtin_clzll(x) != lz;
        sum_ctz += ref;
        sum_clz += lz;
        int is_pow2 = x && !(x & (x - 1));
        pow2 += (unsigned long long)is_pow2;
        uint64_t np = next_pow2(x);
        if (x && np && (np < x || (np & (np - 1)) || (is_pow2 && np != x)))
            bad++;
        uint64_t low = x & (~x + 1);      /* isolate lowest set bit */
        uint64_t cleared = x & (x - 1);   /* clear lowest set bit */
        uint64_t smeared = x | (x - 1);   /* fill trailing zeros */
        acc = acc * 0x9E3779B97F4A7C15ULL + (low ^ cleared ^ smeared ^ np);
    }
    printf("zeros n=%llu: ctz=%llu clz=%llu pow2=%llu acc=%016llx mismatches=%llu\n", n, (unsigned long long)sum_ctz,
           (unsigned long long)sum_clz, pow2, (unsigned long long)acc, bad);
}

/* ---------- Gray code ---------- */

static uint64_t gray_encode(uint64_t x) { return x ^ (x >> 1); }

static uint64_t gray_decode_loop(uint64_t g) {
    uint64_t x = 0;
    for (; g; g >>= 1)
        x ^= g;
    return x;
}

static uint64_t gray_decode_shift(uint64_t g) {
    g ^= g >> 1;
    g ^= g >> 2;
    g ^= g >> 4;
    g ^= g >> 8;
    g ^= g >> 16;
    g ^= g >> 32;
    return g;
}

static void cmd_gray(unsigned long long n, uint64_t start) {
    unsigned long long bad = 0;
    uint64_t acc = 0, prev = gray_encode(start);
    for (unsigned long long i = 1; i <= n; i++) {
        uint64_t x = start + i; /* wraps modulo 2^64, which Gray codes handle too */
        uint64_t gc = gray_encode(x);
        bad += pop_swar(gc ^ prev) != 1;
        bad += gray_decode_shift(gc) != x;
        if ((i & 15) == 0)
            bad += gray_decode_loop(gc) != x;
        acc += gc * (i | 1);
        prev = gc;
    }
    printf("gray n=%llu start=%llu: acc=%016llx last=%016llx mismatches=%llu\n", n, (unsigned long long)start,
           (unsigned long long)acc, (unsigned long long)prev, bad);
}

/* ---------- combinations (Gosper's hack) ---------- */

static uint64_t binomial(unsigned n, unsigned k) {
    static uint64_t c[65][65];
    if (!c[0][0])
        for (unsigned i = 0; i <= 64; i++) {
            c[i][0] = 1;
            for (unsigned j = 1; j <= i; j++)
                c[i][j] = c[i - 1][j - 1] + (j <= i - 1 ? c[i - 1][j] : 0);
        }
    return k <= n ? c[n][k] : 0;
}

static int cmd_combos(unsigned bits, unsigned k) {
    uint64_t expected = binomial(bits, k);
    if (total_work + 3 * expected > MAX_TOTAL)
        return 0;
    total_work += 3 * expected;
    uint64_t count = 0, acc = 0, bad = 0;
    uint64_t limit = 1ULL << bits;
    if (k == 0) {
        count = 1;
    } else {
        uint64_t x = (1ULL << k) - 1;
        while (x < limit) {
            count++;
            bad += pop_kernighan(x) != k;
            acc = ROTL64(acc, 5) ^ x;
            uint64_t c = x & (~x + 1);
            uint64_t r = x + c;
            x = (((r ^ x) >> 2) / c) | r;
        }
    }
    printf("combos %u choose %u: count=%llu expected=%llu acc=%016llx mismatches=%llu\n", bits, k,
           (unsigned long long)count, (unsigned long long)expected, (unsigned long long)acc, (unsigned long long)bad);
    return 1;
}

/* ---------- Morton codes ---------- */

static uint64_t morton2_loop(uint32_t x, uint32_t y) {
    uint64_t m = 0;
    for (int i = 0; i < 32; i++)
        m |= ((uint64_t)(x >> i & 1) << (2 * i)) | ((uint64_t)(y >> i & 1) << (2 * i + 1));
    return m;
}

static uint64_t spread2(uint32_t v) {
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

static uint32_t compact2(uint64_t x) {
    x &= 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

static uint64_t spread3(uint32_t v) { /* 21 bits -> every third bit */
    uint64_t x = v & 0x1FFFFF;
    x = (x | x << 32) & 0x1F00000000FFFFULL;
    x = (x | x << 16) & 0x1F0000FF0000FFULL;
    x = (x | x << 8) & 0x100F00F00F00F00FULL;
    x = (x | x << 4) & 0x10C30C30C30C30C3ULL;
    x = (x | x << 2) & 0x1249249249249249ULL;
    return x;
}

static uint64_t morton3_loop(uint32_t x, uint32_t y, uint32_t z) {
    uint64_t m = 0;
    for (int i = 0; i < 21; i++)
        m |= (uint64_t)(x >> i & 1) << (3 * i) | (uint64_t)(y >> i & 1) << (3 * i + 1) |
             (uint64_t)(z >> i & 1) << (3 * i + 2);
    return m;
}

static void cmd_morton(unsigned long long n) {
    unsigned long long bad = 0;
    uint64_t acc2 = 0, acc3 = 0;
    for (unsigned long long i = 0; i < n; i++) {
        uint64_t r = wyrand();
        uint32_t x = (uint32_t)r, y = (uint32_t)(r >> 32);
        uint64_t m = spread2(x) | spread2(y) << 1;
        if ((i & 7) == 0)
            bad += morton2_loop(x, y) != m;
        bad += compact2(m) != x || compact2(m >> 1) != y;
        uint32_t a = x & 0x1FFFFF, b = y & 0x1FFFFF, c = (uint32_t)(r >> 21) & 0x1FFFFF;
        uint64_t m3 = spread3(a) | spread3(b) << 1 | spread3(c) << 2;
        if ((i & 7) == 0)
            bad += morton3_loop(a, b, c) != m3;
        acc2 ^= m * (2 * i + 1);
        acc3 += m3 ^ (acc3 >> 7);
    }
    printf("morton n=%llu: acc2=%016llx acc3=%016llx mismatches=%llu\n", n, (unsigned long long)acc2,
           (unsigned long long)acc3, bad);
}

/* ---------- transform walk ---------- */

static uint64_t t_rot(uint64_t x) { return ROTL64(x, 13); }
static uint64_t t_bswap(uint64_t x) { return __builtin_bswap64(x); }
static uint64_t t_xorshift(uint64_t x) { return x ^ (x >> 29); }
static uint64_t t_mul(uint64_t x) { return x * 0xD6E8FEB86659FD93ULL; }
static uint64_t t_gray(uint64_t x) { return gray_encode(x); }
static uint64_t t_rev(uint64_t x) { return rev64(x); }
static uint64_t t_not(uint64_t x) { return ~x; }
static uint64_t t_add(uint64_t x) { return x + 0x9E3779B97F4A7C15ULL; }

typedef uint64_t (*Transform)(uint64_t);
static const Transform transforms[] = {t_rot, t_bswap, t_xorshift, t_mul, t_gray, t_rev, t_not, t_add};

static void cmd_mix(unsigned long long n) {
    uint64_t x = wyrand();
    unsigned used[ARRAY_LEN(transforms)] = {0};
    for (unsigned long long i = 0; i < n; i++) {
        unsigned k = (unsigned)(x >> 61) ^ (unsigned)(i & 7);
        used[k]++;
        x = transforms[k](x) ^ i;
    }
    printf("mix n=%llu: state=%016llx uses:", n, (unsigned long long)x);
    for (size_t k = 0; k < ARRAY_LEN(used); k++)
        printf(" %u", used[k]);
    printf("\n");
}

/* ---------- driver ---------- */

/* rough relative cost per element, used to bound the total run time */
static unsigned long long command_weight(const char *cmd) {
    static const struct {
        const char *name;
        unsigned weight;
    } weights[] = {{"popcount", 40}, {"reverse", 20}, {"zeros", 20}, {"morton", 10}, {"gray", 2}, {"mix", 1}};
    for (size_t i = 0; i < ARRAY_LEN(weights); i++)
        if (strcmp(cmd, weights[i].name) == 0)
            return weights[i].weight;
    return 0; /* unknown command */
}

static int parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s)
        return 0;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int main(void) {
    char line[256];
    int lineno = 0, ran = 0;
    init_tables();
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        char cmd[32], a1[32], a2[32], extra[2];
        int nf = sscanf(line, "%31s %31s %31s %1s", cmd, a1, a2, extra);
        if (nf <= 0 || cmd[0] == '#')
            continue;
        uint64_t n, s;
        int ok = nf == 3 && parse_u64(a1, &n) && parse_u64(a2, &s);
        if (ok && strcmp(cmd, "combos") == 0) {
            ok = n >= 1 && n <= 32 && s <= n && cmd_combos((unsigned)n, (unsigned)s);
        } else if (ok) {
            unsigned long long cost = n * command_weight(cmd);
            ok = n >= 1 && n <= MAX_N && cost > 0 && total_work + cost <= MAX_TOTAL;
            if (ok) {
                total_work += cost;
                wy_state = s;
                if (strcmp(cmd, "popcount") == 0)
                    cmd_popcount(n);
                else if (strcmp(cmd, "reverse") == 0)
                    cmd_reverse(n);
                else if (strcmp(cmd, "zeros") == 0)
                    cmd_zeros(n);
                else if (strcmp(cmd, "gray") == 0)
                    cmd_gray(n, s);
                else if (strcmp(cmd, "morton") == 0)
                    cmd_morton(n);
                else if (strcmp(cmd, "mix") == 0)
                    cmd_mix(n);
                else
                    ok = 0;
            }
        }
        if (!ok) {
            fprintf(stderr, "line %d: bad command or limits\n", lineno);
            return 1;
        }
        ran++;
    }
    if (!ran) {
        fprintf(stderr, "no commands\n");
        return 1;
    }
    return 0;
}
