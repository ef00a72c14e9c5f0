/* Fixed-point (Q4.28 integer) escape-time fractals: Mandelbrot, Julia, Burning Ship and Tricorn.
 * Renders each frame to a downsampled ASCII picture, an iteration histogram and a checksum;
 * cycle detection is cross-checked against plain iteration on a subsample. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FRAC_BITS 28
#define ONE ((int64_t)1 << FRAC_BITS)
#define ESCAPE_RADIUS_SQ (4 * ONE)
#define COORD_LIMIT (4 * ONE)
#define MAX_DIM 1024
#define MAX_ITER 20000
#define MAX_WORK 300000000ull
#define MAX_TOTAL_WORK 400000000ull
#define ART_COLS 64
#define ART_ROWS 24
#define HIST_BUCKETS 16
#define MAX_FRAMES 8

typedef enum { FRACTAL_MANDEL, FRACTAL_JULIA, FRACTAL_SHIP, FRACTAL_TRICORN } FractalKind;

typedef struct {
    FractalKind kind;
    int width, height, max_iter;
    int64_t center_x, center_y, span;
    int64_t julia_x, julia_y;
} Frame;

/* one z -> z^2 + c style step; returns 0 when |z|^2 exceeded the escape radius before the step */
typedef int (*StepFn)(int64_t *x, int64_t *y, int64_t cx, int64_t cy);

static uint16_t counts[MAX_DIM * MAX_DIM];
static const char palette[] = " .,:;-=+*%#";

static int64_t fx_mul(int64_t a, int64_t b) {
    /* |a|,|b| < 2^32 by construction so the product fits; arithmetic shift rounds toward -inf */
    return (a * b) >> FRAC_BITS;
}

static int64_t iabs64(int64_t v) { return v < 0 ? -v : v; }

static int step_mandel(int64_t *x, int64_t *y, int64_t cx, int64_t cy) {
    int64_t x2 = fx_mul(*x, *x), y2 = fx_mul(*y, *y);
    if (x2 + y2 > ESCAPE_RADIUS_SQ)
        return 0;
    int64_t xy = fx_mul(*x, *y);
    *x = x2 - y2 + cx;
    *y = 2 * xy + cy;
    return 1;
}

static int step_ship(int64_t *x, int64_t *y, int64_t cx, int64_t cy) {
    int64_t ax = iabs64(*x), ay = iabs64(*y);
    int64_t x2 = fx_mul(ax, ax), y2 = fx_mul(ay, ay);
    if (x2 + y2 > ESCAPE_RADIUS_SQ)
        return 0;
    int64_t xy = fx_mul(ax, ay);
    *x = x2 - y2 + cx;
    *y = 2 * xy + cy;
    return 1;
}

static int step_tricorn(int64_t *x, int64_t *y, int64_t cx, int64_t cy) {
    int64_t x2 = fx_mul(*x, *x), y2 = fx_mul(*y, *y);
    if (x2 + y2 > ESCAPE_RADIUS_SQ)
        return 0;
    int64_t xy = fx_mul(*x, *y);
    *x = x2 - y2 + cx;
    *y = cy - 2 * xy;
    return 1;
}

