/* Checksums and non-cryptographic hashes over text and PRNG-generated buffers: CRC-32 (bitwise,
 * table-driven, slicing-by-4, and combination of CRCs via GF(2) matrices), CRC-32C, Adler-32
 * (direct and rolling window), Fletcher-16, FNV-1a (32/64) and MurmurHash3 x86_32, plus a hash
 * bucket distribution test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRC32_POLY 0xEDB88320u
#define CRC32C_POLY 0x82F63B78u
#define ADLER_MOD 65521u
#define MAX_BUFFER (8u << 20)
#define MAX_LINE 4096
#define BUCKETS 1024

typedef uint32_t (*Hash32Fn)(const uint8_t *data, size_t len, uint32_t seed);

typedef struct {
    const char *name;
    Hash32Fn fn;
} NamedHash;

static uint32_t crc_table[8][256];
static uint32_t crc32c_table[256];

static void init_tables(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i, d = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1u) ? (c >> 1) ^ CRC32_POLY : c >> 1;
            d = (d & 1u) ? (d >> 1) ^ CRC32C_POLY : d >> 1;
        }
        crc_table[0][i] = c;
        crc32c_table[i] = d;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xffu];
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n, uint32_t crc) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t crc32_table(const uint8_t *p, size_t n, uint32_t crc) {
    crc = ~crc;
    while (n--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xffu];
    return ~crc;
}

static uint32_t crc32_slice4(const uint8_t *p, size_t n, uint32_t crc) {
    crc = ~crc;
    while (n >= 4) {
        crc ^= (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
        crc = crc_table[3][crc & 0xffu] ^ crc_table[2][(crc >> 8) & 0xffu] ^ crc_table[1][(crc >> 16) & 0xffu] ^
              crc_table[0][crc >> 24];
        p += 4;
        n -= 4;
    }
    while (n--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xffu];
    return ~crc;
}

static uint32_t crc32c(const uint8_t *p, size_t n, uint32_t crc) {
    crc = ~crc;
    while (n--)
        crc = (crc >> 8) ^ crc32c_table[(crc ^ *p++) & 0xffu];
    return ~crc;
}

/* ---- CRC combination: multiply by x^(8*len2) using GF(2) 32x32 matrices ---- */

static uint32_t gf2_times(const uint32_t *mat, uint32_t vec) {
    uint32_t sum = 0;
    for (int i = 0; vec; i++, vec >>= 1)
        if (vec & 1u)
            sum ^= mat[i];
    return sum;
}

static void gf2_square(uint32_t *sq, const uint32_t *mat) {
    for (int n = 0; n < 32; n++)
        sq[n] = gf2_times(mat, mat[n]);
}

static uint32_t crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2) {
    uint32_t even[32], odd[32];
    if (len2 == 0)
        return crc1;
    odd[0] = CRC32_POLY; /* operator for one zero bit */
    for (int n = 1; n < 32; n++)
        odd[n] = 1u << (n - 1);
    gf2_square(even, odd); /* two zero bits */
    gf2_square(odd, even); /* four zero bits */
    do {
        gf2_square(even, odd);
        if (len2 & 1u)
            crc1 = gf2_times(even, crc1);
        len2 >>= 1;
        if (!len2)
            break;
        gf2_square(odd, even);
        if (len2 & 1u)
            crc1 = gf2_times(odd, crc1);
        len2 >>= 1;
    } while (len2);
    return crc1 ^ crc2;
}

/* ---- Adler-32 and Fletcher-16 ---- */

static uint32_t adler32(const uint8_t *p, size_t n, uint32_t adler) {
    uint32_t a = adler & 0xffffu, b = adler >> 16;
    while (n > 0) {
        size_t chunk = n < 5552 ? n : 5552; /* largest block without 32-bit overflow */
        n -= chunk;
        while (chunk--) {
            a += *p++;
            b += a;
        }
        a %= ADLER_MOD;
        b %= ADLER_MOD;
    }
    return (b << 16) | a;
}

static uint32_t adler32_hash(const uint8_t *p, size_t n, uint32_t seed) {
    (void)seed;
    return adler32(p, n, 1);
}

static uint16_t fletcher16(const uint8_t *p, size_t n) {
    uint32_t s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        s1 = (s1 + p[i]) % 255u;
        s2 = (s2 + s1) % 255u;
    }
    return (uint16_t)((s2 << 8) | s1);
}

/* ---- FNV-1a and MurmurHash3 ---- */

