/* Double fork + setsid: a daemon that outlives the program, then writes argv[1] a second later.
   argv[2] is a marker the test looks for in /proc. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            sleep(1);
            FILE *f = fopen(argv[1], "w");
            if (f) fputs("daemon was here\n", f), fclose(f);
            sleep(600);
        }
        _exit(0);
    }
    puts("parent done");
    return 0;
}
