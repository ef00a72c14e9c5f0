#include "filters.h"

#include <stdlib.h>

void filter_box_blur(const Image *src, Image *dst, int radius) {
    int w = src->w, h = src->h;
    uint32_t win = (uint32_t)(2 * radius + 1);
    uint16_t *tmp = malloc((size_t)w * (size_t)h * sizeof *tmp);
    if (!tmp) abort();
    /* Horizontal pass: keep window sums (up to 255 * win) in tmp scaled down. */
    for (int y = 0; y < h; y++) {
        uint32_t sum = 0;
        for (int k = -radius; k <= radius; k++) sum += image_get_clamped(src, k, y);
        for (int x = 0; x < w; x++) {
            tmp[(size_t)y * (size_t)w + (size_t)x] = (uint16_t)((sum + win / 2) / win);
            sum += image_get_clamped(src, x + radius + 1, y);
            sum -= image_get_clamped(src, x - radius, y);
        }
    }
    /* Vertical pass. */
    for (int x = 0; x < w; x++) {
        uint32_t sum = 0;
        for (int k = -radius; k <= radius; k++) {
            int yy = k < 0 ? 0 : (k >= h ? h - 1 : k);
            sum += tmp[(size_t)yy * (size_t)w + (size_t)x];
        }
        for (int y = 0; y < h; y++) {
            dst->px[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)((sum + win / 2) / win);
            int add = y + radius + 1, sub = y - radius;
            if (add >= h) add = h - 1;
            if (sub < 0) sub = 0;
            sum += tmp[(size_t)add * (size_t)w + (size_t)x];
            sum -= tmp[(size_t)sub * (size_t)w + (size_t)x];
        }
    }
    free(tmp);
}

void filter_sobel(const Image *src, Image *dst) {
    int w = src->w, h = src->h;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int a = image_get_clamped(src, x - 1, y - 1);
            int b = image_get_clamped(src, x, y - 1);
            int c = image_get_clamped(src, x + 1, y - 1);
            int d = image_get_clamped(src, x - 1, y);
            int f = image_get_clamped(src, x + 1, y);
            int g = image_get_clamped(src, x - 1, y + 1);
            int hh = image_get_clamped(src, x, y + 1);
            int i = image_get_clamped(src, x + 1, y + 1);
            int gx = (c + 2 * f + i) - (a + 2 * d + g);
            int gy = (g + 2 * hh + i) - (a + 2 * b + c);
            int mag = (abs(gx) + abs(gy)) / 4;
            dst->px[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)(mag > 255 ? 255 : mag);
        }
    }
}

#define SORT2(a, b)               \
    do {                          \
        if ((a) > (b)) {          \
            uint8_t t_ = (a);     \
            (a) = (b);            \
            (b) = t_;             \
        }                         \
    } while (0)

static uint8_t median9(uint8_t p[9]) {
    /* Classic 19-comparator median-of-9 network. */
    SORT2(p[1], p[2]); SORT2(p[4], p[5]); SORT2(p[7], p[8]);
    SORT2(p[0], p[1]); SORT2(p[3], p[4]); SORT2(p[6], p[7]);
    SORT2(p[1], p[2]); SORT2(p[4], p[5]); SORT2(p[7], p[8]);
    SORT2(p[0], p[3]); SORT2(p[5], p[8]); SORT2(p[4], p[7]);
    SORT2(p[3], p[6]); SORT2(p[1], p[4]); SORT2(p[2], p[5]);
    SORT2(p[4], p[7]); SORT2(p[4], p[2]); SORT2(p[6], p[4]);
    SORT2(p[4], p[2]);
    return p[4];
}

void filter_median3(const Image *src, Image *dst) {
    int w = src->w, h = src->h;
    uint8_t p[9];
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int n = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) p[n++] = image_get_clamped(src, x + dx, y + dy);
            dst->px[(size_t)y * (size_t)w + (size_t)x] = median9(p);
        }
    }
}

void image_histogram(const Image *img, uint32_t hist[256]) {
    for (int i = 0; i < 256; i++) hist[i] = 0;
    size_t n = (size_t)img->w * (size_t)img->h;
    for (size_t i = 0; i < n; i++) hist[img->px[i]]++;
}

int filter_equalize(const Image *src, Image *dst) {
    uint32_t hist[256];
    uint8_t lut[256];
    image_histogram(src, hist);
    uint64_t total = (uint64_t)src->w * (uint64_t)src->h;
    uint64_t cdf_min = 0;
    int levels = 0;
    for (int i = 0; i < 256; i++) {
        if (hist[i]) {
            if (!levels) cdf_min = hist[i];
            levels++;
        }
    }
    uint64_t cdf = 0;
    for (int i = 0; i < 256; i++) {
        cdf += hist[i];
        if (total == cdf_min) {
            lut[i] = (uint8_t)i;
        } else if (cdf < cdf_min) {
            lut[i] = 0;
        } else {
            lut[i] = (uint8_t)(((cdf - cdf_min) * 255u + (total - cdf_min) / 2) / (total - cdf_min));
        }
    }
    size_t n = (size_t)total;
    for (size_t i = 0; i < n; i++) dst->px[i] = lut[src->px[i]];
    return levels;
}
