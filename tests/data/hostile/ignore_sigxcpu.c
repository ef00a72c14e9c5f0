/* Burns CPU forever and ignores SIGXCPU, the soft CPU-limit warning. */
#include <signal.h>

int main(void) {
    signal(SIGXCPU, SIG_IGN);
    volatile unsigned long n = 0;
    for (;;) n++;
}
