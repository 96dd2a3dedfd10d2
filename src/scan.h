/* scan: the argument parsing shared by SCAN, HSCAN, SSCAN and ZSCAN.
 *
 * Rules as Redis 7.2 applies them:
 *   cursor  strtoul over the whole argument, base 10: optional sign ('-'
 *           wraps around as strtoul does), digits to the end, no overflow of
 *           an unsigned long; "" is cursor 0. Otherwise "ERR invalid cursor".
 *   COUNT n a long; not an integer -> "ERR value is not an integer or out of
 *           range"; below 1 -> "ERR syntax error". Default 10.
 *   MATCH p glob pattern; "*" alone means no filtering.
 *   TYPE t  only where allowed (SCAN); the name is not checked here.
 *   Anything else, or an option without its value -> "ERR syntax error". */
#ifndef CAIRN_SCAN_H
#define CAIRN_SCAN_H
#include <stddef.h>
#include "dstr.h"

typedef struct client client;

typedef struct scanOptions {
    long count;            /* COUNT, default 10 */
    const char *pattern;   /* MATCH argument (points into argv), NULL if none */
    size_t patlen;
    int use_pattern;       /* 1 when MATCH is given and is not "*" */
    const char *type;      /* TYPE argument (points into argv), NULL if none */
} scanOptions;

/* Parse a cursor argument. Returns 0 and *cursor, or replies the error and returns -1. */
int scanParseCursor(client *c, const dstr arg, unsigned long *cursor);
/* Parse the options in c->argv[first..argc). `allow_type`: accept TYPE.
 * Returns 0 and fills *opt, or replies the error and returns -1. */
int scanParseOptions(client *c, int first, int allow_type, scanOptions *opt);

#endif
