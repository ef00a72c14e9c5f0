#include "image.h"

#include <stdlib.h>
#include <string.h>

void rng_seed(Rng *r, uint64_t seed) {
    r->state = seed ^ 0x9E3779B97F4A7C15ULL;
    if (r->state == 0) r->state = 0x2545F4914F6CDD1DULL;
    for (int i = 0; i < 4; i++) (void)rng_next(r);
}

uint32_t rng_next(Rng *r) {
    uint64_t x = r->state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->state = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

int image_alloc(Image *img, int w, int h) {
    img->w = 0;
    img->h = 0;
    img->px = NULL;
    if (w <= 0 || h <= 0 || w > IMG_MAX_DIM || h > IMG_MAX_DIM) return -1;
    img->px = calloc((size_t)w * (size_t)h, 1);
    if (!img->px) return -1;
    img->w = w;
    img->h = h;
    return 0;
}

void image_free(Image *img) {
    free(img->px);
    img->px = NULL;
    img->w = img->h = 0;
}

int image_copy(Image *dst, const Image *src) {
    if (image_alloc(dst, src->w, src->h) != 0) return -1;
    memcpy(dst->px, src->px, (size_t)src->w * (size_t)src->h);
    return 0;
}

void image_fill_random(Image *img, Rng *r) {
    int w = img->w, h = img->h;
    int gx = (int)(rng_next(r) % 7) + 1;
    int gy = (int)(rng_next(r) % 7) + 1;
    /* Base: diagonal gradient, compressed into the lower half of the range. */
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t v = ((uint32_t)x * (uint32_t)gx * 97u / (uint32_t)w +
                          (uint32_t)y * (uint32_t)gy * 61u / (uint32_t)h) % 128u;
            img->px[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)(v + 32u);
        }
    }
    /* Rectangular blobs of constant brightness (give sharp edges for Sobel). */
    int blobs = 4 + (int)(rng_next(r) % 12);
    for (int b = 0; b < blobs; b++) {
        int x0 = (int)(rng_next(r) % (uint32_t)w);
        int y0 = (int)(rng_next(r) % (uint32_t)h);
        int bw = 1 + (int)(rng_next(r) % (uint32_t)(w / 3 + 1));
        int bh = 1 + (int)(rng_next(r) % (uint32_t)(h / 3 + 1));
        uint8_t val = (uint8_t)(rng_next(r) & 0xFF);
        for (int y = y0; y < y0 + bh && y < h; y++)
            for (int x = x0; x < x0 + bw && x < w; x++)
                img->px[(size_t)y * (size_t)w + (size_t)x] = val;
    }
    /* Salt-and-pepper plus mild gaussian-ish noise (sum of uniforms). */
    size_t n = (size_t)w * (size_t)h;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = rng_next(r);
        if ((k & 0x3F) == 0) {
            img->px[i] = (k & 0x40) ? 255 : 0;
        } else {
            int noise = (int)((k >> 8) & 7) + (int)((k >> 11) & 7) - 7;
            int v = (int)img->px[i] + noise;
            if (v < 0) v = 0;
            if (v > 255) v = 255;
            img->px[i] = (uint8_t)v;
        }
    }
}

uint32_t image_checksum(const Image *img) {
    /* FNV-1a over the pixels, mixed with the dimensions. */
    uint32_t hsh = 2166136261u;
    size_t n = (size_t)img->w * (size_t)img->h;
    for (size_t i = 0; i < n; i++) {
        hsh ^= img->px[i];
        hsh *= 16777619u;
    }
    hsh ^= (uint32_t)img->w * 31u + (uint32_t)img->h;
    hsh *= 16777619u;
    return hsh;
}
