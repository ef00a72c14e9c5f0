/* Number-theoretic transform modulo 998244353: polynomial multiplication cross-checked against
 * schoolbook multiplication, polynomial powers, and big-integer (decimal) multiplication and
 * factorials built on top of NTT convolution. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOD 998244353u
#define PRIMITIVE_ROOT 3u
#define MAX_LOG 20
#define MAX_LEN (1 << 19)
#define MAX_DIGITS 100000
#define SCHOOLBOOK_LIMIT 2048
#define DIGIT_BASE 100u /* two decimal digits per limb keeps convolution sums < MOD */

typedef struct {
    size_t len;
    uint32_t *c;
} Poly;

typedef struct {
    size_t len; /* limbs, little endian, base DIGIT_BASE */
    uint32_t *d;
} BigNum;

static uint32_t roots[MAX_LOG + 1], inv_roots[MAX_LOG + 1];
static uint64_t rng = 88172645463325252ull;

static uint32_t mod_mul(uint32_t a, uint32_t b) { return (uint32_t)((uint64_t)a * b % MOD); }
static uint32_t mod_add(uint32_t a, uint32_t b) {
    uint32_t s = a + b;
    return s >= MOD ? s - MOD : s;
}
static uint32_t mod_sub(uint32_t a, uint32_t b) { return a >= b ? a - b : a + MOD - b; }

static uint32_t mod_pow(uint32_t base, uint64_t e) {
    uint32_t r = 1;
    while (e) {
        if (e & 1)
            r = mod_mul(r, base);
        base = mod_mul(base, base);
        e >>= 1;
    }
    return r;
}

static uint32_t mod_inv(uint32_t a) { return mod_pow(a, MOD - 2); }

static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

static void init_roots(void) {
    for (int k = 0; k <= MAX_LOG; k++) {
        roots[k] = mod_pow(PRIMITIVE_ROOT, (MOD - 1) >> k);
        inv_roots[k] = mod_inv(roots[k]);
    }
}

