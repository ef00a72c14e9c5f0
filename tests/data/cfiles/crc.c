/* A folder of C files that are not part of the built-in suite, for `compilerlm size DIR`. */
#include <stdint.h>
#include <stdio.h>

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

uint32_t crc32(const unsigned char *buf, size_t len) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

int main(void) {
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, stdin);
    make_table();
    printf("%08x\n", (unsigned)crc32(buf, n));
    return 0;
}
