/* Dense linear solves: LU decomposition with partial pivoting on well-conditioned generated
 * systems (diagonally dominant, symmetric positive definite, banded), forward/back substitution,
 * iterative refinement, Cholesky cross-check and a small explicit inverse. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 1000
#define MAX_RHS 8
#define MAX_LINE 256
#define SAMPLE_COUNT 6

typedef enum { GEN_DOMINANT, GEN_SPD, GEN_BANDED, GEN_PERMUTED, GEN_COUNT } GenKind;

typedef struct {
    int n;
    double *a; /* row-major n*n */
} Dense;

typedef struct {
    int n;
    double *lu;
    int *perm;
    int swaps;
} LUFactor;

typedef void (*Generator)(Dense *m, int band);

static uint32_t lcg_state;

static uint32_t lcg_next(void) {
    lcg_state = lcg_state * 1664525u + 1013904223u;
    uint32_t x = lcg_state;
    x ^= x >> 15;
    x *= 0x2c1b3c6du;
    x ^= x >> 12;
    return x;
}

/* uniform in [-1, 1) with 24 random bits: exact in double */
static double rand_unit(void) { return ((double)(lcg_next() >> 8) / 8388608.0) - 1.0; }

#define A_(m, i, j) ((m)->a[(size_t)(i) * (size_t)(m)->n + (size_t)(j)])

static void make_dominant_diag(Dense *m) {
    for (int i = 0; i < m->n; i++) {
        double s = 0.0;
        for (int j = 0; j < m->n; j++)
            if (j != i)
                s += fabs(A_(m, i, j));
        double sign = (lcg_next() & 1u) ? 1.0 : -1.0;
        A_(m, i, i) = sign * (s + 1.0 + fabs(rand_unit()));
    }
}

static void gen_dominant(Dense *m, int band) {
    (void)band;
    for (int i = 0; i < m->n; i++)
        for (int j = 0; j < m->n; j++)
            A_(m, i, j) = rand_unit();
    make_dominant_diag(m);
}

static void gen_spd(Dense *m, int band) {
    (void)band;
    for (int i = 0; i < m->n; i++)
        for (int j = 0; j <= i; j++) {
            double v = rand_unit();
            A_(m, i, j) = v;
            A_(m, j, i) = v;
        }
    for (int i = 0; i < m->n; i++) {
        double s = 0.0;
        for (int j = 0; j < m->n; j++)
            if (j != i)
                s += fabs(A_(m, i, j));
        A_(m, i, i) = s + 0.5 + 0.5 * fabs(rand_unit());
    }
}

static void gen_banded(Dense *m, int band) {
    for (int i = 0; i < m->n; i++)
        for (int j = 0; j < m->n; j++) {
            int d = i > j ? i - j : j - i;
            A_(m, i, j) = d <= band ? rand_unit() * (1.0 + 0.1 * d) : 0.0;
        }
    make_dominant_diag(m);
}

/* diagonally dominant, then rows shuffled so that partial pivoting has work to do */
static void gen_permuted(Dense *m, int band) {
    gen_dominant(m, band);
    int n = m->n;
    double *tmp = malloc((size_t)n * sizeof(double));
    if (!tmp) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(lcg_next() % (uint32_t)(i + 1));
        if (j == i)
            continue;
        memcpy(tmp, &A_(m, i, 0), (size_t)n * sizeof(double));
        memcpy(&A_(m, i, 0), &A_(m, j, 0), (size_t)n * sizeof(double));
        memcpy(&A_(m, j, 0), tmp, (size_t)n * sizeof(double));
    }
    free(tmp);
}

static const struct {
    const char *name;
    Generator gen;
} generators[GEN_COUNT] = {
    [GEN_DOMINANT] = {"dominant", gen_dominant},
    [GEN_SPD] = {"spd", gen_spd},
    [GEN_BANDED] = {"banded", gen_banded},
    [GEN_PERMUTED] = {"permuted", gen_permuted},
};