static const struct {
    const char *name;
    StepFn step;
    int julia;
} kinds[] = {
    [FRACTAL_MANDEL] = {"mandel", step_mandel, 0},
    [FRACTAL_JULIA] = {"julia", step_mandel, 1},
    [FRACTAL_SHIP] = {"ship", step_ship, 0},
    [FRACTAL_TRICORN] = {"tricorn", step_tricorn, 0},
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

static int escape_plain(StepFn step, int64_t x, int64_t y, int64_t cx, int64_t cy, int max_iter) {
    int i = 0;
    while (i < max_iter && step(&x, &y, cx, cy))
        i++;
    return i;
}

/* Brent-style cycle detection: an exact repeat of z in integer arithmetic means the orbit is
 * periodic and never escapes, so the answer is max_iter. */
static int escape_cycle(StepFn step, int64_t x, int64_t y, int64_t cx, int64_t cy, int max_iter) {
    int64_t sx = x, sy = y;
    int power = 1, lam = 0;
    for (int i = 0; i < max_iter; i++) {
        if (!step(&x, &y, cx, cy))
            return i;
        if (x == sx && y == sy)
            return max_iter;
        if (++lam == power) {
            sx = x;
            sy = y;
            power *= 2;
            lam = 0;
        }
    }
    return max_iter;
}

static void render(const Frame *f) {
    StepFn step = kinds[f->kind].step;
    int64_t step_x = f->span / f->width;
    int64_t step_y = step_x;
    int64_t x0 = f->center_x - step_x * (f->width / 2);
    int64_t y0 = f->center_y + step_y * (f->height / 2);
    for (int py = 0; py < f->height; py++) {
        int64_t ci = y0 - step_y * py;
        for (int px = 0; px < f->width; px++) {
            int64_t cr = x0 + step_x * px;
            int n;
            if (kinds[f->kind].julia)
                n = escape_cycle(step, cr, ci, f->julia_x, f->julia_y, f->max_iter);
            else
                n = escape_cycle(step, 0, 0, cr, ci, f->max_iter);
            counts[py * f->width + px] = (uint16_t)n;
        }
    }
}

static int verify_subsample(const Frame *f) {
    StepFn step = kinds[f->kind].step;
    int64_t step_x = f->span / f->width;
    int64_t x0 = f->center_x - step_x * (f->width / 2);
    int64_t y0 = f->center_y + step_x * (f->height / 2);
    int bad = 0;
    for (int py = 0; py < f->height; py += 7)
        for (int px = 0; px < f->width; px += 5) {
            int64_t cr = x0 + step_x * px, ci = y0 - step_x * py;
            int n = kinds[f->kind].julia ? escape_plain(step, cr, ci, f->julia_x, f->julia_y, f->max_iter)
                                         : escape_plain(step, 0, 0, cr, ci, f->max_iter);
            if (n != counts[py * f->width + px])
                bad++;
        }
    return bad;
}

static int log2_bucket(int n) {
    int b = 0;
    while (n > 1 && b < HIST_BUCKETS - 2) {
        n >>= 1;
        b++;
    }
    return b;
}

static void report(const Frame *f) {
    int hist[HIST_BUCKETS] = {0};
    uint64_t sum = 0;
    uint32_t hash = 2166136261u;
    int total = f->width * f->height;
    for (int i = 0; i < total; i++) {
        int n = counts[i];
        if (n >= f->max_iter)
            hist[HIST_BUCKETS - 1]++;
        else
            hist[log2_bucket(n)]++;
        sum += (uint64_t)n;
        hash = (hash ^ (uint32_t)n) * 16777619u;
    }
    int rows = f->height < ART_ROWS ? f->height : ART_ROWS;
    int cols = f->width < ART_COLS ? f->width : ART_COLS;
    for (int r = 0; r < rows; r++) {
        char line[ART_COLS + 1];
        int py = (int)(((long)r * f->height + f->height / 2) / rows);
        for (int c = 0; c < cols; c++) {
            int px = (int)(((long)c * f->width + f->width / 2) / cols);
            int n = counts[py * f->width + px];
            line[c] = n >= f->max_iter ? '@' : palette[log2_bucket(n + 1) % (int)(sizeof(palette) - 1)];
        }
        line[cols] = '\0';
        printf("|%s|\n", line);
    }
    printf("hist:");
    for (int b = 0; b < HIST_BUCKETS; b++)
        printf(" %d", hist[b]);
    printf("\ninterior=%d total_iter=%llu hash=%08x\n", hist[HIST_BUCKETS - 1], (unsigned long long)sum, hash);
}

/* Parse a decimal like -1.25 or 0.000123 into Q4.28, rounding to nearest. */
static int parse_fixed(const char *s, int64_t *out) {
    int neg = 0;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (!isdigit((unsigned char)*s) && *s != '.')
        return 0;
    uint64_t ip = 0;
    int ndig = 0;
    while (isdigit((unsigned char)*s)) {
        ip = ip * 10 + (uint64_t)(*s++ - '0');
        if (++ndig > 2)
            return 0;
    }
    uint64_t frac = 0, scale = 1;
    if (*s == '.') {
        s++;
        int fd = 0;
        while (isdigit((unsigned char)*s)) {
            if (fd < 15) {
                frac = frac * 10 + (uint64_t)(*s - '0');
                scale *= 10;
                fd++;
            }
            s++;
        }
    }
    if (*s != '\0')
        return 0;
    /* frac/scale < 1 with scale <= 1e15 < 2^50: (frac << 28) might overflow, so split */
    uint64_t q = frac / scale, rem = frac % scale;
    uint64_t fbits = 0;
    for (int b = 0; b < FRAC_BITS; b++) {
        rem *= 2;
        fbits <<= 1;
        if (rem >= scale) {
            rem -= scale;
            fbits |= 1;
        }
    }
    if (rem * 2 >= scale)
        fbits++;
    uint64_t mag = ((ip + q) << FRAC_BITS) + fbits;
    if (mag > (uint64_t)COORD_LIMIT)
        return 0;
    *out = neg ? -(int64_t)mag : (int64_t)mag;
    return 1;
}

static int parse_int(const char *s, int lo, int hi, int *out) {
    long v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return 0;
        v = v * 10 + (*s - '0');
        if (v > hi)
            return 0;
    }
    if (v < lo)
        return 0;
    *out = (int)v;
    return 1;
}

