/* Integer grayscale image pipeline: generates (or reads) 8-bit images and runs box blur, Sobel
 * gradient magnitude, 3x3 median and histogram equalization over several rounds, printing
 * per-filter checksums, histogram statistics and a few sample pixels. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters.h"
#include "image.h"

#define MAX_JOBS 64
#define MAX_ROUNDS 1000
#define MAX_RADIUS 64

static void fail(const char *msg) {
    fprintf(stderr, "error: %s\n", msg);
    exit(1);
}

static uint32_t mix32(uint32_t acc, uint32_t v) {
    acc ^= v + 0x9E3779B9u + (acc << 6) + (acc >> 2);
    return acc;
}

/* Reference median for verification of the sorting network on small images. */
static int cmp_u8(const void *a, const void *b) {
    return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

static int verify_median(const Image *src, const Image *med) {
    uint8_t p[9];
    for (int y = 0; y < src->h; y++) {
        for (int x = 0; x < src->w; x++) {
            int n = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) p[n++] = image_get_clamped(src, x + dx, y + dy);
            qsort(p, 9, 1, cmp_u8);
            if (p[4] != med->px[(size_t)y * (size_t)src->w + (size_t)x]) return 0;
        }
    }
    return 1;
}

static void print_stats(const char *label, const Image *img) {
    uint32_t hist[256];
    image_histogram(img, hist);
    uint64_t sum = 0;
    int lo = -1, hi = -1, mode = 0;
    for (int i = 0; i < 256; i++) {
        sum += (uint64_t)hist[i] * (uint64_t)i;
        if (hist[i]) {
            if (lo < 0) lo = i;
            hi = i;
        }
        if (hist[i] > hist[mode]) mode = i;
    }
    uint64_t n = (uint64_t)img->w * (uint64_t)img->h;
    uint64_t mean_x100 = (sum * 100u + n / 2) / n;
    size_t mid = (size_t)(img->h / 2) * (size_t)img->w + (size_t)(img->w / 2);
    printf("  %-8s crc=%08x min=%d max=%d mode=%d mean=%llu.%02llu px0=%d mid=%d last=%d\n", label,
           (unsigned)image_checksum(img), lo, hi, mode, (unsigned long long)(mean_x100 / 100),
           (unsigned long long)(mean_x100 % 100), img->px[0], img->px[mid], img->px[n - 1]);
}

static void run_job(int job, Image *img, int rounds, int radius) {
    Image med, blur, sob, eq;
    if (image_alloc(&med, img->w, img->h) || image_alloc(&blur, img->w, img->h) ||
        image_alloc(&sob, img->w, img->h) || image_alloc(&eq, img->w, img->h))
        fail("out of memory");
    uint32_t acc_med = 0, acc_blur = 0, acc_sob = 0, acc_eq = 0;
    uint64_t edge_pixels = 0;
    int levels = 0;
    int verified = -1;
    for (int r = 0; r < rounds; r++) {
        filter_median3(img, &med);
        if (r == 0 && (size_t)img->w * (size_t)img->h <= 4096) verified = verify_median(img, &med);
        filter_box_blur(&med, &blur, radius);
        filter_sobel(&blur, &sob);
        levels = filter_equalize(&blur, &eq);
        acc_med = mix32(acc_med, image_checksum(&med));
        acc_blur = mix32(acc_blur, image_checksum(&blur));
        acc_sob = mix32(acc_sob, image_checksum(&sob));
        acc_eq = mix32(acc_eq, image_checksum(&eq));
        size_t n = (size_t)img->w * (size_t)img->h;
        for (size_t i = 0; i < n; i++) edge_pixels += sob.px[i] >= 16;
        /* Feed back: next round's input blends the equalized image with the edge map. */
        for (size_t i = 0; i < n; i++) {
            uint32_t v = ((uint32_t)eq.px[i] * 3u + (uint32_t)sob.px[i] + (uint32_t)img->px[i] * 4u) / 8u;
            img->px[i] = (uint8_t)v;
        }
    }
    printf("job %d: %dx%d rounds=%d radius=%d\n", job, img->w, img->h, rounds, radius);
    printf("  acc median=%08x blur=%08x sobel=%08x equalize=%08x\n", (unsigned)acc_med,
           (unsigned)acc_blur, (unsigned)acc_sob, (unsigned)acc_eq);
    printf("  edge_pixels=%llu levels=%d median_check=%s\n", (unsigned long long)edge_pixels, levels,
           verified < 0 ? "skipped" : (verified ? "ok" : "FAIL"));
    print_stats("median", &med);
    print_stats("blur", &blur);
    print_stats("sobel", &sob);
    print_stats("equal", &eq);
    print_stats("final", img);
    image_free(&med);
    image_free(&blur);
    image_free(&sob);
    image_free(&eq);
}

int main(void) {
    int jobs;
    if (scanf("%d", &jobs) != 1 || jobs < 1 || jobs > MAX_JOBS) fail("bad job count");
    uint32_t total = 0;
    for (int j = 0; j < jobs; j++) {
        char kind[16];
        int w, h, rounds, radius;
        Image img;
        if (scanf("%15s", kind) != 1) fail("missing job kind");
        if (strcmp(kind, "gen") == 0) {
            unsigned long long seed;
            if (scanf("%d %d %llu %d %d", &w, &h, &seed, &rounds, &radius) != 5)
                fail("bad gen line");
            if (rounds < 1 || rounds > MAX_ROUNDS || radius < 0 || radius > MAX_RADIUS)
                fail("bad rounds/radius");
            if (image_alloc(&img, w, h) != 0) fail("bad image size");
            Rng rng;
            rng_seed(&rng, (uint64_t)seed);
            image_fill_random(&img, &rng);
        } else if (strcmp(kind, "explicit") == 0) {
            if (scanf("%d %d %d %d", &w, &h, &rounds, &radius) != 4) fail("bad explicit line");
            if (rounds < 1 || rounds > MAX_ROUNDS || radius < 0 || radius > MAX_RADIUS)
                fail("bad rounds/radius");
            if (w > 256 || h > 256 || image_alloc(&img, w, h) != 0) fail("bad image size");
            size_t n = (size_t)w * (size_t)h;
            for (size_t i = 0; i < n; i++) {
                int v;
                if (scanf("%d", &v) != 1 || v < 0 || v > 255) {
                    image_free(&img);
                    fail("bad pixel value");
                }
                img.px[i] = (uint8_t)v;
            }
        } else {
            fail("unknown job kind");
        }
        print_stats("input", &img);
        run_job(j + 1, &img, rounds, radius);
        total = mix32(total, image_checksum(&img));
        image_free(&img);
    }
    printf("total=%08x\n", (unsigned)total);
    return 0;
}
