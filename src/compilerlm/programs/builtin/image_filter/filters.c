#include <stdlib.h>
#include <string.h>

#include "filters.h"

typedef struct {
    int k[3][3];
    int divisor;
    int bias;
    int absolute; /* take |sum| before clamping */
} Kernel3;

static const Kernel3 sharpen_kernel = {{{0, -1, 0}, {-1, 5, -1}, {0, -1, 0}}, 1, 0, 0};
static const Kernel3 emboss_kernel = {{{-2, -1, 0}, {-1, 1, 1}, {0, 1, 2}}, 1, 128, 0};

static uint8_t clamp_u8(int v) { return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v)); }

/* rounded division for possibly negative numerators and positive divisors */
static int div_round(int num, int den) { return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den); }

static Image convolve3(const Image *in, const Kernel3 *k) {
    Image out = image_new(in->w, in->h);
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            int s = 0;
            for (int j = -1; j <= 1; j++)
                for (int i = -1; i <= 1; i++)
                    s += k->k[j + 1][i + 1] * image_at(in, x + i, y + j);
            s = div_round(s, k->divisor);
            if (k->absolute && s < 0)
                s = -s;
            out.px[(size_t)y * in->w + x] = clamp_u8(s + k->bias);
        }
    return out;
}

Image filter_sharpen(const Image *in, int unused) {
    (void)unused;
    return convolve3(in, &sharpen_kernel);
}

Image filter_emboss(const Image *in, int unused) {
    (void)unused;
    return convolve3(in, &emboss_kernel);
}

Image filter_box_naive(const Image *in, int r) {
    Image out = image_new(in->w, in->h);
    int area = (2 * r + 1) * (2 * r + 1);
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            int s = 0;
            for (int j = -r; j <= r; j++)
                for (int i = -r; i <= r; i++)
                    s += image_at(in, x + i, y + j);
            out.px[(size_t)y * in->w + x] = (uint8_t)((s + area / 2) / area);
        }
    return out;
}

/* box blur via a summed-area table over the replicate-padded image */
Image filter_box_integral(const Image *in, int r) {
    int pw = in->w + 2 * r, ph = in->h + 2 * r;
    uint32_t *sat = calloc((size_t)(pw + 1) * (size_t)(ph + 1), sizeof(uint32_t));
    if (!sat) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (int y = 0; y < ph; y++) {
        uint32_t row = 0;
        for (int x = 0; x < pw; x++) {
            row += image_at(in, x - r, y - r);
            sat[(size_t)(y + 1) * (pw + 1) + (x + 1)] = sat[(size_t)y * (pw + 1) + (x + 1)] + row;
        }
    }
    Image out = image_new(in->w, in->h);
    uint32_t area = (uint32_t)((2 * r + 1) * (2 * r + 1));
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            /* window in padded coordinates: [x, x+2r] x [y, y+2r] */
            size_t x0 = (size_t)x, x1 = (size_t)x + 2 * (size_t)r + 1, y0 = (size_t)y, y1 = (size_t)y + 2 * (size_t)r + 1;
            uint32_t s = sat[y1 * (pw + 1) + x1] - sat[y0 * (pw + 1) + x1] - sat[y1 * (pw + 1) + x0] + sat[y0 * (pw + 1) + x0];
            out.px[(size_t)y * in->w + x] = (uint8_t)((s + area / 2) / area);
        }
    free(sat);
    return out;
}

/* separable 5-tap binomial blur [1 4 6 4 1] / 16 in each direction, 16-bit intermediate */
Image filter_gauss5(const Image *in, int unused) {
    (void)unused;
    static const int taps[5] = {1, 4, 6, 4, 1};
    uint16_t *tmp = malloc((size_t)in->w * in->h * sizeof(uint16_t));
    if (!tmp) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            int s = 0;
            for (int t = 0; t < 5; t++)
                s += taps[t] * image_at(in, x + t - 2, y);
            tmp[(size_t)y * in->w + x] = (uint16_t)s; /* <= 16*255 */
        }
    Image out = image_new(in->w, in->h);
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            int s = 0;
            for (int t = 0; t < 5; t++) {
                int yy = y + t - 2;
                yy = yy < 0 ? 0 : (yy >= in->h ? in->h - 1 : yy);
                s += taps[t] * tmp[(size_t)yy * in->w + x];
            }
            out.px[(size_t)y * in->w + x] = (uint8_t)((s + 128) / 256);
        }
    free(tmp);
    return out;
}

