/* Base64 and hex codecs.
 *
 * Input lines:
 *   roundtrip <count> <maxlen> <seed>   random buffers through every codec and back
 *   wrap <len> <width> <seed>           MIME-style wrapped base64 of one random buffer
 *   encode <text...>                    standard base64 of the rest of the line
 *   decode <base64>                     decode (strict), print hex and printable text
 *   urldecode <base64url>               decode URL-safe, unpadded
 *   hex <text...>                       hex of the rest of the line
 *   unhex <hex>                         decode hex */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEN (1u << 22)
#define MAX_WORK 300000000ULL

typedef enum { B64_OK = 0, B64_BAD_CHAR, B64_BAD_LENGTH, B64_BAD_PADDING, B64_NONZERO_TAIL } B64Status;

static const char *const status_names[] = {"ok", "invalid character", "invalid length", "invalid padding",
                                           "non-zero trailing bits"};

typedef struct {
    const char *name;
    char alphabet[65];
    int pad; /* emit/require '=' padding */
    int8_t rev[256];
} Codec;

static Codec std_codec = {"std", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 1, {0}};
static Codec url_codec = {"url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 0, {0}};
static unsigned long long work;

static void codec_init(Codec *c) {
    memset(c->rev, -1, sizeof c->rev);
    for (int i = 0; i < 64; i++)
        c->rev[(unsigned char)c->alphabet[i]] = (int8_t)i;
}

static size_t encoded_len(const Codec *c, size_t n) {
    return c->pad ? (n + 2) / 3 * 4 : n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

static size_t b64_encode(const Codec *c, const uint8_t *in, size_t n, char *out) {
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = c->alphabet[v >> 18];
        out[o++] = c->alphabet[v >> 12 & 63];
        out[o++] = c->alphabet[v >> 6 & 63];
        out[o++] = c->alphabet[v & 63];
    }
    switch (n - i) {
    case 2: {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = c->alphabet[v >> 18];
        out[o++] = c->alphabet[v >> 12 & 63];
        out[o++] = c->alphabet[v >> 6 & 63];
        if (c->pad)
            out[o++] = '=';
        break;
    }
    case 1: {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = c->alphabet[v >> 18];
        out[o++] = c->alphabet[v >> 12 & 63];
        if (c->pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
        break;
    }
    default:
        break;
    }
    out[o] = '\0';
    return o;
}

/* Strict decoder; with skip_space, ASCII whitespace is ignored (for wrapped input). */
static B64Status b64_decode(const Codec *c, const char *in, size_t n, uint8_t *out, size_t *outlen, int skip_space) {
    uint32_t acc = 0;
    int nbits = 0;
    size_t o = 0, digits = 0, pads = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (skip_space && (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t'))
            continue;
        if (ch == '=') {
            if (!c->pad)
                return B64_BAD_CHAR;
            pads++;
            continue;
        }
        if (pads)
            return B64_BAD_PADDING; /* data after padding */
        int v = c->rev[ch];
        if (v < 0)
            return B64_BAD_CHAR;
        digits++;
        acc = (acc << 6) | (uint32_t)v;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            out[o++] = (uint8_t)(acc >> nbits);
            acc &= (1u << nbits) - 1;
        }
    }
    size_t rem = digits % 4;
    if (rem == 1)
        return B64_BAD_LENGTH;
    if (c->pad) {
        if ((digits + pads) % 4 != 0)
            return pads ? B64_BAD_PADDING : B64_BAD_LENGTH;
        if (pads > 2 || (rem == 0 && pads) || (rem && pads != 4 - rem))
            return B64_BAD_PADDING;
    } else if (pads) {
        return B64_BAD_CHAR;
    }
    if (acc != 0)
        return B64_NONZERO_TAIL;
    *outlen = o;
    return B64_OK;
}

static const char hex_digits[] = "0123456789abcdef";

static void hex_encode(const uint8_t *in, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_digits[in[i] >> 4];
        out[2 * i + 1] = hex_digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int hex_decode(const char *in, size_t n, uint8_t *out) {
    if (n % 2)
        return 0;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_value(in[i]), lo = hex_value(in[i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

/* MIME-style: lines of at most width characters joined by CRLF. */
static size_t wrap_lines(const char *in, size_t n, size_t width, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i += width) {
        size_t k = n - i < width ? n - i : width;
        memcpy(out + o, in + i, k);
        o += k;
        if (i + k < n) {
            out[o++] = '\r';
            out[o++] = '\n';
        }
    }
    out[o] = '\0';
    return o;
}

/* ---------- PRNG and checksums ---------- */

static uint32_t lfsr_a, lfsr_b;

/* combined multiply-with-carry generator (Marsaglia) */
static uint32_t mwc(void) {
    lfsr_a = 36969u * (lfsr_a & 65535u) + (lfsr_a >> 16);
    lfsr_b = 18000u * (lfsr_b & 65535u) + (lfsr_b >> 16);
    return (lfsr_a << 16) + lfsr_b;
}

static void mwc_seed(uint64_t s) {
    lfsr_a = (uint32_t)(s ^ (s >> 32)) | 1u;
    lfsr_b = (uint32_t)(s * 2654435761u) | 2u;
}

static uint32_t fnv1a(const void *p, size_t n, uint32_t h) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

/* ---------- commands ---------- */

static uint8_t *bin_a, *bin_b;
static char *txt_a, *txt_b;

static int charge(unsigned long long w) {
    if (w > MAX_WORK || work + w > MAX_WORK)
        return 0;
    work += w;
    return 1;
}

static void fill(uint8_t *p, size_t n) {
    /* mix of random and low-entropy regions */
    int mode = (int)(mwc() % 4);
    for (size_t i = 0; i < n; i++) {
        switch (mode) {
        case 0:
            p[i] = (uint8_t)mwc();
            break;
        case 1:
            p[i] = (uint8_t)(i * 7);
            break;
        case 2:
            p[i] = (uint8_t)("hello base64 "[i % 13]);
            break;
        default:
            p[i] = (uint8_t)(mwc() & 0x0F);
            break;
        }
    }
}

static int cmd_roundtrip(unsigned long long count, unsigned long long maxlen, uint64_t seed) {
    if (!charge(count * (maxlen + 1) * 6))
        return 0;
    mwc_seed(seed);
    uint32_t h_std = 2166136261u, h_url = 2166136261u, h_hex = 2166136261u;
    unsigned long long failures = 0, bytes = 0, chars = 0;
    for (unsigned long long k = 0; k < count; k++) {
        size_t n = (size_t)(mwc() % (maxlen + 1));
        fill(bin_a, n);
        bytes += n;
        const Codec *codecs[2] = {&std_codec, &url_codec};
        for (int c = 0; c < 2; c++) {
            size_t m = b64_encode(codecs[c], bin_a, n, txt_a);
            chars += m;
            if (m != encoded_len(codecs[c], n))
                failures++;
            if (c == 0)
                h_std = fnv1a(txt_a, m, h_std);
            else
                h_url = fnv1a(txt_a, m, h_url);
            size_t back = 0;
            if (b64_decode(codecs[c], txt_a, m, bin_b, &back, 0) != B64_OK || back != n || memcmp(bin_a, bin_b, n))
                failures++;
        }
        hex_encode(bin_a, n, txt_b);
        h_hex = fnv1a(txt_b, 2 * n, h_hex);
        if (!hex_decode(txt_b, 2 * n, bin_b) || memcmp(bin_a, bin_b, n))
            failures++;
    }
    printf("roundtrip count=%llu maxlen=%llu: bytes=%llu chars=%llu std=%08x url=%08x hex=%08x failures=%llu\n", count,
           maxlen, bytes, chars, h_std, h_url, h_hex, failures);
    return 1;
}

static int cmd_wrap(unsigned long long len, unsigned long long width, uint64_t seed) {
    if (!charge(len * 8))
        return 0;
    mwc_seed(seed);
    fill(bin_a, (size_t)len);
    size_t m = b64_encode(&std_codec, bin_a, (size_t)len, txt_a);
    size_t w = wrap_lines(txt_a, m, (size_t)width, txt_b);
    size_t back = 0;
    B64Status st = b64_decode(&std_codec, txt_b, w, bin_b, &back, 1);
    B64Status strict = b64_decode(&std_codec, txt_b, w, bin_b, &back, 0);
    int ok = st == B64_OK && back == len && memcmp(bin_a, bin_b, (size_t)len) == 0;
    printf("wrap len=%llu width=%llu: chars=%zu wrapped=%zu lines=%llu hash=%08x lenient=%s strict=%s %s\n", len, width, m,
           w, (unsigned long long)(m ? (m + width - 1) / width : 0), fnv1a(txt_b, w, 2166136261u), status_names[st], status_names[strict],
           ok ? "ok" : "FAIL");
    return 1;
}

static void print_decoded(const uint8_t *p, size_t n) {
    char *hex = malloc(2 * n + 1);
    if (!hex)
        return;
    hex_encode(p, n, hex);
    int printable = 1;
    for (size_t i = 0; i < n; i++)
        printable &= p[i] >= 32 && p[i] < 127;
    printf("  %zu bytes hex=%s%s%.*s%s\n", n, hex, printable ? " text=\"" : "", printable ? (int)n : 0, (const char *)p,
           printable ? "\"" : "");
    free(hex);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
    uint64_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

static int split3(char *s, char **a, char **b, char **c) {
    *a = strtok(s, " ");
    *b = strtok(NULL, " ");
    *c = strtok(NULL, " ");
    return *a && *b && *c && !strtok(NULL, " ");
}

int main(void) {
    static char line[16384];
    codec_init(&std_codec);
    codec_init(&url_codec);
    bin_a = malloc(MAX_LEN + 1);
    bin_b = malloc(MAX_LEN + 1);
    txt_a = malloc(2 * MAX_LEN + 8);
    txt_b = malloc(3 * MAX_LEN + 8);
    if (!bin_a || !bin_b || !txt_a || !txt_b) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
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
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *sp = strchr(line, ' ');
        char *arg = sp ? sp + 1 : line + len;
        if (sp)
            *sp = '\0';
        size_t alen = strlen(arg);
        int ok = 1;
        char *x, *y, *z;
        uint64_t a, b, c;
        if (strcmp(line, "roundtrip") == 0) {
            ok = split3(arg, &x, &y, &z) && parse_u64(x, 10000000, &a) && parse_u64(y, 1u << 20, &b) &&
                 parse_u64(z, UINT64_MAX, &c) && cmd_roundtrip(a, b, c);
        } else if (strcmp(line, "wrap") == 0) {
            ok = split3(arg, &x, &y, &z) && parse_u64(x, MAX_LEN, &a) && parse_u64(y, 1u << 16, &b) && b >= 4 &&
                 parse_u64(z, UINT64_MAX, &c) && cmd_wrap(a, b, c);
        } else if (strcmp(line, "encode") == 0) {
            b64_encode(&std_codec, (const uint8_t *)arg, alen, txt_a);
            printf("encode \"%s\" -> %s\n", arg, txt_a);
        } else if (strcmp(line, "hex") == 0) {
            hex_encode((const uint8_t *)arg, alen, txt_a);
            printf("hex \"%s\" -> %s\n", arg, txt_a);
        } else if (strcmp(line, "decode") == 0 || strcmp(line, "urldecode") == 0) {
            const Codec *cd = line[0] == 'u' ? &url_codec : &std_codec;
            size_t n = 0;
            B64Status st = b64_decode(cd, arg, alen, bin_a, &n, 0);
            printf("%s %s: %s\n", line, arg, status_names[st]);
            if (st == B64_OK)
                print_decoded(bin_a, n);
        } else if (strcmp(line, "unhex") == 0) {
            int good = hex_decode(arg, alen, bin_a);
            printf("unhex %s: %s\n", arg, good ? "ok" : "invalid");
            if (good)
                print_decoded(bin_a, alen / 2);
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
    free(bin_a);
    free(bin_b);
    free(txt_a);
    free(txt_b);
    return 0;
}
