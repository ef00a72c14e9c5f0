/* Big unsigned integer arithmetic.
 *
 * Input lines:
 *   fact <n>          n!                 (n <= 30000)
 *   fib <n>           Fibonacci F(n)     (n <= 1000000), cross-checked by iteration when n <= 20000
 *   pow <b> <e>       b^e                (b < 2^32, result at most MAX_POW_BITS bits)
 *   binom <n> <k>     C(n, k)            (n <= 50000), by multiplication and exact small division
 *   catalan <n>       C(2n, n) / (n + 1) (n <= 20000)
 * For each result: decimal digit count, digit sum, leading and trailing digits and a limb hash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KARATSUBA_THRESHOLD 40
#define EDGE_DIGITS 24
#define MAX_WORK 1000000000ULL
#define MAX_POW_BITS 800000ULL /* decimal conversion is quadratic: keep results moderate */

typedef struct {
    uint32_t *d; /* little-endian limbs */
    size_t n;    /* limbs in use, no leading zero limbs */
    size_t cap;
} Big;

static unsigned long long work;

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

/* ---------- memory ---------- */

static void big_reserve(Big *a, size_t cap) {
    if (cap <= a->cap)
        return;
    size_t nc = a->cap ? a->cap : 4;
    while (nc < cap)
        nc *= 2;
    uint32_t *p = realloc(a->d, nc * sizeof *p);
    if (!p)
        die("out of memory");
    a->d = p;
    a->cap = nc;
}

static void big_free(Big *a) {
    free(a->d);
    a->d = NULL;
    a->n = a->cap = 0;
}

static void big_trim(Big *a) {
    while (a->n > 0 && a->d[a->n - 1] == 0)
        a->n--;
}

static void big_set_u64(Big *a, uint64_t v) {
    big_reserve(a, 2);
    a->d[0] = (uint32_t)v;
    a->d[1] = (uint32_t)(v >> 32);
    a->n = 2;
    big_trim(a);
}

static void big_copy(Big *dst, const Big *src) {
    big_reserve(dst, src->n + 1);
    if (src->n)
        memcpy(dst->d, src->d, src->n * sizeof *src->d);
    dst->n = src->n;
}

static void big_swap(Big *a, Big *b) {
    Big t = *a;
    *a = *b;
    *b = t;
}

/* ---------- limb-array kernels ---------- */

/* r[0..n] = a[0..n) + b[0..m), n >= m; returns carry */
static uint32_t add_limbs(uint32_t *r, const uint32_t *a, size_t n, const uint32_t *b, size_t m) {
    uint64_t carry = 0;
    size_t i = 0;
    for (; i < m; i++) {
        carry += (uint64_t)a[i] + b[i];
        r[i] = (uint32_t)carry;
        carry >>= 32;
    }
    for (; i < n; i++) {
        carry += a[i];
        r[i] = (uint32_t)carry;
        carry >>= 32;
    }
    return (uint32_t)carry;
}

/* a[0..n) -= b[0..m) in place, n >= m; returns borrow */
static uint32_t sub_limbs_inplace(uint32_t *a, size_t n, const uint32_t *b, size_t m) {
    uint32_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t sub = (uint64_t)(i < m ? b[i] : 0) + borrow;
        if (i >= m && !borrow)
            break;
        borrow = (uint64_t)a[i] < sub;
        a[i] = (uint32_t)((uint64_t)a[i] - sub);
    }
    return borrow;
}

/* r[0..n+m) = a * b, r must not alias */
static void mul_school(uint32_t *r, const uint32_t *a, size_t n, const uint32_t *b, size_t m) {
    memset(r, 0, (n + m) * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        uint64_t carry = 0, ai = a[i];
        if (!ai)
            continue;
        for (size_t j = 0; j < m; j++) {
            carry += ai * b[j] + r[i + j];
            r[i + j] = (uint32_t)carry;
            carry >>= 32;
        }
        r[i + m] = (uint32_t)carry;
    }
    work += (unsigned long long)n * m;
}

