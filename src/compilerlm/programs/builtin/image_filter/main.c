/* Integer image processing pipeline: generate (or read) an 8-bit grayscale image, apply a chain
 * of filters (box blur, Gaussian, Sobel, median, equalization, sharpen, emboss, thresholds,
 * morphology, downsampling), print statistics and checksums after every stage, cross-check
 * alternative implementations, and draw an ASCII thumbnail of the result. */
#include <stdlib.h>
#include <string.h>

#include "filters.h"

#define MAX_STAGES 24
#define THUMB_COLS 48
#define THUMB_ROWS 16
#define MAX_PIXEL_WORK 60000000ull

static void print_stats(const char *label, const Image *img) {
    ImageStats st;
    image_stats(img, &st);
    uint64_t n = (uint64_t)img->w * img->h;
    int distinct = 0;
    for (int v = 0; v < 256; v++)
        distinct += st.histogram[v] != 0;
    printf("%-12s %4dx%-4d mean=%llu.%02llu min=%3d max=%3d levels=%3d adler=%08x\n", label, img->w, img->h,
           (unsigned long long)(st.sum / n), (unsigned long long)(st.sum * 100 / n % 100), st.min, st.max, distinct,
           st.checksum);
}

static int images_equal(const Image *a, const Image *b) {
    return a->w == b->w && a->h == b->h && memcmp(a->px, b->px, (size_t)a->w * a->h) == 0;
}

/* run the alternative implementation where one exists and report agreement */
static void cross_check(const char *name, const Image *in, const Image *out, int param) {
    Image alt;
    alt.px = NULL;
    if (strcmp(name, "box") == 0 && param <= 3 && (uint64_t)in->w * in->h <= 600000)
        alt = filter_box_naive(in, param);
    else if (strcmp(name, "median") == 0)
        alt = filter_median3_hist(in, 0);
    else if (strcmp(name, "threshold") == 0) {
        Image inv = filter_invert(in, 0);
        Image t = filter_threshold(&inv, 256 - param);
        alt = filter_invert(&t, 0); /* x >= p  <=>  !(255-x >= 256-p) */
        image_free(&inv);
        image_free(&t);
    } else
        return;
    printf("    cross-check %s: %s\n", name, images_equal(&alt, out) ? "ok" : "MISMATCH");
    image_free(&alt);
}

/* Input:
 *   image W H PATTERN SEED NOISE      (PATTERN = noise|gradient|circles|checker)
 *   or  pgm  followed by a P2-style "W H MAXVAL pixels..." block
 * then filter stages, one per line: NAME [PARAM], ending at EOF. */
int main(void) {
    char word[32];
    Image img = {0, 0, NULL};
    if (scanf("%31s", word) != 1)
        goto bad;
    if (strcmp(word, "image") == 0) {
        int w, h, noise;
        unsigned seed;
        char pname[16];
        Pattern p;
        if (scanf("%d %d %15s %u %d", &w, &h, pname, &seed, &noise) != 5 || w < 1 || h < 1 || w > IMAGE_MAX_DIM ||
            h > IMAGE_MAX_DIM || !pattern_from_name(pname, &p) || noise < 0 || noise > 255)
            goto bad;
        img = image_new(w, h);
        image_generate(&img, p, seed, noise);
    } else if (strcmp(word, "pgm") == 0) {
        if (!image_read_pgm(stdin, &img))
            goto bad;
    } else {
        goto bad;
    }
    print_stats("input", &img);
    int stages = 0;
    uint64_t work = 0;
    uint32_t chain = 0;
    while (scanf("%31s", word) == 1) {
        const FilterInfo *fi = filter_lookup(word);
        int param = 0;
        if (!fi || ++stages > MAX_STAGES)
            goto bad_free;
        if (fi->needs_param && (scanf("%d", &param) != 1 || param < fi->param_min || param > fi->param_max))
            goto bad_free;
        uint64_t cost = (uint64_t)img.w * img.h * (uint64_t)(fi->needs_param ? (2 * param + 1) : 9);
        if ((work += cost) > MAX_PIXEL_WORK * 4)
            goto bad_free;
        Image out = fi->fn(&img, param);
        char label[40];
        if (fi->needs_param)
            snprintf(label, sizeof label, "%s(%d)", fi->name, param);
        else
            snprintf(label, sizeof label, "%s", fi->name);
        print_stats(label, &out);
        cross_check(fi->name, &img, &out, param);
        ImageStats st;
        image_stats(&out, &st);
        chain = (chain * 16777619u) ^ st.checksum;
        image_free(&img);
        img = out;
    }
    if (stages == 0)
        goto bad_free;
    printf("pipeline stages=%d chain=%08x\n", stages, chain);
    image_print_thumbnail(&img, THUMB_COLS, THUMB_ROWS);
    image_free(&img);
    return 0;
bad_free:
    image_free(&img);
bad:
    fprintf(stderr, "malformed input\n");
    return 1;
}
