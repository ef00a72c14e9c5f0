/* Outer-totalistic cellular automata (Conway's Life, HighLife, Seeds, Day & Night, custom B/S
 * rules) on a torus. A byte-per-cell simulator and a bit-sliced, bit-packed simulator run side by
 * side and are compared at every checkpoint. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM 1024
#define MAX_GENS 20000
#define MAX_WORK 150000000ull
#define CHECKPOINTS 8
#define CROP_W 48
#define CROP_H 16

typedef struct {
    const char *name;
    uint16_t birth;   /* bit k set: a dead cell with k neighbours is born */
    uint16_t survive; /* bit k set: a live cell with k neighbours survives */
} Rule;

typedef struct {
    int w, h;
    uint8_t *cells, *next;
    int *left, *right, *up, *down;
} PlainGrid;

typedef struct {
    int w, h, words;
    uint64_t last_mask;
    uint64_t *rows, *next;
    uint64_t *tmp_w, *tmp_e;
} PackedGrid;

static const Rule named_rules[] = {
    {"life", 1u << 3, (1u << 2) | (1u << 3)},
    {"highlife", (1u << 3) | (1u << 6), (1u << 2) | (1u << 3)},
    {"seeds", 1u << 2, 0},
    {"daynight", (1u << 3) | (1u << 6) | (1u << 7) | (1u << 8), (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) | (1u << 8)},
    {"maze", 1u << 3, (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5)},
};

static uint32_t rng_s[4];

static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

/* xoshiro128** */
static uint32_t rng_next(void) {
    uint32_t result = rotl(rng_s[1] * 5u, 7) * 9u;
    uint32_t t = rng_s[1] << 9;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 11);
    return result;
}

static void rng_seed(uint32_t seed) {
    uint32_t z = seed;
    for (int i = 0; i < 4; i++) {
        z += 0x9E3779B9u;
        uint32_t v = z;
        v = (v ^ (v >> 16)) * 0x85EBCA6Bu;
        v = (v ^ (v >> 13)) * 0xC2B2AE35u;
        rng_s[i] = v ^ (v >> 16);
    }
    if ((rng_s[0] | rng_s[1] | rng_s[2] | rng_s[3]) == 0)
        rng_s[0] = 1;
}

