/* pgm_filter: a small grey-scale image processing pipeline over PGM files.
 * Reads a binary (P5) or ASCII (P2) PGM image, applies the filters given with -f
 * in order, writes the result as binary P5 and prints statistics per stage.
 *
 * usage: pgm_filter [-f FILTER]... [-q] INPUT.pgm OUTPUT.pgm
 * filters: blur          3x3 binomial blur
 *          box=R         (2R+1)^2 box blur with running sums, 1 <= R <= 15
 *          sharpen       3x3 unsharp kernel
 *          sobel         gradient magnitude |gx|+|gy|
 *          median        3x3 median
 *          erode, dilate 3x3 min / max
 *          invert        255 - v
 *          threshold=T   v >= T ? 255 : 0
 *          histeq        histogram equalisation
 *          half          2x2 average downscale
 * -q prints only the final statistics.
 * exit status: 0 ok, 1 I/O or format error, 2 usage error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int w, h;
    uint8_t *px;
} Image;

_Noreturn static void die(int code, const char *fmt, const char *arg) {
    printf("pgm_filter: ");
    printf(fmt, arg);
    printf("\n");
    exit(code);
}

static Image new_image(int w, int h) {
    Image im;
    im.w = w;
    im.h = h;
    im.px = calloc((size_t)w * (size_t)h, 1);
    if (!im.px) die(1, "%s", "out of memory");
    return im;
}

/* skip whitespace and # comments, then read a non-negative decimal */
static int read_header_int(FILE *f, int *out) {
    int c = fgetc(f);
    for (;;) {
        if (c == '#') {
            while (c != '\n' && c != EOF) c = fgetc(f);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            c = fgetc(f);
        } else {
            break;
        }
    }
    if (c < '0' || c > '9') return 0;
    long v = 0;
    while (c >= '0' && c <= '9') {
        v = v * 10 + (c - '0');
        if (v > 100000) return 0;
        c = fgetc(f);
    }
    *out = (int)v;
    /* the single whitespace after the header value is consumed here */
    if (c != EOF && c != ' ' && c != '\t' && c != '\r' && c != '\n') ungetc(c, f);
    return 1;
}

static Image read_pgm(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die(1, "cannot open input '%s'", path);
    char magic[2];
    if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' || (magic[1] != '5' && magic[1] != '2'))
        die(1, "'%s' is not a PGM (P2/P5) file", path);
    int w = 0, h = 0, maxval = 0;
    if (!read_header_int(f, &w) || !read_header_int(f, &h) || !read_header_int(f, &maxval) || w < 1 ||
        h < 1 || w > 4096 || h > 4096 || maxval < 1 || maxval > 255)
        die(1, "bad PGM header in '%s'", path);
    Image im = new_image(w, h);
    size_t n = (size_t)w * (size_t)h;
    if (magic[1] == '5') {
        if (fread(im.px, 1, n, f) != n) die(1, "truncated pixel data in '%s'", path);
    } else {
        for (size_t i = 0; i < n; i++) {
            int v;
            if (!read_header_int(f, &v) || v > maxval) die(1, "bad ASCII pixel in '%s'", path);
            im.px[i] = (uint8_t)v;
        }
    }
    if (maxval != 255)
        for (size_t i = 0; i < n; i++) im.px[i] = (uint8_t)((im.px[i] * 255 + maxval / 2) / maxval);
    fclose(f);
    return im;
}

static void write_pgm(const char *path, const Image *im) {
    FILE *f = fopen(path, "wb");
    if (!f) die(1, "cannot create output '%s'", path);
    fprintf(f, "P5\n# pgm_filter\n%d %d\n255\n", im->w, im->h);
    fwrite(im->px, 1, (size_t)im->w * (size_t)im->h, f);
    if (fclose(f) != 0) die(1, "write error on '%s'", path);
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }
static inline int at(const Image *im, int x, int y) {
    return im->px[(size_t)clampi(y, 0, im->h - 1) * (size_t)im->w + (size_t)clampi(x, 0, im->w - 1)];
}

