/* Fork bomb: every process forks forever. argv[1] is a marker the test looks for in /proc afterwards. */
#include <unistd.h>

int main(void) {
    for (;;) fork();
}