static uint32_t fnv1a32(const uint8_t *p, size_t n, uint32_t seed) {
    uint32_t h = 2166136261u ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static uint64_t fnv1a64(const uint8_t *p, size_t n) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint32_t murmur3_32(const uint8_t *p, size_t n, uint32_t seed) {
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    uint32_t h = seed;
    size_t blocks = n / 4;
    for (size_t i = 0; i < blocks; i++) {
        const uint8_t *b = p + 4 * i;
        uint32_t k = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5u + 0xe6546b64u;
    }
    const uint8_t *tail = p + blocks * 4;
    uint32_t k = 0;
    switch (n & 3u) {
    case 3:
        k ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        k ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        break;
    default:
        break;
    }
    h ^= (uint32_t)n;
    return fmix32(h);
}

static uint32_t crc32_hash(const uint8_t *p, size_t n, uint32_t seed) { return crc32_slice4(p, n, seed); }

static const NamedHash hashes[] = {
    {"crc32", crc32_hash}, {"adler32", adler32_hash}, {"fnv1a32", fnv1a32}, {"murmur3", murmur3_32},
};
#define NHASHES ((int)(sizeof(hashes) / sizeof(hashes[0])))

/* ---- buffers ---- */

static uint64_t gen_state;

static uint64_t gen64(void) {
    /* xorshift128+-like on a single 64-bit word plus Weyl sequence */
    static uint64_t weyl = 0;
    gen_state ^= gen_state << 7;
    gen_state ^= gen_state >> 9;
    weyl += 0xB5AD4ECEDA1CE2A9ull;
    return gen_state + weyl;
}

typedef enum { FILL_UNIFORM, FILL_TEXT, FILL_RUNS, FILL_ZERO } FillMode;

static void fill_buffer(uint8_t *buf, size_t n, FillMode mode) {
    static const char words[][8] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog. "};
    size_t i = 0;
    switch (mode) {
    case FILL_UNIFORM:
        for (; i + 8 <= n; i += 8) {
            uint64_t v = gen64();
            for (int k = 0; k < 8; k++)
                buf[i + (size_t)k] = (uint8_t)(v >> (8 * k));
        }
        for (; i < n; i++)
            buf[i] = (uint8_t)gen64();
        break;
    case FILL_TEXT:
        while (i < n) {
            const char *w = words[gen64() % 8u];
            for (size_t k = 0; w[k] && i < n; k++)
                buf[i++] = (uint8_t)w[k];
        }
        break;
    case FILL_RUNS:
        while (i < n) {
            uint64_t v = gen64();
            size_t run = 1 + (size_t)(v % 300u);
            uint8_t byte = (uint8_t)(v >> 32);
            for (size_t k = 0; k < run && i < n; k++)
                buf[i++] = byte;
        }
        break;
    case FILL_ZERO:
        memset(buf, 0, n);
        break;
    }
}

static void report_all(const char *label, const uint8_t *buf, size_t n) {
    uint32_t c_bit = crc32_bitwise(buf, n, 0), c_tab = crc32_table(buf, n, 0), c_s4 = crc32_slice4(buf, n, 0);
    printf("%s len=%zu\n", label, n);
    printf("  crc32=%08x (bitwise %s, slice4 %s) crc32c=%08x\n", c_tab, c_bit == c_tab ? "ok" : "MISMATCH",
           c_s4 == c_tab ? "ok" : "MISMATCH", crc32c(buf, n, 0));
    printf("  adler32=%08x fletcher16=%04x fnv1a32=%08x fnv1a64=%016llx murmur3=%08x\n", adler32(buf, n, 1),
           fletcher16(buf, n), fnv1a32(buf, n, 0), (unsigned long long)fnv1a64(buf, n), murmur3_32(buf, n, 0));
}

/* split the buffer into pieces, CRC each and combine; compare with the CRC of the whole */
static void check_combine(const uint8_t *buf, size_t n, size_t piece) {
    uint32_t whole = crc32_slice4(buf, n, 0), acc = 0;
    size_t pieces = 0;
    for (size_t off = 0; off < n; off += piece) {
        size_t len = n - off < piece ? n - off : piece;
        acc = crc32_combine(acc, crc32_table(buf + off, len, 0), len);
        pieces++;
    }
    /* streaming (incremental) CRC must also match */
    uint32_t stream = 0;
    for (size_t off = 0; off < n; off += piece / 3 + 1) {
        size_t len = n - off < piece / 3 + 1 ? n - off : piece / 3 + 1;
        stream = crc32_table(buf + off, len, stream);
    }
    printf("  combine %zu pieces of %zu: %08x %s, streaming %s\n", pieces, piece, acc, acc == whole ? "ok" : "MISMATCH",
           stream == whole ? "ok" : "MISMATCH");
}

/* rolling Adler-32 over a sliding window; compare against direct recomputation periodically */
static void rolling_adler(const uint8_t *buf, size_t n, size_t window) {
    if (window == 0 || window > n) {
        printf("  rolling: window does not fit\n");
        return;
    }
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < window; i++) {
        a = (a + buf[i]) % ADLER_MOD;
        b = (b + a) % ADLER_MOD;
    }
    uint32_t xor_all = (b << 16) | a, mismatches = 0, checks = 0, min_v = UINT32_MAX;
    size_t min_pos = 0;
    uint32_t wmod = (uint32_t)(window % ADLER_MOD);
    size_t interval = window > 4096 ? window : 4096; /* bounds the verification work to O(n) */
    for (size_t i = window; i < n; i++) {
        uint32_t out = buf[i - window], in = buf[i];
        a = (a + ADLER_MOD - out + in) % ADLER_MOD;
        /* b loses window*out and the initial 1, gains the new a */
        b = (b + ADLER_MOD - (uint32_t)((uint64_t)wmod * out % ADLER_MOD) + a + ADLER_MOD - 1) % ADLER_MOD;
        uint32_t v = (b << 16) | a;
        xor_all ^= v * (uint32_t)(i | 1u);
        if (v < min_v) {
            min_v = v;
            min_pos = i + 1 - window;
        }
        if (i % interval == 0) {
            checks++;
            if (adler32(buf + i + 1 - window, window, 1) != v)
                mismatches++;
        }
    }
    printf("  rolling adler window=%zu: fold=%08x min=%08x at %zu, %u checks, %u mismatches\n", window, xor_all, min_v,
           min_pos, checks, mismatches);
}

