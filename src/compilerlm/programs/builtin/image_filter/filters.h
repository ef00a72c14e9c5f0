/* Integer image filters. Each writes into a preallocated dst of the same size as src. */
#ifndef FILTERS_H
#define FILTERS_H

#include "image.h"

/* Separable box blur with the given radius (uses a running sum, edge clamped). */
void filter_box_blur(const Image *src, Image *dst, int radius);
/* Sobel gradient magnitude |gx| + |gy|, scaled by 1/4 and saturated to 255. */
void filter_sobel(const Image *src, Image *dst);
/* 3x3 median via a small sorting network. */
void filter_median3(const Image *src, Image *dst);
/* Histogram equalization; returns the number of distinct input levels. */
int filter_equalize(const Image *src, Image *dst);
/* 256-bin histogram. */
void image_histogram(const Image *img, uint32_t hist[256]);

#endif