Image filter_sobel(const Image *in, int unused) {
    (void)unused;
    Image out = image_new(in->w, in->h);
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            int a = image_at(in, x - 1, y - 1), b = image_at(in, x, y - 1), c = image_at(in, x + 1, y - 1);
            int d = image_at(in, x - 1, y), f = image_at(in, x + 1, y);
            int g = image_at(in, x - 1, y + 1), h = image_at(in, x, y + 1), i = image_at(in, x + 1, y + 1);
            int gx = (c + 2 * f + i) - (a + 2 * d + g);
            int gy = (g + 2 * h + i) - (a + 2 * b + c);
            int mag = (gx < 0 ? -gx : gx) + (gy < 0 ? -gy : gy);
            out.px[(size_t)y * in->w + x] = clamp_u8(mag / 4);
        }
    return out;
}

#define SORT2(a, b)                                                                                              \
    do {                                                                                                         \
        if ((a) > (b)) {                                                                                         \
            uint8_t t_ = (a);                                                                                    \
            (a) = (b);                                                                                           \
            (b) = t_;                                                                                            \
        }                                                                                                        \
    } while (0)

/* median of 9 with a fixed exchange network */
static uint8_t median9(uint8_t *p) {
    SORT2(p[1], p[2]); SORT2(p[4], p[5]); SORT2(p[7], p[8]);
    SORT2(p[0], p[1]); SORT2(p[3], p[4]); SORT2(p[6], p[7]);
    SORT2(p[1], p[2]); SORT2(p[4], p[5]); SORT2(p[7], p[8]);
    SORT2(p[0], p[3]); SORT2(p[5], p[8]); SORT2(p[4], p[7]);
    SORT2(p[3], p[6]); SORT2(p[1], p[4]); SORT2(p[2], p[5]);
    SORT2(p[4], p[7]); SORT2(p[4], p[2]); SORT2(p[6], p[4]);
    SORT2(p[4], p[2]);
    return p[4];
}

Image filter_median3(const Image *in, int unused) {
    (void)unused;
    Image out = image_new(in->w, in->h);
    uint8_t win[9];
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            int n = 0;
            for (int j = -1; j <= 1; j++)
                for (int i = -1; i <= 1; i++)
                    win[n++] = image_at(in, x + i, y + j);
            out.px[(size_t)y * in->w + x] = median9(win);
        }
    return out;
}

/* the same median through a counting histogram, used as a cross-check */
Image filter_median3_hist(const Image *in, int unused) {
    (void)unused;
    Image out = image_new(in->w, in->h);
    for (int y = 0; y < in->h; y++)
        for (int x = 0; x < in->w; x++) {
            uint8_t count[256];
            memset(count, 0, sizeof count);
            for (int j = -1; j <= 1; j++)
                for (int i = -1; i <= 1; i++)
                    count[image_at(in, x + i, y + j)]++;
            int seen = 0, v = 0;
            while (seen + count[v] < 5) {
                seen += count[v];
                v++;
            }
            out.px[(size_t)y * in->w + x] = (uint8_t)v;
        }
    return out;
}

Image filter_equalize(const Image *in, int unused) {
    (void)unused;
    ImageStats st;
    image_stats(in, &st);
    uint32_t total = (uint32_t)in->w * (uint32_t)in->h, cdf = 0, cdf_min = 0;
    uint8_t lut[256];
    for (int v = 0; v < 256; v++)
        if (st.histogram[v]) {
            cdf_min = st.histogram[v];
            break;
        }
    for (int v = 0; v < 256; v++) {
        cdf += st.histogram[v];
        if (total == cdf_min)
            lut[v] = (uint8_t)v;
        else
            lut[v] = (uint8_t)(((uint64_t)(cdf > cdf_min ? cdf - cdf_min : 0) * 255u + (total - cdf_min) / 2) /
                               (total - cdf_min));
    }
    Image out = image_new(in->w, in->h);
    for (size_t i = 0; i < (size_t)in->w * in->h; i++)
        out.px[i] = lut[in->px[i]];
    return out;
}

Image filter_threshold(const Image *in, int level) {
    Image out = image_new(in->w, in->h);
    for (size_t i = 0; i < (size_t)in->w * in->h; i++)
        out.px[i] = in->px[i] >= level ? 255 : 0;
    return out;
}

/* Otsu's threshold: maximise between-class variance using integer arithmetic */
Image filter_otsu(const Image *in, int unused) {
    (void)unused;
    ImageStats st;
    image_stats(in, &st);
    uint64_t total = (uint64_t)in->w * in->h, sum_all = st.sum, w0 = 0, sum0 = 0;
    uint64_t best_num = 0;
    int best_t = 0;
    for (int t = 0; t < 256; t++) {
        w0 += st.histogram[t];
        sum0 += (uint64_t)t * st.histogram[t];
        if (w0 == 0 || w0 == total)
            continue;
        uint64_t w1 = total - w0, sum1 = sum_all - sum0;
        /* (mean0 - mean1)^2 * w0 * w1 = (sum0*w1 - sum1*w0)^2 / (w0*w1); compare scaled */
        int64_t diff = (int64_t)(sum0 * w1) - (int64_t)(sum1 * w0);
        uint64_t d = (uint64_t)(diff < 0 ? -diff : diff);
        uint64_t num = (d / w0) * (d / w1); /* ~ d^2 / (w0 w1) without overflow */
        if (num > best_num) {
            best_num = num;
            best_t = t + 1;
        }
    }
    printf("    otsu level=%d\n", best_t);
    return filter_threshold(in, best_t);
}