static void *xcalloc(size_t n, size_t sz) {
    void *p = calloc(n, sz);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

static int lu_factor(const Dense *m, LUFactor *f) {
    int n = m->n;
    f->n = n;
    f->lu = xcalloc((size_t)n * n, sizeof(double));
    f->perm = xcalloc((size_t)n, sizeof(int));
    f->swaps = 0;
    memcpy(f->lu, m->a, (size_t)n * n * sizeof(double));
    for (int i = 0; i < n; i++)
        f->perm[i] = i;
    for (int k = 0; k < n; k++) {
        int piv = k;
        double best = fabs(f->lu[(size_t)k * n + k]);
        for (int i = k + 1; i < n; i++) {
            double v = fabs(f->lu[(size_t)i * n + k]);
            if (v > best) {
                best = v;
                piv = i;
            }
        }
        if (best < 1e-300)
            return 0;
        if (piv != k) {
            double *r1 = &f->lu[(size_t)k * n], *r2 = &f->lu[(size_t)piv * n];
            for (int j = 0; j < n; j++) {
                double t = r1[j];
                r1[j] = r2[j];
                r2[j] = t;
            }
            int t = f->perm[k];
            f->perm[k] = f->perm[piv];
            f->perm[piv] = t;
            f->swaps++;
        }
        double inv = 1.0 / f->lu[(size_t)k * n + k];
        const double *rk = &f->lu[(size_t)k * n];
        for (int i = k + 1; i < n; i++) {
            double *ri = &f->lu[(size_t)i * n];
            double l = ri[k] * inv;
            ri[k] = l;
            if (l == 0.0)
                continue;
            for (int j = k + 1; j < n; j++)
                ri[j] -= l * rk[j];
        }
    }
    return 1;
}

static void lu_free(LUFactor *f) {
    free(f->lu);
    free(f->perm);
}

static void lu_solve(const LUFactor *f, const double *b, double *x) {
    int n = f->n;
    for (int i = 0; i < n; i++) {
        double s = b[f->perm[i]];
        const double *ri = &f->lu[(size_t)i * n];
        for (int j = 0; j < i; j++)
            s -= ri[j] * x[j];
        x[i] = s;
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = x[i];
        const double *ri = &f->lu[(size_t)i * n];
        for (int j = i + 1; j < n; j++)
            s -= ri[j] * x[j];
        x[i] = s / ri[i];
    }
}

static double log_abs_det(const LUFactor *f, int *sign) {
    double acc = 0.0;
    int s = (f->swaps & 1) ? -1 : 1;
    for (int i = 0; i < f->n; i++) {
        double d = f->lu[(size_t)i * f->n + i];
        if (d < 0)
            s = -s;
        acc += log(fabs(d));
    }
    *sign = s;
    return acc;
}

static void mat_vec(const Dense *m, const double *x, double *y) {
    for (int i = 0; i < m->n; i++) {
        double s = 0.0;
        for (int j = 0; j < m->n; j++)
            s += A_(m, i, j) * x[j];
        y[i] = s;
    }
}

static double residual_inf(const Dense *m, const double *x, const double *b, double *tmp) {
    mat_vec(m, x, tmp);
    double r = 0.0;
    for (int i = 0; i < m->n; i++) {
        double d = fabs(tmp[i] - b[i]);
        if (d > r)
            r = d;
    }
    return r;
}

static double norm_inf(const double *v, int n) {
    double r = 0.0;
    for (int i = 0; i < n; i++)
        if (fabs(v[i]) > r)
            r = fabs(v[i]);
    return r;
}

/* Cholesky A = L L^T for SPD matrices, solve into x; returns 0 if not positive definite */
static int cholesky_solve(const Dense *m, const double *b, double *x) {
    int n = m->n;
    double *l = xcalloc((size_t)n * n, sizeof(double));
    for (int j = 0; j < n; j++) {
        double d = A_(m, j, j);
        for (int k = 0; k < j; k++)
            d -= l[(size_t)j * n + k] * l[(size_t)j * n + k];
        if (d <= 0.0) {
            free(l);
            return 0;
        }
        double ljj = sqrt(d);
        l[(size_t)j * n + j] = ljj;
        for (int i = j + 1; i < n; i++) {
            double s = A_(m, i, j);
            for (int k = 0; k < j; k++)
                s -= l[(size_t)i * n + k] * l[(size_t)j * n + k];
            l[(size_t)i * n + j] = s / ljj;
        }
    }
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= l[(size_t)i * n + k] * x[k];
        x[i] = s / l[(size_t)i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = x[i];
        for (int k = i + 1; k < n; k++)
            s -= l[(size_t)k * n + i] * x[k];
        x[i] = s / l[(size_t)i * n + i];
    }
    free(l);
    return 1;
}

static const char *verdict(double value, double tol) { return value <= tol ? "ok" : "LARGE"; }

static void print_samples(const double *x, int n) {
    printf("  x:");
    int cnt = n < SAMPLE_COUNT ? n : SAMPLE_COUNT;
    for (int s = 0; s < cnt; s++) {
        int idx = cnt > 1 ? (int)(((long)s * (n - 1)) / (cnt - 1)) : 0;
        double v = x[idx];
        if (fabs(v) < 5e-5)
            v = 0.0; /* avoid printing -0.0000 */
        printf(" [%d]=%.4f", idx, v);
    }
    printf("\n");
}

static void small_inverse_check(const Dense *m, const LUFactor *f) {
    int n = m->n < 24 ? m->n : 24;
    /* invert the leading principal block of the factor's original matrix via its own LU */
    Dense sub = {n, xcalloc((size_t)n * n, sizeof(double))};
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            A_(&sub, i, j) = A_(m, i, j);
    LUFactor sf;
    (void)f;
    if (!lu_factor(&sub, &sf)) {
        printf("  inverse: singular\n");
        free(sub.a);
        return;
    }
    double *e = xcalloc((size_t)n, sizeof(double));
    double *col = xcalloc((size_t)n, sizeof(double));
    double *inv = xcalloc((size_t)n * n, sizeof(double));
    for (int j = 0; j < n; j++) {
        memset(e, 0, (size_t)n * sizeof(double));
        e[j] = 1.0;
        lu_solve(&sf, e, col);
        for (int i = 0; i < n; i++)
            inv[(size_t)i * n + j] = col[i];
    }
    double worst = 0.0, trace = 0.0;
    for (int i = 0; i < n; i++) {
        trace += inv[(size_t)i * n + i];
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += A_(&sub, i, k) * inv[(size_t)k * n + j];
            double d = fabs(s - (i == j ? 1.0 : 0.0));
            if (d > worst)
                worst = d;
        }
    }
    printf("  inverse(%d): trace=%.4f identity-error %s\n", n, trace, verdict(worst, 1e-10));
    free(e);
    free(col);
    free(inv);
    free(sub.a);
    lu_free(&sf);
}

