/* Tries TCP connections to each host:port on the command line (e.g. a server the test runs). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[i + 1]))};
        inet_pton(AF_INET, argv[i], &addr.sin_addr);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s >= 0 && connect(s, (struct sockaddr *)&addr, sizeof addr) == 0)
            printf("CONNECTED %s\n", argv[i]);
        else
            printf("blocked %s\n", argv[i]);
        close(s);
    }
    return 0;
}
