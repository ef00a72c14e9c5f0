/* SHA-256 workbench.
 *
 * Input lines:
 *   text <message...>            digest of the rest of the line (without the newline)
 *   chain <n> <message...>       digest of the message, then re-hash the 32-byte digest n times
 *   blocks <size> <count> <seed> digests of count PRNG buffers of size bytes (xor-folded)
 *   stream <bytes> <seed>        hash a PRNG stream fed in irregular chunks; compare with one shot
 *   hmac <key> <message...>      HMAC-SHA256 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

#define DIGEST_LEN 32
#define BLOCK_LEN 64
#define MAX_WORK_BYTES 400000000ULL

typedef struct {
    uint32_t h[8];
    uint8_t buf[BLOCK_LEN];
    size_t buf_len;
    uint64_t total;
} Sha256;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static unsigned long long work_bytes;

/* ---------- core ---------- */

static uint32_t load_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void compress_block(uint32_t h[8], const uint8_t *block) {
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < 64; t++)
        w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) + w[t - 16];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = hh + BSIG1(e) + CH(e, f, g) + K[t] + w[t];
        uint32_t t2 = BSIG0(a) + MAJ(a, b, c);
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void sha_init(Sha256 *s) {
    memcpy(s->h, H0, sizeof H0);
    s->buf_len = 0;
    s->total = 0;
}

static void sha_update(Sha256 *s, const uint8_t *data, size_t len) {
    s->total += len;
    if (s->buf_len) {
        size_t take = BLOCK_LEN - s->buf_len < len ? BLOCK_LEN - s->buf_len : len;
        memcpy(s->buf + s->buf_len, data, take);
        s->buf_len += take;
        data += take;
        len -= take;
        if (s->buf_len < BLOCK_LEN)
            return;
        compress_block(s->h, s->buf);
        s->buf_len = 0;
    }
    while (len >= BLOCK_LEN) {
        compress_block(s->h, data);
        data += BLOCK_LEN;
        len -= BLOCK_LEN;
    }
    memcpy(s->buf, data, len);
    s->buf_len = len;
}

static void sha_final(Sha256 *s, uint8_t out[DIGEST_LEN]) {
    uint64_t bits = s->total * 8;
    uint8_t pad[BLOCK_LEN + 8] = {0x80};
    size_t padlen = s->buf_len < 56 ? 56 - s->buf_len : 120 - s->buf_len;
    for (int i = 0; i < 8; i++)
        pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
    uint64_t keep = s->total;
    sha_update(s, pad, padlen + 8);
    s->total = keep;
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, s->h[i]);
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[DIGEST_LEN]) {
    Sha256 s;
    sha_init(&s);
    sha_update(&s, data, len);
    sha_final(&s, out);
}

static void hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen, uint8_t out[DIGEST_LEN]) {
    uint8_t k[BLOCK_LEN] = {0}, ipad[BLOCK_LEN], opad[BLOCK_LEN], inner[DIGEST_LEN];
    if (klen > BLOCK_LEN)
        sha256(key, klen, k);
    else
        memcpy(k, key, klen);
    for (int i = 0; i < BLOCK_LEN; i++) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    Sha256 s;
    sha_init(&s);
    sha_update(&s, ipad, BLOCK_LEN);
    sha_update(&s, msg, mlen);
    sha_final(&s, inner);
    sha_init(&s);
    sha_update(&s, opad, BLOCK_LEN);
    sha_update(&s, inner, DIGEST_LEN);
    sha_final(&s, out);
}

/* ---------- helpers ---------- */

static void print_hex(const char *label, const uint8_t *d, size_t n) {
    static const char hex[] = "0123456789abcdef";
    char buf[2 * 64 + 1];
    for (size_t i = 0; i < n && i < 64; i++) {
        buf[2 * i] = hex[d[i] >> 4];
        buf[2 * i + 1] = hex[d[i] & 15];
    }
    buf[2 * (n < 64 ? n : 64)] = '\0';
    printf("%s %s\n", label, buf);
}

static uint32_t mt_state[624];
static int mt_index = 625;

/* Mersenne Twister MT19937, used as the data source for buffers and streams. */
static void mt_seed(uint32_t seed) {
    mt_state[0] = seed;
    for (int i = 1; i < 624; i++)
        mt_state[i] = 1812433253u * (mt_state[i - 1] ^ (mt_state[i - 1] >> 30)) + (uint32_t)i;
    mt_index = 624;
}

static uint32_t mt_next(void) {
    if (mt_index >= 624) {
        for (int i = 0; i < 624; i++) {
            uint32_t y = (mt_state[i] & 0x80000000u) | (mt_state[(i + 1) % 624] & 0x7FFFFFFFu);
            mt_state[i] = mt_state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 ? 0x9908B0DFu : 0);
        }
        mt_index = 0;
    }
    uint32_t y = mt_state[mt_index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    y ^= y >> 18;
    return y;
}

static void fill_random(uint8_t *p, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        store_be32(p + i, mt_next());
    if (i < n) {
        uint32_t v = mt_next();
        for (; i < n; i++, v >>= 8)
            p[i] = (uint8_t)v;
    }
}