static void *xcalloc(size_t n, size_t sz) {
    void *p = calloc(n ? n : 1, sz);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

/* ---------------- plain byte grid ---------------- */

static void plain_init(PlainGrid *g, int w, int h) {
    g->w = w;
    g->h = h;
    g->cells = xcalloc((size_t)w * h, 1);
    g->next = xcalloc((size_t)w * h, 1);
    g->left = xcalloc((size_t)w, sizeof(int));
    g->right = xcalloc((size_t)w, sizeof(int));
    g->up = xcalloc((size_t)h, sizeof(int));
    g->down = xcalloc((size_t)h, sizeof(int));
    for (int x = 0; x < w; x++) {
        g->left[x] = (x + w - 1) % w;
        g->right[x] = (x + 1) % w;
    }
    for (int y = 0; y < h; y++) {
        g->up[y] = (y + h - 1) % h;
        g->down[y] = (y + 1) % h;
    }
}

static void plain_free(PlainGrid *g) {
    free(g->cells);
    free(g->next);
    free(g->left);
    free(g->right);
    free(g->up);
    free(g->down);
}

static void plain_step(PlainGrid *g, const Rule *r) {
    int w = g->w;
    for (int y = 0; y < g->h; y++) {
        const uint8_t *rn = &g->cells[(size_t)g->up[y] * w];
        const uint8_t *rc = &g->cells[(size_t)y * w];
        const uint8_t *rs = &g->cells[(size_t)g->down[y] * w];
        uint8_t *out = &g->next[(size_t)y * w];
        for (int x = 0; x < w; x++) {
            int l = g->left[x], rr = g->right[x];
            int n = rn[l] + rn[x] + rn[rr] + rc[l] + rc[rr] + rs[l] + rs[x] + rs[rr];
            uint16_t mask = rc[x] ? r->survive : r->birth;
            out[x] = (uint8_t)((mask >> n) & 1u);
        }
    }
    uint8_t *t = g->cells;
    g->cells = g->next;
    g->next = t;
}

static long plain_population(const PlainGrid *g) {
    long p = 0;
    for (size_t i = 0; i < (size_t)g->w * g->h; i++)
        p += g->cells[i];
    return p;
}

/* ---------------- bit-packed grid ---------------- */

static void packed_init(PackedGrid *g, int w, int h) {
    g->w = w;
    g->h = h;
    g->words = (w + 63) / 64;
    g->last_mask = (w % 64) ? ((1ull << (w % 64)) - 1) : ~0ull;
    g->rows = xcalloc((size_t)g->words * h, sizeof(uint64_t));
    g->next = xcalloc((size_t)g->words * h, sizeof(uint64_t));
    g->tmp_w = xcalloc((size_t)g->words * 3, sizeof(uint64_t));
    g->tmp_e = xcalloc((size_t)g->words * 3, sizeof(uint64_t));
}

static void packed_free(PackedGrid *g) {
    free(g->rows);
    free(g->next);
    free(g->tmp_w);
    free(g->tmp_e);
}

static int packed_get(const PackedGrid *g, int x, int y) {
    return (int)((g->rows[(size_t)y * g->words + (size_t)(x / 64)] >> (x % 64)) & 1u);
}

static void packed_set(PackedGrid *g, int x, int y, int v) {
    uint64_t *word = &g->rows[(size_t)y * g->words + (size_t)(x / 64)];
    uint64_t bit = 1ull << (x % 64);
    *word = v ? (*word | bit) : (*word & ~bit);
}

/* dst bit i = src bit (i - 1 mod w): each cell sees its western neighbour */
static void shift_from_west(const PackedGrid *g, const uint64_t *src, uint64_t *dst) {
    int nw = g->words;
    int top = (g->w - 1) % 64;
    uint64_t wrap = (src[nw - 1] >> top) & 1u;
    for (int i = nw - 1; i > 0; i--)
        dst[i] = (src[i] << 1) | (src[i - 1] >> 63);
    dst[0] = (src[0] << 1) | wrap;
    dst[nw - 1] &= g->last_mask;
}

/* dst bit i = src bit (i + 1 mod w) */
static void shift_from_east(const PackedGrid *g, const uint64_t *src, uint64_t *dst) {
    int nw = g->words;
    int top = (g->w - 1) % 64;
    uint64_t wrap = src[0] & 1u;
    for (int i = 0; i < nw - 1; i++)
        dst[i] = (src[i] >> 1) | (src[i + 1] << 63);
    dst[nw - 1] = (src[nw - 1] >> 1) | (wrap << top);
    dst[nw - 1] &= g->last_mask;
}

/* full adder on bit vectors */
#define FULL_ADD(a, b, c, sum, carry)                                                                           \
    do {                                                                                                         \
        uint64_t t_ = (a) ^ (b);                                                                                 \
        (sum) = t_ ^ (c);                                                                                        \
        (carry) = ((a) & (b)) | (t_ & (c));                                                                      \
    } while (0)

static void packed_step(PackedGrid *g, const Rule *r) {
    int nw = g->words;
    for (int y = 0; y < g->h; y++) {
        const uint64_t *rows3[3] = {&g->rows[(size_t)((y + g->h - 1) % g->h) * nw], &g->rows[(size_t)y * nw],
                                    &g->rows[(size_t)((y + 1) % g->h) * nw]};
        for (int k = 0; k < 3; k++) {
            shift_from_west(g, rows3[k], &g->tmp_w[(size_t)k * nw]);
            shift_from_east(g, rows3[k], &g->tmp_e[(size_t)k * nw]);
        }
        for (int i = 0; i < nw; i++) {
            uint64_t nb[8] = {g->tmp_w[i], rows3[0][i], g->tmp_e[i], g->tmp_w[nw + i],
                              g->tmp_e[nw + i], g->tmp_w[2 * nw + i], rows3[2][i], g->tmp_e[2 * nw + i]};
            /* bit-sliced popcount of 8 inputs into (b3 b2 b1 b0) */
            uint64_t s1, c1, s2, c2, s3, c3, s4, c4, b0, b1, b2, b3, t, u;
            FULL_ADD(nb[0], nb[1], nb[2], s1, c1);
            FULL_ADD(nb[3], nb[4], nb[5], s2, c2);
            FULL_ADD(nb[6], nb[7], s1, s3, c3);
            b0 = s3 ^ s2;
            t = s3 & s2;
            FULL_ADD(c1, c2, c3, s4, c4);
            b1 = s4 ^ t;
            u = s4 & t;
            b2 = c4 ^ u;
            b3 = c4 & u;
            uint64_t alive = rows3[1][i], out = 0;
            for (int n = 0; n <= 8; n++) {
                int want_b = (r->birth >> n) & 1, want_s = (r->survive >> n) & 1;
                if (!want_b && !want_s)
                    continue;
                uint64_t eq = ((n & 1) ? b0 : ~b0) & ((n & 2) ? b1 : ~b1) & ((n & 4) ? b2 : ~b2) & ((n & 8) ? b3 : ~b3);
                if (want_b)
                    out |= eq & ~alive;
                if (want_s)
                    out |= eq & alive;
            }
            g->next[(size_t)y * nw + i] = out;
        }
        g->next[(size_t)y * nw + nw - 1] &= g->last_mask;
    }
    uint64_t *t = g->rows;
    g->rows = g->next;
    g->next = t;
}

static long popcount64(uint64_t v) {
    long c = 0;
    while (v) {
        v &= v - 1;
        c++;
    }
    return c;
}

static long packed_population(const PackedGrid *g) {
    long p = 0;
    for (size_t i = 0; i < (size_t)g->words * g->h; i++)
        p += popcount64(g->rows[i]);
    return p;
}

static int grids_match(const PlainGrid *a, const PackedGrid *b) {
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++)
            if (a->cells[(size_t)y * a->w + x] != packed_get(b, x, y))
                return 0;
    return 1;
}