static void bucket_test(uint32_t nkeys, uint32_t seed) {
    static uint32_t counts[BUCKETS];
    for (int h = 0; h < NHASHES; h++) {
        memset(counts, 0, sizeof counts);
        for (uint32_t k = 0; k < nkeys; k++) {
            char key[32];
            int len = snprintf(key, sizeof key, "key-%u-%u", k, seed);
            counts[hashes[h].fn((const uint8_t *)key, (size_t)len, seed) % BUCKETS]++;
        }
        uint32_t maxc = 0, empty = 0;
        uint64_t sumsq = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] > maxc)
                maxc = counts[i];
            if (counts[i] == 0)
                empty++;
            sumsq += (uint64_t)counts[i] * counts[i];
        }
        printf("  buckets %-8s max=%u empty=%u sumsq=%llu\n", hashes[h].name, maxc, empty, (unsigned long long)sumsq);
    }
}

static int parse_mode(const char *s, FillMode *m) {
    static const char *const names[] = {"uniform", "text", "runs", "zero"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *m = (FillMode)i;
            return 1;
        }
    return 0;
}

/* Input lines:
 *   text <rest of line>                  checksums of the literal text
 *   buffer MODE LEN SEED PIECE WINDOW    MODE = uniform|text|runs|zero
 *   buckets NKEYS SEED */
int main(void) {
    static char line[MAX_LINE];
    init_tables();
    int commands = 0;
    uint8_t *buf = NULL;
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\n");
        if (line[len] != '\n' && !feof(stdin))
            goto bad;
        line[len] = '\0';
        if (len == 0)
            continue;
        if (++commands > 24)
            goto bad;
        if (strncmp(line, "text ", 5) == 0) {
            report_all("text", (const uint8_t *)line + 5, len - 5);
        } else if (strncmp(line, "buffer ", 7) == 0) {
            char mode_name[16], extra;
            unsigned long blen, piece, window;
            unsigned long long seed;
            FillMode mode;
            if (sscanf(line + 7, "%15s %lu %llu %lu %lu %c", mode_name, &blen, &seed, &piece, &window, &extra) != 5 ||
                !parse_mode(mode_name, &mode) || blen < 1 || blen > MAX_BUFFER || piece < 1 || piece > blen ||
                blen / piece > 4096 ||
                window > blen)
                goto bad;
            gen_state = seed * 0x9E3779B97F4A7C15ull + 1;
            free(buf);
            buf = malloc(blen);
            if (!buf)
                goto bad;
            fill_buffer(buf, blen, mode);
            report_all(mode_name, buf, blen);
            check_combine(buf, blen, piece);
            rolling_adler(buf, blen, window);
        } else if (strncmp(line, "buckets ", 8) == 0) {
            unsigned long nkeys;
            unsigned seed;
            if (sscanf(line + 8, "%lu %u", &nkeys, &seed) != 2 || nkeys < 1 || nkeys > 2000000)
                goto bad;
            printf("buckets keys=%lu seed=%u\n", nkeys, seed);
            bucket_test((uint32_t)nkeys, seed);
        } else {
            goto bad;
        }
    }
    free(buf);
    if (commands == 0)
        goto bad;
    return 0;
bad:
    free(buf);
    fprintf(stderr, "malformed input\n");
    return 1;
}