/* Karatsuba for equal halves; r has room for 2n limbs, scratch for 4n + some. */
static void mul_karatsuba(uint32_t *r, const uint32_t *a, const uint32_t *b, size_t n, uint32_t *scratch) {
    if (n < KARATSUBA_THRESHOLD) {
        mul_school(r, a, n, b, n);
        return;
    }
    size_t h = n / 2, hi = n - h; /* low half h limbs, high half hi limbs (hi >= h) */
    uint32_t *sa = scratch, *sb = scratch + hi + 1, *z1 = scratch + 2 * (hi + 1);
    uint32_t *next = z1 + 2 * (hi + 1);
    /* sa = a_lo + a_hi, sb = b_lo + b_hi (hi + 1 limbs each) */
    sa[hi] = add_limbs(sa, a + h, hi, a, h);
    sb[hi] = add_limbs(sb, b + h, hi, b, h);
    /* z0 = a_lo * b_lo into r[0..2h), z2 = a_hi * b_hi into r[2h..2n) */
    mul_karatsuba(r, a, b, h, next);
    mul_karatsuba(r + 2 * h, a + h, b + h, hi, next);
    /* z1 = sa * sb - z0 - z2 */
    mul_karatsuba(z1, sa, sb, hi + 1, next);
    size_t z1n = 2 * (hi + 1);
    sub_limbs_inplace(z1, z1n, r, 2 * h);
    sub_limbs_inplace(z1, z1n, r + 2 * h, 2 * hi);
    while (z1n > 0 && z1[z1n - 1] == 0)
        z1n--;
    /* r += z1 << (32 * h) */
    uint64_t carry = 0;
    size_t i = 0;
    for (; i < z1n; i++) {
        carry += (uint64_t)r[h + i] + z1[i];
        r[h + i] = (uint32_t)carry;
        carry >>= 32;
    }
    for (; carry && h + i < 2 * n; i++) {
        carry += r[h + i];
        r[h + i] = (uint32_t)carry;
        carry >>= 32;
    }
}

static size_t karatsuba_scratch(size_t n) {
    size_t total = 0;
    while (n >= KARATSUBA_THRESHOLD) {
        size_t hi = n - n / 2;
        total += 4 * (hi + 1);
        n = hi + 1;
    }
    return total + 8;
}

/* ---------- Big operations ---------- */

static void big_mul(Big *r, const Big *a, const Big *b) {
    if (a->n == 0 || b->n == 0) {
        r->n = 0;
        return;
    }
    Big t = {0};
    big_reserve(&t, a->n + b->n + 1);
    size_t small = a->n < b->n ? a->n : b->n, large = a->n < b->n ? b->n : a->n;
    const uint32_t *sp = a->n < b->n ? a->d : b->d, *lp = a->n < b->n ? b->d : a->d;
    if (small < KARATSUBA_THRESHOLD || large > 2 * small) {
        mul_school(t.d, lp, large, sp, small);
    } else {
        /* pad the shorter operand to the same length and use Karatsuba */
        uint32_t *pad = calloc(large, sizeof *pad);
        uint32_t *res = malloc(2 * large * sizeof *res);
        uint32_t *scratch = malloc(karatsuba_scratch(large) * sizeof *scratch);
        if (!pad || !res || !scratch)
            die("out of memory");
        memcpy(pad, sp, small * sizeof *pad);
        mul_karatsuba(res, lp, pad, large, scratch);
        memcpy(t.d, res, (a->n + b->n) * sizeof *res);
        free(pad);
        free(res);
        free(scratch);
    }
    t.n = a->n + b->n;
    big_trim(&t);
    big_swap(r, &t);
    big_free(&t);
}

static void big_add(Big *r, const Big *a, const Big *b) {
    const Big *x = a->n >= b->n ? a : b, *y = a->n >= b->n ? b : a;
    Big t = {0};
    big_reserve(&t, x->n + 1);
    t.d[x->n] = add_limbs(t.d, x->d, x->n, y->d, y->n);
    t.n = x->n + 1;
    big_trim(&t);
    big_swap(r, &t);
    big_free(&t);
}

