/*
 * net_main.c — shroud-net: the commands that talk over the network, serve
 * and remote, in their own executable. `shroud serve|remote ...` runs it in
 * its place (net_exec.c), so the other commands never load libmicrohttpd,
 * GnuTLS, SQLite, libcurl and the thirty libraries behind them.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    signals_install();
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "remote") == 0)
        return cmd_remote(argc - 1, argv + 1);
    fprintf(stderr, "shroud-net: run it as 'shroud serve' or 'shroud remote'\n");
    return EXIT_USAGE;
}
