/* sumcheck: compute and verify file checksums (a small cksum/sha*sum -c work-alike).
 *
 * usage: sumcheck [-a ALGO] [-o MANIFEST] FILE...   print (or write) "ALGO HEX  NAME" lines
 *        sumcheck -c MANIFEST [-q]                  verify every line of a manifest
 *   ALGO: crc32 (bit-serial), crc32c (Castagnoli, table driven), adler32, fletcher32,
 *         fnv1a64, or all.  FILE "-" is standard input.  Manifest lines starting with
 *         '#' and blank lines are ignored.  -q prints only failures and the summary.
 * exit status: 0 everything verified, 1 a checksum mismatched, a file is missing or a
 * manifest line is malformed, 2 usage error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NALGOS 5
static const char *algo_names[NALGOS] = {"crc32", "crc32c", "adler32", "fletcher32", "fnv1a64"};
static uint32_t crc32c_table[256];

typedef struct {
    uint32_t crc32, crc32c, adler_a, adler_b, fl_a, fl_b;
    uint64_t fnv;
    int have_odd; /* fletcher32 works on 16-bit words; a pending low byte */
    uint8_t odd;
} State;

static void state_init(State *s) {
    memset(s, 0, sizeof *s);
    s->crc32 = 0xFFFFFFFFu;
    s->crc32c = 0xFFFFFFFFu;
    s->adler_a = 1;
    s->fnv = 14695981039346656037ull;
}

static void fletcher_word(State *s, uint32_t w) {
    s->fl_a = (s->fl_a + w) % 65535u;
    s->fl_b = (s->fl_b + s->fl_a) % 65535u;
}

static void state_update(State *s, const uint8_t *p, size_t n, int mask) {
    if (mask & 1) {
        uint32_t c = s->crc32;
        for (size_t i = 0; i < n; i++) {
            c ^= p[i];
            for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
        s->crc32 = c;
    }
    if (mask & 2) {
        uint32_t c = s->crc32c;
        for (size_t i = 0; i < n; i++) c = crc32c_table[(c ^ p[i]) & 255u] ^ (c >> 8);
        s->crc32c = c;
    }
    if (mask & 4) {
        uint32_t a = s->adler_a, b = s->adler_b;
        size_t i = 0;
        while (i < n) { /* defer the modulo for up to 5552 bytes as zlib does */
            size_t end = n - i > 5552 ? i + 5552 : n;
            for (; i < end; i++) {
                a += p[i];
                b += a;
            }
            a %= 65521u;
            b %= 65521u;
        }
        s->adler_a = a;
        s->adler_b = b;
    }
    if (mask & 8) {
        for (size_t i = 0; i < n; i++) {
            if (s->have_odd) {
                fletcher_word(s, (uint32_t)s->odd | (uint32_t)p[i] << 8);
                s->have_odd = 0;
            } else {
                s->odd = p[i];
                s->have_odd = 1;
            }
        }
    }
    if (mask & 16) {
        uint64_t h = s->fnv;
        for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
        s->fnv = h;
    }
}

static void state_final(State *s, char out[NALGOS][17]) {
    if (s->have_odd) fletcher_word(s, s->odd);
    s->have_odd = 0;
    snprintf(out[0], 17, "%08x", (unsigned)(s->crc32 ^ 0xFFFFFFFFu));
    snprintf(out[1], 17, "%08x", (unsigned)(s->crc32c ^ 0xFFFFFFFFu));
    snprintf(out[2], 17, "%08x", (unsigned)((s->adler_b << 16) | s->adler_a));
    snprintf(out[3], 17, "%08x", (unsigned)((s->fl_b << 16) | s->fl_a));
    snprintf(out[4], 17, "%016llx", (unsigned long long)s->fnv);
}

/* returns 0 on success, -1 if the file cannot be read */
static int sum_file(const char *name, int mask, char out[NALGOS][17]) {
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (!f) return -1;
    State s;
    state_init(&s);
    uint8_t buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) state_update(&s, buf, n, mask);
    if (f != stdin) fclose(f);
    state_final(&s, out);
    return 0;
}

