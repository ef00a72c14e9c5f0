/* Opens files until the kernel says no, then reports how many it got. */
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int n = 0;
    while (open("/dev/null", O_RDONLY) >= 0 && n < 100000) n++;
    printf("opened %d\n", n);
    return 0;
}