static void bit_reverse(uint32_t *a, size_t n) {
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

/* in-place iterative Cooley-Tukey NTT; n must be a power of two <= 2^MAX_LOG */
static void ntt(uint32_t *a, size_t n, int invert) {
    bit_reverse(a, n);
    for (size_t len = 2, lg = 1; len <= n; len <<= 1, lg++) {
        uint32_t wl = invert ? inv_roots[lg] : roots[lg];
        size_t half = len >> 1;
        for (size_t i = 0; i < n; i += len) {
            uint32_t w = 1;
            for (size_t j = 0; j < half; j++) {
                uint32_t u = a[i + j];
                uint32_t v = mod_mul(a[i + j + half], w);
                a[i + j] = mod_add(u, v);
                a[i + j + half] = mod_sub(u, v);
                w = mod_mul(w, wl);
            }
        }
    }
    if (invert) {
        uint32_t ninv = mod_inv((uint32_t)n);
        for (size_t i = 0; i < n; i++)
            a[i] = mod_mul(a[i], ninv);
    }
}

static size_t next_pow2(size_t n) {
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

static Poly poly_new(size_t len) {
    Poly p = {len, xmalloc(len * sizeof(uint32_t))};
    memset(p.c, 0, len * sizeof(uint32_t));
    return p;
}

static void poly_free(Poly *p) {
    free(p->c);
    p->c = NULL;
    p->len = 0;
}

static Poly poly_mul_ntt(const Poly *a, const Poly *b) {
    size_t rlen = a->len + b->len - 1;
    size_t n = next_pow2(rlen);
    uint32_t *fa = xmalloc(n * sizeof(uint32_t)), *fb = xmalloc(n * sizeof(uint32_t));
    memset(fa, 0, n * sizeof(uint32_t));
    memset(fb, 0, n * sizeof(uint32_t));
    memcpy(fa, a->c, a->len * sizeof(uint32_t));
    memcpy(fb, b->c, b->len * sizeof(uint32_t));
    ntt(fa, n, 0);
    ntt(fb, n, 0);
    for (size_t i = 0; i < n; i++)
        fa[i] = mod_mul(fa[i], fb[i]);
    ntt(fa, n, 1);
    Poly r = poly_new(rlen);
    memcpy(r.c, fa, rlen * sizeof(uint32_t));
    free(fa);
    free(fb);
    return r;
}

static Poly poly_mul_school(const Poly *a, const Poly *b) {
    Poly r = poly_new(a->len + b->len - 1);
    for (size_t i = 0; i < a->len; i++) {
        if (a->c[i] == 0)
            continue;
        for (size_t j = 0; j < b->len; j++)
            r.c[i + j] = mod_add(r.c[i + j], mod_mul(a->c[i], b->c[j]));
    }
    return r;
}

static uint32_t poly_eval(const Poly *p, uint32_t x) {
    uint32_t r = 0;
    for (size_t i = p->len; i-- > 0;)
        r = mod_add(mod_mul(r, x), p->c[i]);
    return r;
}

static uint64_t poly_hash(const Poly *p) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < p->len; i++) {
        h ^= p->c[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void poly_random(Poly *p, uint32_t maxval) {
    for (size_t i = 0; i < p->len; i++)
        p->c[i] = (uint32_t)(next_rand() % maxval);
}

/* p^e truncated to `keep` coefficients, by repeated squaring */
static Poly poly_pow_trunc(const Poly *p, uint32_t e, size_t keep) {
    Poly result = poly_new(1);
    result.c[0] = 1;
    Poly base = poly_new(p->len < keep ? p->len : keep);
    memcpy(base.c, p->c, base.len * sizeof(uint32_t));
    while (e) {
        if (e & 1) {
            Poly t = poly_mul_ntt(&result, &base);
            poly_free(&result);
            if (t.len > keep)
                t.len = keep;
            result = t;
        }
        e >>= 1;
        if (e) {
            Poly t = poly_mul_ntt(&base, &base);
            poly_free(&base);
            if (t.len > keep)
                t.len = keep;
            base = t;
        }
    }
    poly_free(&base);
    return result;
}

static void cmd_polymul(size_t la, size_t lb, uint32_t maxval) {
    Poly a = poly_new(la), b = poly_new(lb);
    poly_random(&a, maxval);
    poly_random(&b, maxval);
    Poly r = poly_mul_ntt(&a, &b);
    int checked = 0, ok = 1;
    if (la <= SCHOOLBOOK_LIMIT && lb <= SCHOOLBOOK_LIMIT) {
        Poly s = poly_mul_school(&a, &b);
        ok = memcmp(s.c, r.c, r.len * sizeof(uint32_t)) == 0;
        checked = 1;
        poly_free(&s);
    } else {
        /* spot check by evaluation at a few points */
        for (int t = 0; t < 4; t++) {
            uint32_t x = (uint32_t)(next_rand() % MOD);
            if (mod_mul(poly_eval(&a, x), poly_eval(&b, x)) != poly_eval(&r, x))
                ok = 0;
        }
    }
    printf("polymul %zu x %zu: len=%zu c0=%u mid=%u last=%u hash=%016llx %s %s\n", la, lb, r.len, r.c[0],
           r.c[r.len / 2], r.c[r.len - 1], (unsigned long long)poly_hash(&r), checked ? "schoolbook" : "eval",
           ok ? "ok" : "MISMATCH");
    poly_free(&a);
    poly_free(&b);
    poly_free(&r);
}

static void cmd_polypow(size_t len, uint32_t e, size_t keep) {
    Poly p = poly_new(len);
    poly_random(&p, 1000);
    p.c[0] = 1;
    Poly r = poly_pow_trunc(&p, e, keep);
    /* check: (p^e)(x) mod x^keep compare coefficient 1 == e * p1 */
    int ok = r.len < 2 || len < 2 || r.c[1] == mod_mul(e % MOD, p.c[1]);
    printf("polypow len=%zu e=%u keep=%zu: c1=%u c_last=%u hash=%016llx %s\n", len, e, keep, r.len > 1 ? r.c[1] : 0,
           r.c[r.len - 1], (unsigned long long)poly_hash(&r), ok ? "ok" : "MISMATCH");
    poly_free(&p);
    poly_free(&r);
}

/* ---- big integers in base 100 ---- */

static BigNum big_from_small(uint32_t v) {
    BigNum b = {0, xmalloc(8 * sizeof(uint32_t))};
    do {
        b.d[b.len++] = v % DIGIT_BASE;
        v /= DIGIT_BASE;
    } while (v);
    return b;
}

static int big_parse(const char *s, size_t n, BigNum *out) {
    while (n > 1 && *s == '0') {
        s++;
        n--;
    }
    out->len = (n + 1) / 2;
    out->d = xmalloc(out->len * sizeof(uint32_t));
    for (size_t i = 0; i < out->len; i++) {
        /* limb i covers digits at positions n-2i-2, n-2i-1 from the left */
        size_t hi_pos = n - 2 * i - 1;
        uint32_t lo = (uint32_t)(s[hi_pos] - '0');
        uint32_t hi = hi_pos >= 1 ? (uint32_t)(s[hi_pos - 1] - '0') : 0;
        out->d[i] = hi * 10 + lo;
    }
    return 1;
}

static void big_trim(BigNum *b) {
    while (b->len > 1 && b->d[b->len - 1] == 0)
        b->len--;
}

static BigNum big_mul(const BigNum *a, const BigNum *b) {
    Poly pa = {a->len, a->d}, pb = {b->len, b->d};
    Poly r;
    if (a->len < 32 || b->len < 32)
        r = poly_mul_school(&pa, &pb);
    else
        r = poly_mul_ntt(&pa, &pb);
    BigNum out = {r.len + 2, xmalloc((r.len + 2) * sizeof(uint32_t))};
    uint64_t carry = 0;
    for (size_t i = 0; i < out.len; i++) {
        uint64_t v = carry + (i < r.len ? r.c[i] : 0);
        out.d[i] = (uint32_t)(v % DIGIT_BASE);
        carry = v / DIGIT_BASE;
    }
    poly_free(&r);
    big_trim(&out);
    return out;
}

static uint32_t big_digit_sum(const BigNum *b) {
    uint32_t s = 0;
    for (size_t i = 0; i < b->len; i++)
        s += b->d[i] / 10 + b->d[i] % 10;
    return s;
}

static size_t big_num_digits(const BigNum *b) { return b->len * 2 - (b->d[b->len - 1] < 10 ? 1 : 0); }

static void big_print_head_tail(const char *label, const BigNum *b) {
    size_t nd = big_num_digits(b);
    printf("%s: digits=%zu digitsum=%u head=", label, nd, big_digit_sum(b));
    /* leading up to 12 digits */
    int printed = 0;
    for (size_t i = b->len; i-- > 0 && printed < 12;) {
        if (i == b->len - 1 && b->d[i] < 10) {
            printf("%u", b->d[i]);
            printed++;
        } else {
            printf("%02u", b->d[i]);
            printed += 2;
        }
    }
    printf(" tail=");
    size_t tl = b->len < 6 ? b->len : 6;
    for (size_t i = tl; i-- > 0;)
        printf(i == tl - 1 && tl == b->len ? "%u" : "%02u", b->d[i]);
    printf("\n");
}

static void big_free(BigNum *b) {
    free(b->d);
    b->d = NULL;
}

/* product lo*(lo+1)*...*hi by divide and conquer so NTT does the heavy lifting */
static BigNum range_product(uint32_t lo, uint32_t hi) {
    if (hi - lo < 8) {
        BigNum r = big_from_small(lo);
        for (uint32_t k = lo + 1; k <= hi; k++) {
            BigNum f = big_from_small(k);
            BigNum t = big_mul(&r, &f);
            big_free(&r);
            big_free(&f);
            r = t;
        }
        return r;
    }
    uint32_t mid = lo + (hi - lo) / 2;
    BigNum a = range_product(lo, mid), b = range_product(mid + 1, hi);
    BigNum r = big_mul(&a, &b);
    big_free(&a);
    big_free(&b);
    return r;
}

static int read_token(char *buf, size_t cap, size_t *outlen) {
    int ch;
    size_t n = 0;
    do
        ch = getchar();
    while (ch != EOF && isspace(ch));
    if (ch == EOF)
        return 0;
    while (ch != EOF && !isspace(ch)) {
        if (n + 1 >= cap)
            return -1;
        buf[n++] = (char)ch;
        ch = getchar();
    }
    buf[n] = '\0';
    *outlen = n;
    return 1;
}

static int parse_uint(const char *s, uint32_t max, uint32_t *out) {
    uint64_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return 0;
    }
    *out = (uint32_t)v;
    return 1;
}

static int all_digits(const char *s, size_t n) {
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static char tokbuf[MAX_DIGITS + 2], tokbuf2[MAX_DIGITS + 2];

/* Commands (whitespace separated):
 *   seed S
 *   polymul LEN_A LEN_B MAXVAL
 *   polypow LEN EXP KEEP
 *   bigmul DECIMAL DECIMAL
 *   bigsquare_random NDIGITS
 *   factorial N
 */
int main(void) {
    init_roots();
    size_t len;
    int r, ncmd = 0;
    while ((r = read_token(tokbuf, sizeof tokbuf, &len)) == 1) {
        uint32_t a, b, c;
        if (++ncmd > 16) {
            fprintf(stderr, "too many commands\n");
            return 1;
        }
        if (strcmp(tokbuf, "seed") == 0) {
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, 0xFFFFFFFFu, &a))
                goto bad;
            rng = 88172645463325252ull ^ ((uint64_t)a * 0x9E3779B97F4A7C15ull);
            if (rng == 0)
                rng = 1;
        } else if (strcmp(tokbuf, "polymul") == 0) {
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, MAX_LEN / 2, &a) || a == 0)
                goto bad;
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, MAX_LEN / 2, &b) || b == 0)
                goto bad;
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, MOD, &c) || c == 0)
                goto bad;
            cmd_polymul(a, b, c);
        } else if (strcmp(tokbuf, "polypow") == 0) {
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, 4096, &a) || a == 0)
                goto bad;
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, 0xFFFFFFFFu, &b))
                goto bad;
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, MAX_LEN / 8, &c) || c == 0)
                goto bad;
            cmd_polypow(a, b, c);
        } else if (strcmp(tokbuf, "bigmul") == 0) {
            size_t len2;
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !all_digits(tokbuf, len))
                goto bad;
            if (read_token(tokbuf2, sizeof tokbuf2, &len2) != 1 || !all_digits(tokbuf2, len2))
                goto bad;
            BigNum x, y;
            big_parse(tokbuf, len, &x);
            big_parse(tokbuf2, len2, &y);
            BigNum z = big_mul(&x, &y);
            big_print_head_tail("bigmul", &z);
            big_free(&x);
            big_free(&y);
            big_free(&z);
        } else if (strcmp(tokbuf, "bigsquare_random") == 0) {
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, MAX_DIGITS, &a) || a == 0)
                goto bad;
            for (uint32_t i = 0; i < a; i++)
                tokbuf2[i] = (char)('0' + (i == 0 ? 1 + next_rand() % 9 : next_rand() % 10));
            BigNum x;
            big_parse(tokbuf2, a, &x);
            BigNum z = big_mul(&x, &x);
            big_print_head_tail("square", &z);
            big_free(&x);
            big_free(&z);
        } else if (strcmp(tokbuf, "factorial") == 0) {
            if (read_token(tokbuf, sizeof tokbuf, &len) != 1 || !parse_uint(tokbuf, 20000, &a) || a == 0)
                goto bad;
            BigNum f = range_product(1, a);
            char label[32];
            snprintf(label, sizeof label, "%u!", a);
            big_print_head_tail(label, &f);
            big_free(&f);
        } else {
            fprintf(stderr, "unknown command '%.20s'\n", tokbuf);
            return 1;
        }
    }
    if (r < 0 || ncmd == 0)
        goto bad;
    return 0;
bad:
    fprintf(stderr, "malformed input\n");
    return 1;
}
