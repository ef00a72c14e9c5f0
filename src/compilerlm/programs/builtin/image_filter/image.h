/* Grayscale 8-bit image container and deterministic generators. */
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMG_MAX_DIM 4096

typedef struct {
    int w, h;
    uint8_t *px; /* row-major, w * h bytes */
} Image;

typedef struct {
    uint64_t state;
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint32_t rng_next(Rng *r);

/* Returns 0 on success, -1 on invalid size or allocation failure. */
int image_alloc(Image *img, int w, int h);
void image_free(Image *img);
int image_copy(Image *dst, const Image *src);

/* Fill with smooth gradients, blobs and noise so filters have structure to work on. */
void image_fill_random(Image *img, Rng *r);

static inline uint8_t image_get_clamped(const Image *img, int x, int y) {
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    if (x >= img->w) x = img->w - 1;
    if (y >= img->h) y = img->h - 1;
    return img->px[(size_t)y * (size_t)img->w + (size_t)x];
}

uint32_t image_checksum(const Image *img);

#endif
