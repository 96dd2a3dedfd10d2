/* config: the one table of configuration options (redis.conf names), the
 * config file / command-line reader, and CONFIG GET/SET/RESETSTAT/REWRITE. */
#ifndef CAIRN_CONFIG_H
#define CAIRN_CONFIG_H

/* Set every option to its default (before reading files and flags). */
void configInitDefaults(void);
/* Load `filename` (may be NULL) then the "--name value" options of argv
 * (argv[0] is the program). On error, prints Redis's FATAL CONFIG FILE ERROR
 * message naming the line and option to stderr and exits with status 1. */
void configLoad(const char *filename, int argc, char **argv, int first_option);
/* Name of the maxmemory-policy currently set. */
const char *configMaxmemoryPolicyName(void);

#endif
