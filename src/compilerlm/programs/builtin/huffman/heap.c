#include "heap.h"

#include <stdlib.h>

#define PARENT(i) (((i) - 1) / 2)
#define LEFT(i) (2 * (i) + 1)

int heap_init(Heap *h, size_t cap, HeapLess less, const void *ctx) {
    h->items = malloc((cap ? cap : 1) * sizeof *h->items);
    h->size = 0;
    h->cap = cap ? cap : 1;
    h->less = less;
    h->ctx = ctx;
    return h->items != NULL;
}

void heap_free(Heap *h) {
    free(h->items);
    h->items = NULL;
    h->size = h->cap = 0;
}

static void sift_up(Heap *h, size_t i) {
    int item = h->items[i];
    while (i > 0) {
        size_t p = PARENT(i);
        if (!h->less(item, h->items[p], h->ctx))
            break;
        h->items[i] = h->items[p];
        i = p;
    }
    h->items[i] = item;
}

static void sift_down(Heap *h, size_t i) {
    int item = h->items[i];
    for (;;) {
        size_t c = LEFT(i);
        if (c >= h->size)
            break;
        if (c + 1 < h->size && h->less(h->items[c + 1], h->items[c], h->ctx))
            c++;
        if (!h->less(h->items[c], item, h->ctx))
            break;
        h->items[i] = h->items[c];
        i = c;
    }
    h->items[i] = item;
}

int heap_push(Heap *h, int item) {
    if (h->size == h->cap) {
        size_t ncap = h->cap * 2;
        int *p = realloc(h->items, ncap * sizeof *p);
        if (!p)
            return 0;
        h->items = p;
        h->cap = ncap;
    }
    h->items[h->size] = item;
    sift_up(h, h->size);
    h->size++;
    return 1;
}

int heap_pop(Heap *h) {
    int top = h->items[0];
    h->size--;
    if (h->size > 0) {
        h->items[0] = h->items[h->size];
        sift_down(h, 0);
    }
    return top;
}

int heap_peek(const Heap *h) { return h->items[0]; }

size_t heap_size(const Heap *h) { return h->size; }

int heap_check(const Heap *h) {
    for (size_t i = 1; i < h->size; i++)
        if (h->less(h->items[i], h->items[PARENT(i)], h->ctx))
            return 0;
    return 1;
}
