#include <stdlib.h>
#include <string.h>

#include "image.h"

static uint32_t noise_state;

static uint32_t noise_next(void) {
    /* PCG-like 32-bit: LCG state with xorshift output */
    noise_state = noise_state * 747796405u + 2891336453u;
    uint32_t w = ((noise_state >> ((noise_state >> 28) + 4u)) ^ noise_state) * 277803737u;
    return (w >> 22) ^ w;
}

Image image_new(int w, int h) {
    Image img = {w, h, NULL};
    img.px = calloc((size_t)w * (size_t)h, 1);
    if (!img.px) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return img;
}

Image image_clone(const Image *src) {
    Image img = image_new(src->w, src->h);
    memcpy(img.px, src->px, (size_t)src->w * (size_t)src->h);
    return img;
}

void image_free(Image *img) {
    free(img->px);
    img->px = NULL;
    img->w = img->h = 0;
}

int image_valid(const Image *img) { return img->w > 0 && img->h > 0 && img->w <= IMAGE_MAX_DIM && img->h <= IMAGE_MAX_DIM; }

static const char *const pattern_names[PATTERN_COUNT] = {"noise", "gradient", "circles", "checker"};

int pattern_from_name(const char *name, Pattern *out) {
    for (int i = 0; i < PATTERN_COUNT; i++)
        if (strcmp(name, pattern_names[i]) == 0) {
            *out = (Pattern)i;
            return 1;
        }
    return 0;
}

static int clamp255(int v) { return v < 0 ? 0 : (v > 255 ? 255 : v); }

void image_generate(Image *img, Pattern pattern, uint32_t seed, int noise) {
    noise_state = seed ^ 0x9E3779B9u;
    int cx[6], cy[6], cr[6], cv[6];
    for (int i = 0; i < 6; i++) {
        cx[i] = (int)(noise_next() % (uint32_t)img->w);
        cy[i] = (int)(noise_next() % (uint32_t)img->h);
        cr[i] = 4 + (int)(noise_next() % (uint32_t)(img->w / 3 + 1));
        cv[i] = (int)(noise_next() % 256u);
    }
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++) {
            int v = 0;
            switch (pattern) {
            case PATTERN_NOISE:
                v = (int)(noise_next() & 0xffu);
                break;
            case PATTERN_GRADIENT:
                v = (x * 255) / (img->w > 1 ? img->w - 1 : 1) / 2 + (y * 255) / (img->h > 1 ? img->h - 1 : 1) / 2;
                break;
            case PATTERN_CIRCLES:
                v = 40;
                for (int i = 0; i < 6; i++) {
                    int dx = x - cx[i], dy = y - cy[i];
                    if (dx * dx + dy * dy <= cr[i] * cr[i])
                        v = cv[i];
                }
                break;
            case PATTERN_CHECKER:
            default:
                v = (((x >> 4) ^ (y >> 4)) & 1) ? 200 : 55;
                break;
            }
            if (noise > 0)
                v += (int)(noise_next() % (uint32_t)(2 * noise + 1)) - noise;
            img->px[(size_t)y * img->w + x] = (uint8_t)clamp255(v);
        }
}

static int read_int(FILE *f, int *out) {
    int c;
    do {
        c = fgetc(f);
        if (c == '#') /* comment to end of line */
            while (c != '\n' && c != EOF)
                c = fgetc(f);
    } while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
    if (c < '0' || c > '9')
        return 0;
    long v = 0;
    while (c >= '0' && c <= '9') {
        v = v * 10 + (c - '0');
        if (v > 1000000)
            return 0;
        c = fgetc(f);
    }
    *out = (int)v;
    return 1;
}

int image_read_pgm(FILE *f, Image *img) {
    int w, h, maxval;
    if (!read_int(f, &w) || !read_int(f, &h) || !read_int(f, &maxval) || w < 1 || h < 1 || w > 512 || h > 512 ||
        maxval < 1 || maxval > 255)
        return 0;
    *img = image_new(w, h);
    for (int i = 0; i < w * h; i++) {
        int v;
        if (!read_int(f, &v) || v > maxval) {
            image_free(img);
            return 0;
        }
        img->px[i] = (uint8_t)(v * 255 / maxval);
    }
    return 1;
}

void image_stats(const Image *img, ImageStats *st) {
    memset(st, 0, sizeof *st);
    st->min = 255;
    uint32_t a = 1, b = 0;
    size_t n = (size_t)img->w * img->h;
    for (size_t i = 0; i < n; i++) {
        uint8_t v = img->px[i];
        st->histogram[v]++;
        st->sum += v;
        if (v < st->min)
            st->min = v;
        if (v > st->max)
            st->max = v;
        a = (a + v) % 65521u;
        b = (b + a) % 65521u;
    }
    st->checksum = (b << 16) | a;
}

void image_print_thumbnail(const Image *img, int cols, int rows) {
    static const char ramp[] = " .:-=+*#%@";
    if (cols > img->w)
        cols = img->w;
    if (rows > img->h)
        rows = img->h;
    for (int r = 0; r < rows; r++) {
        putchar('|');
        for (int c = 0; c < cols; c++) {
            /* average of the block the character covers */
            int x0 = c * img->w / cols, x1 = (c + 1) * img->w / cols;
            int y0 = r * img->h / rows, y1 = (r + 1) * img->h / rows;
            uint32_t s = 0, n = 0;
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++) {
                    s += img->px[(size_t)y * img->w + x];
                    n++;
                }
            uint32_t avg = n ? s / n : 0;
            putchar(ramp[avg * 10 / 256]);
        }
        puts("|");
    }
}