static uint32_t grid_hash(const PlainGrid *g) {
    uint32_t h = 0x811C9DC5u;
    for (size_t i = 0; i < (size_t)g->w * g->h; i++)
        h = (h ^ (g->cells[i] + (uint32_t)(i & 0xff))) * 0x01000193u;
    return h;
}

/* parse "B36/S23" style rule strings */
static int parse_rule(const char *s, Rule *r) {
    for (size_t i = 0; i < sizeof(named_rules) / sizeof(named_rules[0]); i++)
        if (strcmp(s, named_rules[i].name) == 0) {
            *r = named_rules[i];
            return 1;
        }
    r->name = "custom";
    r->birth = r->survive = 0;
    if (toupper((unsigned char)*s) != 'B')
        return 0;
    s++;
    while (isdigit((unsigned char)*s)) {
        if (*s == '9')
            return 0;
        r->birth |= (uint16_t)(1u << (*s++ - '0'));
    }
    if (*s++ != '/' || toupper((unsigned char)*s) != 'S')
        return 0;
    s++;
    while (isdigit((unsigned char)*s)) {
        if (*s == '9')
            return 0;
        r->survive |= (uint16_t)(1u << (*s++ - '0'));
    }
    return *s == '\0' && !(r->birth & 1u); /* B0 would need strobing; not supported */
}

static void set_cell(PlainGrid *p, PackedGrid *q, int x, int y, int v) {
    p->cells[(size_t)y * p->w + x] = (uint8_t)v;
    packed_set(q, x, y, v);
}