static int run_case(GenKind kind, int n, int band, int nrhs, uint32_t seed) {
    Dense m = {n, xcalloc((size_t)n * n, sizeof(double))};
    lcg_state = seed ^ 0xA5A5A5A5u;
    generators[kind].gen(&m, band);
    LUFactor f;
    if (!lu_factor(&m, &f)) {
        printf("  singular\n");
        free(m.a);
        lu_free(&f);
        return 1;
    }
    int sign;
    double ld = log_abs_det(&f, &sign);
    printf("  swaps=%d det_sign=%d log|det|=%.4f\n", f.swaps, sign, ld);
    double *b = xcalloc((size_t)n, sizeof(double));
    double *x = xcalloc((size_t)n, sizeof(double));
    double *x2 = xcalloc((size_t)n, sizeof(double));
    double *r = xcalloc((size_t)n, sizeof(double));
    double *tmp = xcalloc((size_t)n, sizeof(double));
    for (int k = 0; k < nrhs; k++) {
        for (int i = 0; i < n; i++)
            b[i] = rand_unit() * 10.0;
        lu_solve(&f, b, x);
        double res = residual_inf(&m, x, b, tmp);
        double scale = norm_inf(b, n) + 1.0;
        /* one step of iterative refinement */
        for (int i = 0; i < n; i++)
            r[i] = b[i] - tmp[i];
        lu_solve(&f, r, x2);
        double corr = norm_inf(x2, n);
        for (int i = 0; i < n; i++)
            x[i] += x2[i];
        double res2 = residual_inf(&m, x, b, tmp);
        double sum = 0.0;
        for (int i = 0; i < n; i++)
            sum += x[i];
        printf(" rhs %d: |x|inf=%.4f sum=%.4f residual %s refined %s correction %s\n", k, norm_inf(x, n), sum,
               verdict(res / scale, 1e-11), verdict(res2 / scale, 1e-11), verdict(corr, 1e-9));
        print_samples(x, n);
        if (kind == GEN_SPD) {
            if (cholesky_solve(&m, b, x2)) {
                double diff = 0.0;
                for (int i = 0; i < n; i++)
                    if (fabs(x2[i] - x[i]) > diff)
                        diff = fabs(x2[i] - x[i]);
                printf("  cholesky agrees: %s\n", diff < 1e-9 ? "yes" : "no");
            } else {
                printf("  cholesky: not positive definite\n");
            }
        }
    }
    small_inverse_check(&m, &f);
    free(b);
    free(x);
    free(x2);
    free(r);
    free(tmp);
    free(m.a);
    lu_free(&f);
    return 1;
}

static int parse_kind(const char *s, GenKind *k) {
    for (int i = 0; i < GEN_COUNT; i++)
        if (strcmp(generators[i].name, s) == 0) {
            *k = (GenKind)i;
            return 1;
        }
    return 0;
}

/* Input: lines "KIND N BAND NRHS SEED" (KIND = dominant|spd|banded|permuted); '#' starts a comment line. */
int main(void) {
    char line[MAX_LINE];
    int cases = 0, lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(stdin)) {
            fprintf(stderr, "line %d too long\n", lineno);
            return 1;
        }
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        char kname[32];
        int n, band, nrhs;
        unsigned seed;
        char extra;
        GenKind kind;
        if (sscanf(p, "%31s %d %d %d %u %c", kname, &n, &band, &nrhs, &seed, &extra) != 5 ||
            !parse_kind(kname, &kind) || n < 1 || n > MAX_N || band < 0 || band > n || nrhs < 1 ||
            nrhs > MAX_RHS) {
            fprintf(stderr, "bad case on line %d\n", lineno);
            return 1;
        }
        if (++cases > 12) {
            fprintf(stderr, "too many cases\n");
            return 1;
        }
        printf("case %d: %s n=%d band=%d\n", cases, kname, n, band);
        run_case(kind, n, band, nrhs, seed);
    }
    if (cases == 0) {
        fprintf(stderr, "no cases\n");
        return 1;
    }
    return 0;
}
