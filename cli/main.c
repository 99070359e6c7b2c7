/* cli/main.c - the chaff program: picks a command and runs it. */
#include <string.h>
#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: chaff COMMAND [options] INPUT...\n"
          "\n"
          "Cleans datasets on your own machine: removes exact and near-duplicate records\n"
          "and filters out low-quality and synthetic text.\n"
          "\n"
          "Commands:\n"
          "  dedup     remove exact and near-duplicate records (chaff dedup --help)\n"
          "  filter    drop low-quality, machine-generated and contaminated records\n"
          "            (chaff filter --help)\n"
          "  bench     time and score dedup on a generated corpus (chaff bench --help)\n"
          "  hash      frame hashes of video and image files (chaff hash --help)\n"
          "\n"
          "  chaff --version    print the version\n"
          "  chaff --help       this help\n",
          f);
}

int main(int argc, char **argv)
{
    if (chaff_version_number() != CHAFF_VERSION_NUMBER) {
        cli_msg("library version %s does not match this program", chaff_version_string());
        return EXIT_USAGE;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("chaff %s\n", chaff_version_string());
        return EXIT_OK;
    }
    if (!strcmp(cmd, "dedup"))
        return cli_dedup(argc - 1, argv + 1);
    if (!strcmp(cmd, "filter"))
        return cli_filter(argc - 1, argv + 1);
    if (!strcmp(cmd, "hash"))
        return cli_hash(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench"))
        return cli_bench(argc - 1, argv + 1);
    cli_msg("unknown command '%s' (see chaff --help)", cmd);
    return EXIT_USAGE;
}