static void convolve3(const Image *src, Image *dst, const int k[9], int div, int bias) {
    for (int y = 0; y < src->h; y++)
        for (int x = 0; x < src->w; x++) {
            int s = 0;
            for (int j = -1; j <= 1; j++)
                for (int i = -1; i <= 1; i++) s += k[(j + 1) * 3 + (i + 1)] * at(src, x + i, y + j);
            s = (s + (s >= 0 ? div / 2 : -div / 2)) / div + bias;
            dst->px[(size_t)y * src->w + x] = (uint8_t)clampi(s, 0, 255);
        }
}

static void box_blur(const Image *src, Image *dst, int r) {
    int w = src->w, h = src->h;
    int *tmp = malloc(sizeof(int) * (size_t)w * (size_t)h);
    if (!tmp) die(1, "%s", "out of memory");
    for (int y = 0; y < h; y++) { /* horizontal running sum */
        int s = 0;
        for (int i = -r; i <= r; i++) s += at(src, i, y);
        for (int x = 0; x < w; x++) {
            tmp[y * w + x] = s;
            s += at(src, x + r + 1, y) - at(src, x - r, y);
        }
    }
    int area = (2 * r + 1) * (2 * r + 1);
    for (int x = 0; x < w; x++) { /* vertical running sum */
        int s = 0;
        for (int j = -r; j <= r; j++) s += tmp[clampi(j, 0, h - 1) * w + x];
        for (int y = 0; y < h; y++) {
            dst->px[y * w + x] = (uint8_t)((s + area / 2) / area);
            s += tmp[clampi(y + r + 1, 0, h - 1) * w + x] - tmp[clampi(y - r, 0, h - 1) * w + x];
        }
    }
    free(tmp);
}

static void sobel(const Image *src, Image *dst) {
    for (int y = 0; y < src->h; y++)
        for (int x = 0; x < src->w; x++) {
            int gx = at(src, x + 1, y - 1) + 2 * at(src, x + 1, y) + at(src, x + 1, y + 1) -
                     at(src, x - 1, y - 1) - 2 * at(src, x - 1, y) - at(src, x - 1, y + 1);
            int gy = at(src, x - 1, y + 1) + 2 * at(src, x, y + 1) + at(src, x + 1, y + 1) -
                     at(src, x - 1, y - 1) - 2 * at(src, x, y - 1) - at(src, x + 1, y - 1);
            int m = (gx < 0 ? -gx : gx) + (gy < 0 ? -gy : gy);
            dst->px[y * src->w + x] = (uint8_t)clampi(m / 4, 0, 255);
        }
}

/* mode 0: median, 1: min (erode), 2: max (dilate) */
static void rank3(const Image *src, Image *dst, int mode) {
    for (int y = 0; y < src->h; y++)
        for (int x = 0; x < src->w; x++) {
            int v[9], n = 0;
            for (int j = -1; j <= 1; j++)
                for (int i = -1; i <= 1; i++) v[n++] = at(src, x + i, y + j);
            for (int a = 1; a < 9; a++) { /* insertion sort */
                int t = v[a], b = a - 1;
                while (b >= 0 && v[b] > t) {
                    v[b + 1] = v[b];
                    b--;
                }
                v[b + 1] = t;
            }
            dst->px[y * src->w + x] = (uint8_t)(mode == 0 ? v[4] : mode == 1 ? v[0] : v[8]);
        }
}

static void histeq(const Image *src, Image *dst) {
    long hist[256] = {0}, cdf = 0, cdf_min = -1;
    size_t n = (size_t)src->w * (size_t)src->h;
    for (size_t i = 0; i < n; i++) hist[src->px[i]]++;
    uint8_t map[256];
    for (int v = 0; v < 256; v++) {
        cdf += hist[v];
        if (cdf_min < 0 && cdf > 0) cdf_min = cdf;
        long den = (long)n - cdf_min;
        map[v] = (uint8_t)(den > 0 ? ((cdf - cdf_min) * 255 + den / 2) / den : v);
        if (cdf == 0) map[v] = 0;
    }
    for (size_t i = 0; i < n; i++) dst->px[i] = map[src->px[i]];
}