static Image morph(const Image *in, int r, int want_max) {
    Image tmp = image_new(in->w, in->h), out = image_new(in->w, in->h);
    for (int y = 0; y < in->h; y++) /* horizontal pass */
        for (int x = 0; x < in->w; x++) {
            int best = want_max ? 0 : 255;
            for (int i = -r; i <= r; i++) {
                int v = image_at(in, x + i, y);
                if (want_max ? v > best : v < best)
                    best = v;
            }
            tmp.px[(size_t)y * in->w + x] = (uint8_t)best;
        }
    for (int y = 0; y < in->h; y++) /* vertical pass */
        for (int x = 0; x < in->w; x++) {
            int best = want_max ? 0 : 255;
            for (int j = -r; j <= r; j++) {
                int v = image_at(&tmp, x, y + j);
                if (want_max ? v > best : v < best)
                    best = v;
            }
            out.px[(size_t)y * in->w + x] = (uint8_t)best;
        }
    image_free(&tmp);
    return out;
}

Image filter_erode(const Image *in, int radius) { return morph(in, radius, 0); }
Image filter_dilate(const Image *in, int radius) { return morph(in, radius, 1); }

Image filter_invert(const Image *in, int unused) {
    (void)unused;
    Image out = image_new(in->w, in->h);
    for (size_t i = 0; i < (size_t)in->w * in->h; i++)
        out.px[i] = (uint8_t)(255 - in->px[i]);
    return out;
}

Image filter_downsample(const Image *in, int unused) {
    (void)unused;
    int w = in->w > 1 ? in->w / 2 : 1, h = in->h > 1 ? in->h / 2 : 1;
    Image out = image_new(w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int s = image_at(in, 2 * x, 2 * y) + image_at(in, 2 * x + 1, 2 * y) + image_at(in, 2 * x, 2 * y + 1) +
                    image_at(in, 2 * x + 1, 2 * y + 1);
            out.px[(size_t)y * w + x] = (uint8_t)((s + 2) / 4);
        }
    return out;
}

/* 2x bilinear upsampling with integer weights (quarter-pixel offsets 1/4, 3/4) */
Image filter_upsample(const Image *in, int unused) {
    (void)unused;
    int w = in->w * 2 <= IMAGE_MAX_DIM ? in->w * 2 : in->w, h = in->h * 2 <= IMAGE_MAX_DIM ? in->h * 2 : in->h;
    Image out = image_new(w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            /* source position (x + 0.5) / 2 - 0.5 in quarter units */
            int sx4 = w == in->w ? 4 * x : 2 * x - 1, sy4 = h == in->h ? 4 * y : 2 * y - 1;
            int x0 = sx4 >= 0 ? sx4 / 4 : -1, y0 = sy4 >= 0 ? sy4 / 4 : -1;
            int fx = sx4 - 4 * x0, fy = sy4 - 4 * y0;
            int a = image_at(in, x0, y0), b = image_at(in, x0 + 1, y0);
            int c = image_at(in, x0, y0 + 1), d = image_at(in, x0 + 1, y0 + 1);
            int top = a * (4 - fx) + b * fx, bottom = c * (4 - fx) + d * fx;
            out.px[(size_t)y * w + x] = (uint8_t)((top * (4 - fy) + bottom * fy + 8) / 16);
        }
    return out;
}

static const FilterInfo filter_table[] = {
    {"upsample", filter_upsample, 0, 0, 0},
    {"box", filter_box_integral, 1, 0, 15},
    {"boxnaive", filter_box_naive, 1, 0, 4},
    {"gauss", filter_gauss5, 0, 0, 0},
    {"sobel", filter_sobel, 0, 0, 0},
    {"median", filter_median3, 0, 0, 0},
    {"equalize", filter_equalize, 0, 0, 0},
    {"sharpen", filter_sharpen, 0, 0, 0},
    {"emboss", filter_emboss, 0, 0, 0},
    {"threshold", filter_threshold, 1, 0, 256},
    {"otsu", filter_otsu, 0, 0, 0},
    {"erode", filter_erode, 1, 0, 8},
    {"dilate", filter_dilate, 1, 0, 8},
    {"invert", filter_invert, 0, 0, 0},
    {"downsample", filter_downsample, 0, 0, 0},
};

const FilterInfo *filter_lookup(const char *name) {
    for (size_t i = 0; i < sizeof(filter_table) / sizeof(filter_table[0]); i++)
        if (strcmp(filter_table[i].name, name) == 0)
            return &filter_table[i];
    return NULL;
}
