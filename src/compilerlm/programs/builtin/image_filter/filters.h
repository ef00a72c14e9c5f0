/* Integer image filters. Every filter returns a newly allocated image of the same size unless
 * noted (downsample halves it). */
#ifndef IMAGE_FILTER_FILTERS_H
#define IMAGE_FILTER_FILTERS_H

#include "image.h"

typedef Image (*FilterFn)(const Image *in, int param);

typedef struct {
    const char *name;
    FilterFn fn;
    int needs_param;
    int param_min, param_max;
} FilterInfo;

const FilterInfo *filter_lookup(const char *name);

Image filter_box_naive(const Image *in, int radius);
Image filter_box_integral(const Image *in, int radius);
Image filter_gauss5(const Image *in, int unused);
Image filter_sobel(const Image *in, int unused);
Image filter_median3(const Image *in, int unused);
Image filter_median3_hist(const Image *in, int unused);
Image filter_equalize(const Image *in, int unused);
Image filter_sharpen(const Image *in, int unused);
Image filter_emboss(const Image *in, int unused);
Image filter_threshold(const Image *in, int level);
Image filter_erode(const Image *in, int radius);
Image filter_dilate(const Image *in, int radius);
Image filter_invert(const Image *in, int unused);
Image filter_downsample(const Image *in, int unused);
Image filter_otsu(const Image *in, int unused);
Image filter_upsample(const Image *in, int unused);

#endif
