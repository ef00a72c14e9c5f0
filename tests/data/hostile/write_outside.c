/* Tries to create each file named on the command line (absolute and ../ paths outside its directory). */
#include <stdio.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "w");
        if (f && fputs("escaped\n", f) >= 0 && fclose(f) == 0)
            printf("wrote %s\n", argv[i]);
        else
            printf("denied %s\n", argv[i]);
    }
    return 0;
}