static int algo_index(const char *name) {
    for (int i = 0; i < NALGOS; i++)
        if (strcmp(name, algo_names[i]) == 0) return i;
    return -1;
}

static int verify(const char *manifest, int quiet) {
    FILE *m = fopen(manifest, "r");
    if (!m) {
        printf("sumcheck: cannot open manifest %s\n", manifest);
        return 1;
    }
    char line[1200];
    int lineno = 0, ok = 0, failed = 0, missing = 0, malformed = 0;
    while (fgets(line, sizeof line, m)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') continue;
        char algo[16], hex[32];
        int name_at = 0;
        int idx = -1;
        if (sscanf(line, "%15s %31s %n", algo, hex, &name_at) == 2 && name_at > 0) idx = algo_index(algo);
        const char *name = line + name_at;
        size_t want_len = idx == 4 ? 16 : 8;
        if (idx < 0 || strlen(hex) != want_len || strspn(hex, "0123456789abcdefABCDEF") != want_len ||
            name_at == 0 || *name == '\0') {
            printf("line %d: malformed\n", lineno);
            malformed++;
            continue;
        }
        char sums[NALGOS][17];
        if (sum_file(name, 1 << idx, sums) != 0) {
            printf("%s: MISSING\n", name);
            missing++;
            continue;
        }
        for (char *c = hex; *c; c++)
            if (*c >= 'A' && *c <= 'F') *c = (char)(*c - 'A' + 'a');
        if (strcmp(hex, sums[idx]) == 0) {
            ok++;
            if (!quiet) printf("%s: OK (%s)\n", name, algo);
        } else {
            failed++;
            printf("%s: FAILED (%s expected %s, got %s)\n", name, algo, hex, sums[idx]);
        }
    }
    fclose(m);
    printf("%d ok, %d failed, %d missing, %d malformed\n", ok, failed, missing, malformed);
    return failed || missing || malformed ? 1 : 0;
}

_Noreturn static void usage(void) {
    printf("usage: sumcheck [-a ALGO] [-o MANIFEST] FILE... | sumcheck -c MANIFEST [-q]\n");
    exit(2);
}

int main(int argc, char **argv) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1u) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        crc32c_table[i] = c;
    }
    const char *manifest = NULL, *outname = NULL;
    int mask = 1, quiet = 0, i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-a") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "all") == 0) {
                mask = (1 << NALGOS) - 1;
            } else {
                int idx = algo_index(argv[i]);
                if (idx < 0) {
                    printf("sumcheck: unknown algorithm %s\n", argv[i]);
                    usage();
                }
                mask = 1 << idx;
            }
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            manifest = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            outname = argv[++i];
        } else if (strcmp(argv[i], "-q") == 0) {
            quiet = 1;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            usage();
        } else {
            break;
        }
    }
    if (manifest) {
        if (i != argc) usage();
        return verify(manifest, quiet);
    }
    if (i == argc) usage();
    FILE *out = stdout;
    if (outname && !(out = fopen(outname, "w"))) {
        printf("sumcheck: cannot create %s\n", outname);
        return 1;
    }
    int errors = 0, done = 0;
    for (; i < argc; i++) {
        char sums[NALGOS][17];
        if (sum_file(argv[i], mask, sums) != 0) {
            printf("sumcheck: %s: cannot open\n", argv[i]);
            errors++;
            continue;
        }
        for (int a = 0; a < NALGOS; a++)
            if (mask & (1 << a)) fprintf(out, "%s %s  %s\n", algo_names[a], sums[a], argv[i]);
        done++;
    }
    if (out != stdout) {
        if (fclose(out) != 0) errors++;
        printf("%d files summed into %s\n", done, outname);
    }
    return errors ? 1 : 0;
}
