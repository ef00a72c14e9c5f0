/* Lisp driver: reads all of stdin, evaluates each top-level form, collects garbage between forms,
 * and prints evaluation statistics at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lisp.h"

#define MAX_SOURCE (1 << 20)

static char source[MAX_SOURCE];

int main(void) {
    size_t len = fread(source, 1, sizeof source, stdin);
    if (len == sizeof source) lisp_error("source too large");
    if (memchr(source, '\0', len)) lisp_error("NUL byte in source");
    init_builtins();
    Reader r;
    reader_init(&r, source, len);
    Obj *form;
    uint64_t forms = 0;
    size_t peak = 0;
    char last[128];
    last[0] = '\0';
    while (read_datum(&r, &form)) {
        Obj *v = eval_toplevel(form);
        size_t n;
        print_obj(v, last, sizeof last, &n);
        forms++;
        if (heap_used() > peak) peak = heap_used();
        collect_garbage();
    }
    printf("\n-- forms %llu, last value %s\n", (unsigned long long)forms, last);
    printf("-- evals %llu, prim calls %llu, lambda calls %llu, max depth %llu\n", (unsigned long long)stats.evals,
           (unsigned long long)stats.prim_calls, (unsigned long long)stats.lambda_calls, (unsigned long long)stats.max_depth);
    printf("-- allocs %llu, gcs %llu, copied %llu, peak heap %zu, symbols %u\n", (unsigned long long)stats.allocs,
           (unsigned long long)stats.gcs, (unsigned long long)stats.copied, peak, nsymbols);
    return 0;
}
