#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>

/* Binary min-heap of int handles ordered by a caller-supplied comparison. */
typedef int (*HeapLess)(int a, int b, const void *ctx);

typedef struct {
    int *items;
    size_t size, cap;
    HeapLess less;
    const void *ctx;
} Heap;

int heap_init(Heap *h, size_t cap, HeapLess less, const void *ctx);
void heap_free(Heap *h);
int heap_push(Heap *h, int item);
int heap_pop(Heap *h);
int heap_peek(const Heap *h);
size_t heap_size(const Heap *h);
int heap_check(const Heap *h); /* 1 if the heap property holds */

#endif