static void print_crop(const PlainGrid *g) {
    int cw = g->w < CROP_W ? g->w : CROP_W, ch = g->h < CROP_H ? g->h : CROP_H;
    for (int y = 0; y < ch; y++) {
        char line[CROP_W + 1];
        for (int x = 0; x < cw; x++)
            line[x] = g->cells[(size_t)y * g->w + x] ? 'O' : '.';
        line[cw] = '\0';
        puts(line);
    }
}

/* Input:
 *   W H GENERATIONS RULE SEED DENSITY_PERCENT
 *   then any number of pattern blocks:  pattern X Y  / rows of '.' and 'O' /  end
 * RULE is life|highlife|seeds|daynight|maze or Bxxx/Syyy. */
int main(void) {
    int w, h, gens, density;
    unsigned seed;
    char rule_name[32];
    Rule rule;
    if (scanf("%d %d %d %31s %u %d", &w, &h, &gens, rule_name, &seed, &density) != 6 || w < 3 || h < 3 ||
        w > MAX_DIM || h > MAX_DIM || gens < 0 || gens > MAX_GENS || density < 0 || density > 100 ||
        !parse_rule(rule_name, &rule)) {
        fprintf(stderr, "bad header\n");
        return 1;
    }
    if ((uint64_t)w * (uint64_t)h * (uint64_t)gens > MAX_WORK) {
        fprintf(stderr, "too much work\n");
        return 1;
    }
    PlainGrid pg;
    PackedGrid bg;
    plain_init(&pg, w, h);
    packed_init(&bg, w, h);
    rng_seed(seed);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            set_cell(&pg, &bg, x, y, (int)(rng_next() % 100u) < density);
    char word[32];
    while (scanf("%31s", word) == 1) {
        int px, py;
        if (strcmp(word, "pattern") != 0 || scanf("%d %d", &px, &py) != 2 || px < 0 || py < 0 || px >= w || py >= h) {
            fprintf(stderr, "bad pattern header\n");
            return 1;
        }
        char row[MAX_DIM + 2];
        int dy = 0;
        for (;;) {
            if (scanf("%1025s", row) != 1) {
                fprintf(stderr, "unterminated pattern\n");
                return 1;
            }
            if (strcmp(row, "end") == 0)
                break;
            for (int dx = 0; row[dx]; dx++) {
                if (row[dx] != '.' && row[dx] != 'O') {
                    fprintf(stderr, "bad pattern cell\n");
                    return 1;
                }
                set_cell(&pg, &bg, (px + dx) % w, (py + dy) % h, row[dx] == 'O');
            }
            dy++;
        }
    }
    printf("grid %dx%d rule B", w, h);
    for (int n = 0; n <= 8; n++)
        if ((rule.birth >> n) & 1)
            printf("%d", n);
    printf("/S");
    for (int n = 0; n <= 8; n++)
        if ((rule.survive >> n) & 1)
            printf("%d", n);
    printf(" (%s) generations=%d\n", rule.name, gens);
    printf("gen 0: population %ld\n", plain_population(&pg));
    int every = gens / CHECKPOINTS > 0 ? gens / CHECKPOINTS : 1;
    int mismatches = 0;
    for (int g = 1; g <= gens; g++) {
        plain_step(&pg, &rule);
        packed_step(&bg, &rule);
        if (g % every == 0 || g == gens) {
            long pp = plain_population(&pg), bp = packed_population(&bg);
            int same = grids_match(&pg, &bg);
            if (!same || pp != bp)
                mismatches++;
            printf("gen %d: population %ld packed %ld %s\n", g, pp, bp, same ? "match" : "DIFFER");
        }
    }
    printf("final hash %08x mismatches %d\n", grid_hash(&pg), mismatches);
    print_crop(&pg);
    plain_free(&pg);
    packed_free(&bg);
    return 0;
}
