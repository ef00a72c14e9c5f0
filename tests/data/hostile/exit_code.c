/* Prints and exits with status 3. */
#include <stdio.h>

int main(void) {
    puts("bye");
    return 3;
}