static int big_cmp(const Big *a, const Big *b) {
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (size_t i = a->n; i-- > 0;)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

/* r = a - b, requires a >= b */
static void big_sub(Big *r, const Big *a, const Big *b) {
    Big t = {0};
    big_copy(&t, a);
    sub_limbs_inplace(t.d, t.n, b->d, b->n);
    big_trim(&t);
    big_swap(r, &t);
    big_free(&t);
}

static void big_mul_small(Big *a, uint32_t m) {
    uint64_t carry = 0;
    for (size_t i = 0; i < a->n; i++) {
        carry += (uint64_t)a->d[i] * m;
        a->d[i] = (uint32_t)carry;
        carry >>= 32;
    }
    if (carry) {
        big_reserve(a, a->n + 1);
        a->d[a->n++] = (uint32_t)carry;
    }
    big_trim(a);
    work += a->n;
}

static uint32_t big_divmod_small(Big *a, uint32_t m) {
    uint64_t rem = 0;
    for (size_t i = a->n; i-- > 0;) {
        uint64_t cur = rem << 32 | a->d[i];
        a->d[i] = (uint32_t)(cur / m);
        rem = cur % m;
    }
    big_trim(a);
    work += a->n;
    return (uint32_t)rem;
}

static void big_shl1(Big *a) {
    uint32_t carry = 0;
    for (size_t i = 0; i < a->n; i++) {
        uint32_t next = a->d[i] >> 31;
        a->d[i] = a->d[i] << 1 | carry;
        carry = next;
    }
    if (carry) {
        big_reserve(a, a->n + 1);
        a->d[a->n++] = carry;
    }
}

/* ---------- number theory helpers ---------- */

/* product of lo..hi inclusive by binary splitting */
static void product_range(Big *r, uint32_t lo, uint32_t hi) {
    if (hi < lo) {
        big_set_u64(r, 1);
        return;
    }
    if (hi - lo < 16) {
        big_set_u64(r, lo);
        for (uint32_t k = lo + 1; k <= hi; k++)
            big_mul_small(r, k);
        return;
    }
    uint32_t mid = lo + (hi - lo) / 2;
    Big left = {0}, right = {0};
    product_range(&left, lo, mid);
    product_range(&right, mid + 1, hi);
    big_mul(r, &left, &right);
    big_free(&left);
    big_free(&right);
}

/* fast doubling: (F(n), F(n+1)) */
static void fib_pair(uint64_t n, Big *f, Big *g) {
    if (n == 0) {
        big_set_u64(f, 0);
        big_set_u64(g, 1);
        return;
    }
    Big a = {0}, b = {0}, t = {0}, u = {0};
    fib_pair(n / 2, &a, &b);
    /* c = a * (2b - a), d = a^2 + b^2 */
    big_copy(&t, &b);
    big_shl1(&t);
    big_sub(&t, &t, &a);
    big_mul(&t, &a, &t);
    big_mul(&u, &a, &a);
    big_mul(&a, &b, &b);
    big_add(&u, &u, &a);
    if (n % 2 == 0) {
        big_swap(f, &t);
        big_swap(g, &u);
    } else {
        big_swap(f, &u);
        big_add(g, f, &t);
    }
    big_free(&a);
    big_free(&b);
    big_free(&t);
    big_free(&u);
}

static void fib_iterative(uint64_t n, Big *out) {
    Big a = {0}, b = {0};
    big_set_u64(&a, 0);
    big_set_u64(&b, 1);
    for (uint64_t i = 0; i < n; i++) {
        big_add(&a, &a, &b);
        big_swap(&a, &b);
    }
    big_swap(out, &a);
    big_free(&a);
    big_free(&b);
}

static void big_pow(Big *r, uint32_t base, uint64_t e) {
    Big acc = {0}, sq = {0};
    big_set_u64(&acc, 1);
    big_set_u64(&sq, base);
    while (e) {
        if (e & 1)
            big_mul(&acc, &acc, &sq);
        e >>= 1;
        if (e)
            big_mul(&sq, &sq, &sq);
    }
    big_swap(r, &acc);
    big_free(&acc);
    big_free(&sq);
}

/* C(n, k) = prod (n-k+1..n) / k!, dividing as we go keeps every quotient exact */
static int binomial(Big *r, uint32_t n, uint32_t k) {
    if (k > n) {
        big_set_u64(r, 0);
        return 1;
    }
    if (k > n - k)
        k = n - k;
    big_set_u64(r, 1);
    int exact = 1;
    for (uint32_t i = 1; i <= k; i++) {
        big_mul_small(r, n - k + i);
        exact &= big_divmod_small(r, i) == 0;
    }
    return exact;
}

/* ---------- decimal output ---------- */

typedef struct {
    size_t digits;
    uint64_t digit_sum;
    char head[EDGE_DIGITS + 1], tail[EDGE_DIGITS + 1];
    uint64_t limb_hash;
} Summary;

static void summarize(const Big *a, Summary *s) {
    memset(s, 0, sizeof *s);
    s->limb_hash = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < a->n; i++)
        s->limb_hash = (s->limb_hash ^ a->d[i]) * 0x100000001B3ULL;
    if (a->n == 0) {
        s->digits = 1;
        strcpy(s->head, "0");
        strcpy(s->tail, "0");
        return;
    }
    /* peel off base-10^9 chunks, least significant first */
    Big t = {0};
    big_copy(&t, a);
    size_t nchunks = 0, cap = a->n * 10 / 9 + 2;
    uint32_t *chunks = malloc(cap * sizeof *chunks);
    if (!chunks)
        die("out of memory");
    while (t.n > 0)
        chunks[nchunks++] = big_divmod_small(&t, 1000000000u);
    big_free(&t);
    /* most significant chunk without leading zeros, the rest zero padded */
    char *text = malloc((nchunks + 1) * 9 + 2);
    if (!text)
        die("out of memory");
    int len = sprintf(text, "%u", chunks[nchunks - 1]);
    size_t pos = (size_t)len;
    for (size_t i = nchunks - 1; i-- > 0;) {
        sprintf(text + pos, "%09u", chunks[i]);
        pos += 9;
    }
    s->digits = pos;
    for (size_t i = 0; i < pos; i++)
        s->digit_sum += (uint64_t)(text[i] - '0');
    size_t e = pos < EDGE_DIGITS ? pos : EDGE_DIGITS;
    memcpy(s->head, text, e);
    memcpy(s->tail, text + pos - e, e);
    free(text);
    free(chunks);
}

