#include <stdio.h>

/* Two hot functions, each faster under a different compiler: clang computes f's sum of squares in closed
   form (gcc runs the loop), and g is written so that clang cannot vectorise it (an empty asm statement in
   the loop, only under clang) while gcc does. The per-function combination should take f from clang and g
   from gcc. */

static unsigned calls;
static unsigned a[4096];

__attribute__((noinline)) unsigned long f(unsigned long n) {
    unsigned long s = 0;
    for (unsigned long i = 0; i < n; i++)
        s += i * i;
    return s;
}

__attribute__((noinline)) unsigned g(const unsigned *v, int n) {
    unsigned s = 0;
    for (int i = 0; i < n; i++) {
#ifdef __clang__
        __asm__ volatile("" ::: "memory");
#endif
        s += v[i] * 3u;
    }
    return s;
}

int main(void) {
    unsigned long n, m;
    for (int i = 0; i < 4096; i++)
        a[i] = i;
    while (scanf("%lu %lu", &n, &m) == 2) {
        unsigned t = 0;
        for (unsigned long k = 0; k < m; k++)
            t += g(a, 4096);
        calls++;
        printf("%lu %u %u\n", f(n), t, calls);
    }
    return 0;
}
