#include <stdio.h>

/* Sum of squares of 0..n-1 (mod 2^64) for each n read. gcc -O3 runs the loop; clang computes it in
   closed form: a known faster answer for the speed-track tests. */
int main(void) {
    unsigned long n;
    while (scanf("%lu", &n) == 1) {
        unsigned long s = 0;
        for (unsigned long i = 0; i < n; i++)
            s += i * i;
        printf("%lu\n", s);
    }
    return 0;
}