static int split_words(char *line, char **words, int max) {
    int n = 0;
    char *p = line;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            *p++ = '\0';
        if (!*p)
            break;
        if (n == max)
            return -1;
        words[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
    }
    return n;
}

/* Each input line: KIND WIDTH HEIGHT MAXITER CENTER_X CENTER_Y SPAN [JULIA_X JULIA_Y]
 * with KIND = mandel | julia | ship | tricorn (julia needs the two extra numbers). */
int main(void) {
    char line[512];
    int frames = 0;
    uint64_t total_work = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *w[10];
        int nw = split_words(line, w, 10);
        if (nw == 0)
            continue;
        Frame f;
        memset(&f, 0, sizeof f);
        int kind = -1;
        for (int k = 0; nw > 0 && k < NKINDS; k++)
            if (strcmp(w[0], kinds[k].name) == 0)
                kind = k;
        if (kind < 0 || nw != (kinds[kind].julia ? 9 : 7) || !parse_int(w[1], 8, MAX_DIM, &f.width) ||
            !parse_int(w[2], 8, MAX_DIM, &f.height) || !parse_int(w[3], 1, MAX_ITER, &f.max_iter) ||
            !parse_fixed(w[4], &f.center_x) || !parse_fixed(w[5], &f.center_y) || !parse_fixed(w[6], &f.span) ||
            f.span / f.width < 1 || (kinds[kind].julia && (!parse_fixed(w[7], &f.julia_x) || !parse_fixed(w[8], &f.julia_y)))) {
            fprintf(stderr, "bad frame line\n");
            return 1;
        }
        f.kind = (FractalKind)kind;
        uint64_t work = (uint64_t)f.width * (uint64_t)f.height * (uint64_t)f.max_iter;
        if (work > MAX_WORK || (total_work += work) > MAX_TOTAL_WORK || ++frames > MAX_FRAMES) {
            fprintf(stderr, "frame too expensive\n");
            return 1;
        }
        printf("frame %d: %s %dx%d iter=%d\n", frames, kinds[kind].name, f.width, f.height, f.max_iter);
        render(&f);
        report(&f);
        int bad = verify_subsample(&f);
        printf("cycle-check mismatches=%d\n", bad);
    }
    if (frames == 0) {
        fprintf(stderr, "no frames\n");
        return 1;
    }
    return 0;
}
