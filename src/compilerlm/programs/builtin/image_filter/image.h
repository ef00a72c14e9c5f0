/* 8-bit grayscale images: allocation, generation, border-clamped access and statistics. */
#ifndef IMAGE_FILTER_IMAGE_H
#define IMAGE_FILTER_IMAGE_H

#include <stdint.h>
#include <stdio.h>

#define IMAGE_MAX_DIM 2048

typedef struct {
    int w, h;
    uint8_t *px;
} Image;

typedef struct {
    uint32_t checksum;
    uint64_t sum;
    int min, max;
    uint32_t histogram[256];
} ImageStats;

typedef enum { PATTERN_NOISE, PATTERN_GRADIENT, PATTERN_CIRCLES, PATTERN_CHECKER, PATTERN_COUNT } Pattern;

Image image_new(int w, int h);
Image image_clone(const Image *src);
void image_free(Image *img);
int image_valid(const Image *img);

/* pixel with coordinates clamped to the border (replicate padding) */
static inline uint8_t image_at(const Image *img, int x, int y) {
    if (x < 0)
        x = 0;
    else if (x >= img->w)
        x = img->w - 1;
    if (y < 0)
        y = 0;
    else if (y >= img->h)
        y = img->h - 1;
    return img->px[(size_t)y * (size_t)img->w + (size_t)x];
}

void image_generate(Image *img, Pattern pattern, uint32_t seed, int noise);
int pattern_from_name(const char *name, Pattern *out);

/* reads "P2 W H MAXVAL v v v ..." ASCII graymap from f; returns 1 on success */
int image_read_pgm(FILE *f, Image *img);

void image_stats(const Image *img, ImageStats *st);
void image_print_thumbnail(const Image *img, int cols, int rows);

#endif