static int parse_count(const char *s, unsigned long long max, unsigned long long *out) {
    unsigned long long v = 0;
    if (*s < '0' || *s > '9')
        return 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (unsigned long long)(*s++ - '0');
        if (v > max)
            return 0;
    }
    if (*s && *s != ' ')
        return 0;
    *out = v;
    return 1;
}

static int charge(unsigned long long bytes) {
    if (bytes > MAX_WORK_BYTES || work_bytes + bytes > MAX_WORK_BYTES)
        return 0;
    work_bytes += bytes;
    return 1;
}

/* ---------- commands ---------- */

static int cmd_chain(const char *args) {
    unsigned long long n;
    if (!parse_count(args, 100000000ULL, &n) || !charge(n * 64))
        return 0;
    const char *msg = strchr(args, ' ');
    msg = msg ? msg + 1 : "";
    uint8_t d[DIGEST_LEN];
    sha256((const uint8_t *)msg, strlen(msg), d);
    for (unsigned long long i = 0; i < n; i++)
        sha256(d, DIGEST_LEN, d);
    printf("chain %llu:", n);
    print_hex("", d, DIGEST_LEN);
    return 1;
}

static int cmd_blocks(const char *args) {
    unsigned long long size, count, seed;
    const char *p = args;
    if (!parse_count(p, 1u << 24, &size) || !(p = strchr(p, ' ')) || !parse_count(++p, 1000000, &count) ||
        !(p = strchr(p, ' ')) || !parse_count(++p, UINT32_MAX, &seed) || strchr(p, ' ') || !charge(size * count + count))
        return 0;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    mt_seed((uint32_t)seed);
    uint8_t fold[DIGEST_LEN] = {0}, d[DIGEST_LEN];
    for (unsigned long long i = 0; i < count; i++) {
        fill_random(buf, size);
        sha256(buf, size, d);
        for (int k = 0; k < DIGEST_LEN; k++)
            fold[k] ^= d[k];
    }
    printf("blocks size=%llu count=%llu\n", size, count);
    print_hex("  last", d, count ? DIGEST_LEN : 0);
    print_hex("  fold", fold, DIGEST_LEN);
    free(buf);
    return 1;
}

static int cmd_stream(const char *args) {
    unsigned long long total, seed;
    const char *p = args;
    if (!parse_count(p, 1u << 26, &total) || !(p = strchr(p, ' ')) || !parse_count(++p, UINT32_MAX, &seed) ||
        strchr(p, ' ') || !charge(total * 2))
        return 0;
    uint8_t *data = malloc(total ? total : 1);
    if (!data)
        return 0;
    mt_seed((uint32_t)seed);
    fill_random(data, total);
    static const size_t chunk_sizes[] = {1, 3, 63, 64, 65, 127, 500, 4096, 7, 0, 55, 56, 57};
    Sha256 s;
    sha_init(&s);
    size_t off = 0, k = 0;
    while (off < total) {
        size_t c = chunk_sizes[k++ % (sizeof chunk_sizes / sizeof chunk_sizes[0])];
        if (c > total - off)
            c = total - off;
        sha_update(&s, data + off, c);
        off += c;
    }
    uint8_t d1[DIGEST_LEN], d2[DIGEST_LEN];
    sha_final(&s, d1);
    sha256(data, total, d2);
    printf("stream %llu bytes, %zu updates, %s\n", total, k, memcmp(d1, d2, DIGEST_LEN) == 0 ? "agree" : "DISAGREE");
    print_hex("  digest", d1, DIGEST_LEN);
    free(data);
    return 1;
}

int main(void) {
    static char line[8192];
    int lineno = 0, done = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(stdin)) {
            fprintf(stderr, "line %d too long\n", lineno);
            return 1;
        }
        if (len == 0 || line[0] == '#')
            continue;
        int ok;
        uint8_t d[DIGEST_LEN];
        if (strncmp(line, "text ", 5) == 0 || strcmp(line, "text") == 0) {
            const char *msg = len > 5 ? line + 5 : "";
            charge(strlen(msg));
            sha256((const uint8_t *)msg, strlen(msg), d);
            print_hex("text", d, DIGEST_LEN);
            ok = 1;
        } else if (strncmp(line, "chain ", 6) == 0) {
            ok = cmd_chain(line + 6);
        } else if (strncmp(line, "blocks ", 7) == 0) {
            ok = cmd_blocks(line + 7);
        } else if (strncmp(line, "stream ", 7) == 0) {
            ok = cmd_stream(line + 7);
        } else if (strncmp(line, "hmac ", 5) == 0) {
            char *key = line + 5, *msg = strchr(key, ' ');
            ok = msg != NULL;
            if (ok) {
                *msg++ = '\0';
                hmac_sha256((const uint8_t *)key, strlen(key), (const uint8_t *)msg, strlen(msg), d);
                print_hex("hmac", d, DIGEST_LEN);
            }
        } else {
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr, "line %d: bad command or limits\n", lineno);
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
