/* A well-behaved program: sums the integers on stdin. */
#include <stdio.h>

int main(void) {
    long x, s = 0;
    while (scanf("%ld", &x) == 1) s += x;
    printf("%ld\n", s);
    return 0;
}
