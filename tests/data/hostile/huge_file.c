/* Writes an ever-growing file in its working directory. */
#include <stdio.h>
#include <string.h>

int main(void) {
    static char buf[1 << 20];
    memset(buf, 'z', sizeof buf);
    FILE *f = fopen("big", "w");
    if (!f) return 1;
    for (;;) fwrite(buf, 1, sizeof buf, f);
}
