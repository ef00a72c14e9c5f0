/* Tries to raise its own resource limits back up and to become root again. */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static void try_raise(const char *name, int resource) {
    struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
    printf("%s %s\n", name, setrlimit(resource, &r) == 0 ? "RAISED" : "denied");
}

int main(void) {
    try_raise("cpu", RLIMIT_CPU);
    try_raise("as", RLIMIT_AS);
    try_raise("nproc", RLIMIT_NPROC);
    try_raise("nofile", RLIMIT_NOFILE);
    try_raise("fsize", RLIMIT_FSIZE);
    printf("setuid %s\n", setuid(0) == 0 ? "ROOT" : "denied");
    return 0;
}
