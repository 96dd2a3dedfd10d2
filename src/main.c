/* main: start-up. cairn-server [config-file] [--option value ...] */
#include "config.h"
#include "net.h"
#include "server.h"
#include "zmalloc.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(void) {
    fprintf(stderr,
            "Usage: ./cairn-server [/path/to/redis.conf] [options] [-]\n"
            "       ./cairn-server - (read config from stdin)\n"
            "       ./cairn-server -v or --version\n"
            "       ./cairn-server -h or --help\n\n"
            "Examples:\n"
            "       ./cairn-server (run the server with default config)\n"
            "       ./cairn-server /etc/redis/6379.conf\n"
            "       ./cairn-server --port 7777\n"
            "       ./cairn-server /etc/myredis.conf --loglevel verbose\n");
    exit(1);
}

static void daemonize(void) {
    if (fork() != 0) exit(0);
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) close(fd);
    }
}

static void writePidfile(void) {
    if (!server.pidfile || !server.pidfile[0]) return;
    FILE *fp = fopen(server.pidfile, "w");
    if (fp) {
        fprintf(fp, "%d\n", (int)getpid());
        fclose(fp);
    }
}

int main(int argc, char **argv) {
    configInitDefaults();
    const char *config_file = NULL;
    int first_option = 1;
    if (argc >= 2) {
        if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version")) {
            printf("Cairn server v=%s (Redis-compatible %s) malloc=%s bits=%d\n", CAIRN_VERSION, REDIS_COMPAT_VERSION,
                   zmalloc_allocator_name(), (int)sizeof(long) * 8);
            return 0;
        }
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) usage();
        if (argv[1][0] != '-' || (argv[1][0] == '-' && argv[1][1] == '\0')) {
            config_file = argv[1];
            first_option = 2;
        }
    }
    server.executable = argv[0];
    configLoad(config_file, argc, argv, first_option);
    if (server.daemonize) daemonize();
    serverInit();
    serverLog(LL_WARNING, "oO0OoO0OoO0Oo Cairn is starting oO0OoO0OoO0Oo");
    serverLog(LL_WARNING, "Cairn version=%s, bits=%d, pid=%d, just started", CAIRN_VERSION, (int)sizeof(long) * 8,
              (int)getpid());
    if (!config_file)
        serverLog(LL_WARNING, "Warning: no config file specified, using the default config. In order to specify a "
                              "config file use %s /path/to/redis.conf",
                  argv[0]);
    if (netListen() < 0) {
        serverLog(LL_WARNING, "Failed listening on port %d (tcp), aborting.", server.port);
        return 1;
    }
    writePidfile();
    server.startup_memory = zmalloc_used_memory();
    serverLog(LL_NOTICE, "Server initialized");
    serverLog(LL_NOTICE, "Ready to accept connections tcp");
    serverMain();
    return 0;
}
