/* Tries to read each file named on the command line, then lists its working directory. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    char buf[256];
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (f && fgets(buf, sizeof buf, f))
            printf("READ %s: %s\n", argv[i], buf);
        else
            printf("denied %s\n", argv[i]);
    }
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            printf("entry %s\n", e->d_name);
    return 0;
}
