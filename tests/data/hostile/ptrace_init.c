/* Tries to take over the sandbox's init (its parent, PID 1 inside): ptrace it and open its memory. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(void) {
    pid_t targets[2] = {getppid(), 1};
    for (int i = 0; i < 2; i++) {
        printf("attach %s\n", ptrace(PTRACE_ATTACH, targets[i], 0, 0) == 0 ? "ATTACHED" : "denied");
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", (int)targets[i]);
        printf("mem %s\n", open(path, O_RDWR) >= 0 ? "OPENED" : "denied");
    }
    return 0;
}
