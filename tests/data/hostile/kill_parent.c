/* Tries to kill its parent, init and every process it can signal. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    kill(getppid(), SIGKILL);
    kill(1, SIGKILL);
    kill(-1, SIGKILL);
    puts("still here");
    return 0;
}