static void report(const char *label, const Big *a) {
    Summary s;
    summarize(a, &s);
    printf("%s: digits=%zu sum=%llu head=%s tail=%s limbs=%zu hash=%016llx\n", label, s.digits,
           (unsigned long long)s.digit_sum, s.head, s.tail, a->n, (unsigned long long)s.limb_hash);
}

/* ---------- driver ---------- */

static uint64_t bit_length(uint64_t v) {
    uint64_t n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
    char *end;
    if (*s < '0' || *s > '9' || strlen(s) > 19)
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v > max)
        return 0;
    *out = v;
    return 1;
}

int main(void) {
    char line[256];
    int lineno = 0, done = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        char cmd[16], s1[32], s2[32], extra[2];
        int nf = sscanf(line, "%15s %31s %31s %1s", cmd, s1, s2, extra);
        if (nf <= 0 || cmd[0] == '#')
            continue;
        uint64_t x = 0, y = 0;
        int ok = 0;
        char label[96];
        Big r = {0};
        if (strcmp(cmd, "fact") == 0 && nf == 2 && parse_u64(s1, 30000, &x)) {
            product_range(&r, 2, (uint32_t)x);
            snprintf(label, sizeof label, "%llu!", (unsigned long long)x);
            report(label, &r);
            ok = 1;
        } else if (strcmp(cmd, "fib") == 0 && nf == 2 && parse_u64(s1, 1000000, &x)) {
            Big g = {0};
            fib_pair(x, &r, &g);
            snprintf(label, sizeof label, "F(%llu)", (unsigned long long)x);
            report(label, &r);
            if (x <= 20000) {
                Big it = {0};
                fib_iterative(x, &it);
                printf("  iterative check: %s\n", big_cmp(&it, &r) == 0 ? "agree" : "DISAGREE");
                big_free(&it);
            }
            big_free(&g);
            ok = 1;
        } else if (strcmp(cmd, "pow") == 0 && nf == 3 && parse_u64(s1, UINT32_MAX, &x) &&
                   parse_u64(s2, MAX_POW_BITS, &y) && bit_length(x) * y <= MAX_POW_BITS) {
            big_pow(&r, (uint32_t)x, y);
            snprintf(label, sizeof label, "%llu^%llu", (unsigned long long)x, (unsigned long long)y);
            report(label, &r);
            ok = 1;
        } else if (strcmp(cmd, "binom") == 0 && nf == 3 && parse_u64(s1, 50000, &x) && parse_u64(s2, 50000, &y)) {
            int exact = binomial(&r, (uint32_t)x, (uint32_t)y);
            snprintf(label, sizeof label, "C(%llu,%llu)", (unsigned long long)x, (unsigned long long)y);
            report(label, &r);
            printf("  divisions exact: %s\n", exact ? "yes" : "NO");
            ok = 1;
        } else if (strcmp(cmd, "catalan") == 0 && nf == 2 && parse_u64(s1, 20000, &x)) {
            int exact = binomial(&r, (uint32_t)(2 * x), (uint32_t)x);
            uint32_t rem = big_divmod_small(&r, (uint32_t)x + 1);
            snprintf(label, sizeof label, "Catalan(%llu)", (unsigned long long)x);
            report(label, &r);
            printf("  exact: %s\n", exact && rem == 0 ? "yes" : "NO");
            ok = 1;
        }
        big_free(&r);
        if (!ok) {
            fprintf(stderr, "line %d: bad command or argument out of range\n", lineno);
            return 1;
        }
        if (work > MAX_WORK) {
            fprintf(stderr, "work limit exceeded\n");
            return 1;
        }
        done++;
    }
    if (!done) {
        fprintf(stderr, "no commands\n");
        return 1;
    }
    return 0;
}