static void print_stats(const char *label, const Image *im) {
    size_t n = (size_t)im->w * (size_t)im->h;
    long sum = 0, bins[8] = {0};
    int mn = 255, mx = 0;
    uint32_t a = 1, b = 0; /* adler-32 of the pixels */
    for (size_t i = 0; i < n; i++) {
        int v = im->px[i];
        sum += v;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        bins[v >> 5]++;
        a = (a + (uint32_t)v) % 65521u;
        b = (b + a) % 65521u;
    }
    long mean100 = (sum * 100 + (long)n / 2) / (long)n;
    printf("%-14s %4dx%-4d min %3d max %3d mean %3ld.%02ld adler %08X  bins", label, im->w, im->h, mn, mx,
           mean100 / 100, mean100 % 100, (unsigned)((b << 16) | a));
    for (int i = 0; i < 8; i++) printf(" %ld", bins[i]);
    printf("\n");
}

_Noreturn static void usage(const char *msg) {
    printf("pgm_filter: %s\nusage: pgm_filter [-f FILTER]... [-q] INPUT.pgm OUTPUT.pgm\n", msg);
    exit(2);
}

int main(int argc, char **argv) {
    const char *filters[64];
    int nf = 0, quiet = 0;
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0) {
            if (++i >= argc) usage("-f needs a filter name");
            if (nf == 64) usage("too many filters");
            filters[nf++] = argv[i];
        } else if (strcmp(argv[i], "-q") == 0) {
            quiet = 1;
        } else if (!in) {
            in = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            usage("too many arguments");
        }
    }
    if (!in || !out) usage("need INPUT and OUTPUT");

    Image cur = read_pgm(in);
    if (!quiet) print_stats("input", &cur);
    for (int k = 0; k < nf; k++) {
        const char *f = filters[k];
        int half = strcmp(f, "half") == 0;
        if (half && (cur.w < 2 || cur.h < 2)) die(1, "image too small for '%s'", f);
        Image dst = half ? new_image(cur.w / 2, cur.h / 2) : new_image(cur.w, cur.h);
        size_t n = (size_t)cur.w * (size_t)cur.h;
        if (strcmp(f, "blur") == 0) {
            static const int k3[9] = {1, 2, 1, 2, 4, 2, 1, 2, 1};
            convolve3(&cur, &dst, k3, 16, 0);
        } else if (strcmp(f, "sharpen") == 0) {
            static const int k3[9] = {0, -1, 0, -1, 8, -1, 0, -1, 0};
            convolve3(&cur, &dst, k3, 4, 0);
        } else if (strncmp(f, "box=", 4) == 0) {
            int r = atoi(f + 4);
            if (r < 1 || r > 15) usage("box radius must be 1..15");
            box_blur(&cur, &dst, r);
        } else if (strcmp(f, "sobel") == 0) {
            sobel(&cur, &dst);
        } else if (strcmp(f, "median") == 0) {
            rank3(&cur, &dst, 0);
        } else if (strcmp(f, "erode") == 0) {
            rank3(&cur, &dst, 1);
        } else if (strcmp(f, "dilate") == 0) {
            rank3(&cur, &dst, 2);
        } else if (strcmp(f, "invert") == 0) {
            for (size_t i = 0; i < n; i++) dst.px[i] = (uint8_t)(255 - cur.px[i]);
        } else if (strncmp(f, "threshold=", 10) == 0) {
            int t = atoi(f + 10);
            if (t < 0 || t > 255) usage("threshold must be 0..255");
            for (size_t i = 0; i < n; i++) dst.px[i] = cur.px[i] >= t ? 255 : 0;
        } else if (strcmp(f, "histeq") == 0) {
            histeq(&cur, &dst);
        } else if (half) {
            for (int y = 0; y < dst.h; y++)
                for (int x = 0; x < dst.w; x++) {
                    int s = at(&cur, 2 * x, 2 * y) + at(&cur, 2 * x + 1, 2 * y) + at(&cur, 2 * x, 2 * y + 1) +
                            at(&cur, 2 * x + 1, 2 * y + 1);
                    dst.px[y * dst.w + x] = (uint8_t)((s + 2) / 4);
                }
        } else {
            free(dst.px);
            free(cur.px);
            printf("pgm_filter: unknown filter '%s'\n", f);
            return 2;
        }
        free(cur.px);
        cur = dst;
        if (!quiet) print_stats(f, &cur);
    }
    print_stats("output", &cur);
    write_pgm(out, &cur);
    free(cur.px);
    return 0;
}
