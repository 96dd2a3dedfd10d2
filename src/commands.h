/* commands: the command table (its types, name lookup and key extraction).
 *
 * The table itself is data: one JSON file per command in commands/ (the
 * metadata Redis 7.2 reports through COMMAND INFO / COMMAND DOCS, plus the C
 * handler name), turned into build/gen/commands_table.c by
 * utils/gen_commands.py. The generator only registers commands whose handler
 * `void <name>Command(client *c)` is defined in src/ (container commands
 * appear when they have their own handler or at least one implemented
 * subcommand), so COMMAND COUNT / COMMAND LIST show what Cairn implements.
 *
 * Handler names: camelCase of the full name plus "Command": "get" ->
 * getCommand, "config|get" -> configGetCommand, "client|no-evict" ->
 * clientNoEvictCommand, "georadius_ro" -> georadiusRoCommand,
 * "restore-asking" -> restoreAskingCommand. The "function" field of the JSON
 * file is authoritative.
 *
 * Everything here is static after commandTableInit(): the table is never
 * freed, and lookups return pointers into it. Only the runtime statistics
 * (calls, microseconds, ...) change. Not thread-safe (main thread only). */
#ifndef CAIRN_COMMANDS_H
#define CAIRN_COMMANDS_H
#include <stddef.h>
#include <stdint.h>
#include "dstr.h"

typedef struct client client;
typedef void commandProc(client *c);

/* ---- command flags: one bit per Redis flag name -----------------------------
 * COMMAND INFO prints them lowercase in bit order ("movablekeys" for
 * CMD_MOVABLE_KEYS); MAY_REPLICATE, SENTINEL, ONLY_SENTINEL, PROTECTED,
 * MODULE_GETKEYS, MODULE_NO_CLUSTER, MODULE_GETCHANNELS and
 * TOUCHES_ARBITRARY_KEYS are never printed, as in Redis. */
#define CMD_WRITE (1ULL << 0)
#define CMD_READONLY (1ULL << 1)
#define CMD_DENYOOM (1ULL << 2)
#define CMD_MODULE (1ULL << 3)
#define CMD_ADMIN (1ULL << 4)
#define CMD_PUBSUB (1ULL << 5)
#define CMD_NOSCRIPT (1ULL << 6)
#define CMD_BLOCKING (1ULL << 7)
#define CMD_LOADING (1ULL << 8)
#define CMD_STALE (1ULL << 9)
#define CMD_SKIP_MONITOR (1ULL << 10)
#define CMD_SKIP_SLOWLOG (1ULL << 11)
#define CMD_ASKING (1ULL << 12)
#define CMD_FAST (1ULL << 13)
#define CMD_NO_AUTH (1ULL << 14)
#define CMD_MAY_REPLICATE (1ULL << 15)
#define CMD_SENTINEL (1ULL << 16)
#define CMD_ONLY_SENTINEL (1ULL << 17)
#define CMD_NO_MANDATORY_KEYS (1ULL << 18)
#define CMD_PROTECTED (1ULL << 19)
#define CMD_MODULE_GETKEYS (1ULL << 20)
#define CMD_MODULE_NO_CLUSTER (1ULL << 21)
#define CMD_NO_ASYNC_LOADING (1ULL << 22)
#define CMD_NO_MULTI (1ULL << 23)
#define CMD_MOVABLE_KEYS (1ULL << 24)
#define CMD_ALLOW_BUSY (1ULL << 25)
#define CMD_MODULE_GETCHANNELS (1ULL << 26)
#define CMD_TOUCHES_ARBITRARY_KEYS (1ULL << 27)
#define CMD_FLAG_COUNT 28

/* ---- ACL categories: one bit per category, in Redis's order ---------------
 * COMMAND INFO prints them as "@<name>" in bit order. */
#define ACL_CATEGORY_KEYSPACE (1ULL << 0)
#define ACL_CATEGORY_READ (1ULL << 1)
#define ACL_CATEGORY_WRITE (1ULL << 2)
#define ACL_CATEGORY_SET (1ULL << 3)
#define ACL_CATEGORY_SORTEDSET (1ULL << 4)
#define ACL_CATEGORY_LIST (1ULL << 5)
#define ACL_CATEGORY_HASH (1ULL << 6)
#define ACL_CATEGORY_STRING (1ULL << 7)
#define ACL_CATEGORY_BITMAP (1ULL << 8)
#define ACL_CATEGORY_HYPERLOGLOG (1ULL << 9)
#define ACL_CATEGORY_GEO (1ULL << 10)
#define ACL_CATEGORY_STREAM (1ULL << 11)
#define ACL_CATEGORY_PUBSUB (1ULL << 12)
#define ACL_CATEGORY_ADMIN (1ULL << 13)
#define ACL_CATEGORY_FAST (1ULL << 14)
#define ACL_CATEGORY_SLOW (1ULL << 15)
#define ACL_CATEGORY_BLOCKING (1ULL << 16)
#define ACL_CATEGORY_DANGEROUS (1ULL << 17)
#define ACL_CATEGORY_CONNECTION (1ULL << 18)
#define ACL_CATEGORY_TRANSACTION (1ULL << 19)
#define ACL_CATEGORY_SCRIPTING (1ULL << 20)
#define ACL_CATEGORY_COUNT 21

/* ---- documentation flags (COMMAND DOCS "doc_flags") ----------------------- */
#define CMD_DOC_DEPRECATED (1ULL << 0) /* printed "deprecated" */
#define CMD_DOC_SYSCMD (1ULL << 1)     /* printed "syscmd" */
#define CMD_DOC_FLAG_COUNT 2

/* ---- key spec flags (Redis 7 key specifications) --------------------------
 * Printed by COMMAND INFO as RO RW OW RM access update insert delete not_key
 * incomplete variable_flags (in this bit order). RO/RW/OW/RM say what is done
 * with the key's value; ACCESS = the value is returned to the user, UPDATE /
 * INSERT / DELETE = kind of write; NOT_KEY = the argument is not a key
 * (shard channels); INCOMPLETE = the spec may not find every key;
 * VARIABLE_FLAGS = the flags depend on other arguments (see getkeys below). */
#define CMD_KEY_RO (1ULL << 0)
#define CMD_KEY_RW (1ULL << 1)
#define CMD_KEY_OW (1ULL << 2)
#define CMD_KEY_RM (1ULL << 3)
#define CMD_KEY_ACCESS (1ULL << 4)
#define CMD_KEY_UPDATE (1ULL << 5)
#define CMD_KEY_INSERT (1ULL << 6)
#define CMD_KEY_DELETE (1ULL << 7)
#define CMD_KEY_NOT_KEY (1ULL << 8)
#define CMD_KEY_INCOMPLETE (1ULL << 9)
#define CMD_KEY_VARIABLE_FLAGS (1ULL << 10)
#define CMD_KEY_FLAG_COUNT 11

/* begin_search: where the first key (or the keyword before it) is. */
typedef enum {
    KSPEC_BS_UNKNOWN = 0, /* cannot be described (keys found by a getkeys procedure) */
    KSPEC_BS_INDEX,       /* bs.index.pos: fixed argument index (argv[0] is the name) */
    KSPEC_BS_KEYWORD      /* bs.keyword: search for `keyword` (case-insensitive) from
                           * index `startfrom`, backwards from the end when negative;
                           * the keys start right after it */
} keySpecBeginSearch;

/* find_keys: how many keys follow the begin_search point. */
typedef enum {
    KSPEC_FK_UNKNOWN = 0,
    KSPEC_FK_RANGE, /* fk.range: last key at first+lastkey (lastkey >= 0) or counted from
                     * the end (lastkey < 0: -1 = the last argument); when lastkey is -1
                     * and limit > 1 only 1/limit of the remaining arguments are keys
                     * (XREAD STREAMS); keys every `keystep` arguments */
    KSPEC_FK_KEYNUM /* fk.keynum: the key count is the integer at first+keynumidx, the
                     * first key at first+firstkey, then every `keystep` arguments */
} keySpecFindKeys;

typedef struct keySpec {
    const char *notes; /* free text, NULL if none */
    uint64_t flags;    /* CMD_KEY_* */
    keySpecBeginSearch bs_type;
    union {
        struct { int pos; } index;
        struct { const char *keyword; int startfrom; } keyword;
    } bs;
    keySpecFindKeys fk_type;
    union {
        struct { int lastkey, keystep, limit; } range;
        struct { int keynumidx, firstkey, keystep; } keynum;
    } fk;
} keySpec;

/* ---- arguments (COMMAND DOCS "arguments") --------------------------------- */
typedef enum {
    ARG_TYPE_STRING = 0,
    ARG_TYPE_INTEGER,
    ARG_TYPE_DOUBLE,
    ARG_TYPE_KEY,       /* key_spec_index says which key spec covers it */
    ARG_TYPE_PATTERN,
    ARG_TYPE_UNIX_TIME,
    ARG_TYPE_PURE_TOKEN, /* just the token, no value */
    ARG_TYPE_ONEOF,      /* exactly one of subargs */
    ARG_TYPE_BLOCK       /* all of subargs, in order */
} commandArgType;

#define CMD_ARG_OPTIONAL (1 << 0)       /* printed "optional" */
#define CMD_ARG_MULTIPLE (1 << 1)       /* "multiple" */
#define CMD_ARG_MULTIPLE_TOKEN (1 << 2) /* "multiple_token": the token repeats */

typedef struct commandArg {
    const char *name;
    commandArgType type;
    int key_spec_index;       /* -1 unless type is ARG_TYPE_KEY */
    const char *token;        /* NULL if none */
    const char *summary;      /* NULL if none */
    const char *since;        /* NULL if none */
    int flags;                /* CMD_ARG_* */
    const char *deprecated_since; /* NULL if none */
    const char *display_text; /* NULL if none */
    const struct commandArg *subargs; /* for ONEOF / BLOCK, else NULL */
    int num_args;             /* entries in subargs */
} commandArg;

/* Key extraction for commands whose keys key specs cannot describe (or whose
 * key flags depend on the arguments). argv[0] is the command name. Writes the
 * positions (and CMD_KEY_* flags, when keyflags is not NULL) of at most
 * `maxkeys` keys and returns how many keys the command has (may exceed
 * maxkeys), or -1 when the arguments do not match the command's syntax. */
typedef int commandGetKeysProc(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);

typedef struct command {
    const char *declared_name; /* "get"; "get" for "config|get" */
    const char *fullname;      /* "get", "config|get" */
    const char *summary, *since, *group, *complexity; /* NULL when absent */
    const char *deprecated_since, *replaced_by;        /* NULL when absent */
    uint64_t doc_flags;                                /* CMD_DOC_* */
    const char *const *history; int num_history;      /* 2*num_history strings: version, text */
    const char *const *tips; int num_tips;            /* e.g. "request_policy:all_shards" */
    commandProc *proc;         /* NULL for a container without its own handler */
    int arity;                 /* argc including the name (and the subcommand name);
                                * negative = at least -arity */
    uint64_t flags, acl_categories;                    /* CMD_*, ACL_CATEGORY_* */
    const keySpec *key_specs; int key_specs_num;
    const commandArg *args; int num_args;
    commandGetKeysProc *getkeys_proc;                  /* NULL if none */
    struct command *subcommands; int num_subcommands;  /* implemented ones, sorted by name */
    struct command *parent;                            /* container, NULL at top level */
    /* Legacy key range printed by COMMAND INFO (first, last, step), derived
     * from the key specs by commandTableInit(); 0,0,0 when there is none. */
    int legacy_first, legacy_last, legacy_step;
    /* runtime statistics, zeroed at start and by CONFIG RESETSTAT */
    long long calls, microseconds, rejected_calls, failed_calls;
} command;

/* The generated table (build/gen/commands_table.c): top-level commands in name
 * order. Use the functions below rather than these. */
extern command commandTable[];
extern const int commandTableCount;

/* Build the name index, parent links and legacy key ranges. Call once at
 * start-up before any lookup; later calls do nothing. Aborts (out of memory
 * only) through zmalloc. */
void commandTableInit(void);

/* Top-level command by name (`len` bytes, ASCII case-insensitive, binary
 * safe: a name with a NUL byte matches nothing). NULL if unknown. */
command *commandLookup(const char *name, size_t len);
/* Subcommand of `parent` by name (case-insensitive). NULL if `parent` has no
 * such (implemented) subcommand. */
command *commandLookupSubcommand(command *parent, const char *name, size_t len);
/* The command named by argv the way Redis resolves a request: argv[0] is the
 * command; if it is a container and argc >= 2, argv[1] names the subcommand
 * (NULL if unknown); a container with argc == 1 resolves to itself. NULL if
 * argv[0] is unknown or argc < 1. */
command *commandLookupByArgv(dstr *argv, int argc);
/* A command by its full name as COMMAND INFO/DOCS accept it: "get" or
 * "config|get" (case-insensitive). NULL if unknown, or if the part before '|'
 * has no such subcommand. */
command *commandLookupByFullname(const char *name, size_t len);

/* Set cmd->legacy_first/last/step from its key specs, the way Redis 7 derives
 * the (first key, last key, step) triple COMMAND INFO prints: a lone
 * index+range spec as is (last < 0 counts from the end); otherwise the
 * consecutive index+range specs of step 1 merged; 0,0,0 if none.
 * commandTableInit() does this for the whole table. */
void commandComputeLegacyRange(command *cmd);

/* Number of top-level commands (COMMAND COUNT). */
int commandCount(void);
/* All top-level commands, sorted by name; *count receives the number. The
 * array belongs to the table (do not free). */
command **commandAll(int *count);
/* Zero calls/microseconds/rejected_calls/failed_calls of every command and
 * subcommand (CONFIG RESETSTAT). */
void commandResetStats(void);

/* ---- names for printing ----------------------------------------------------
 * All return static strings, or NULL for a bit/value that has no name. */
const char *commandFlagName(uint64_t flag);          /* "write", "movablekeys", ... */
int commandFlagIsVisible(uint64_t flag);             /* printed by COMMAND INFO? */
const char *commandAclCategoryName(uint64_t cat);    /* "keyspace" (no '@') */
/* ACL_CATEGORY_* bit for a category name without '@' (case-insensitive), 0 if unknown. */
uint64_t commandAclCategoryByName(const char *name, size_t len);
const char *commandKeySpecFlagName(uint64_t flag);   /* "RO", "access", ... as COMMAND INFO prints */
const char *commandDocFlagName(uint64_t flag);       /* "deprecated", "syscmd" */
const char *commandArgTypeName(commandArgType type); /* "string", "unix-time", "pure-token", ... */
/* Command group by index 0..COMMAND_GROUP_COUNT-1 ("generic", "string", "list",
 * "set", "sorted-set", "hash", "pubsub", "transactions", "connection",
 * "server", "scripting", "hyperloglog", "cluster", "sentinel", "geo",
 * "stream", "bitmap", "module"), NULL out of range. */
#define COMMAND_GROUP_COUNT 18
const char *commandGroupName(int index);

/* ---- keys of a request --------------------------------------------------------
 * Key positions of the request argv[0..argc-1] (argv[0] is the command name;
 * for a subcommand argv[1] is its name), the way Redis 7 finds them: from the
 * key specs when all of them can be applied to these arguments, otherwise
 * (specs that are unknown / incomplete / out of range, or VARIABLE_FLAGS) from
 * the command's getkeys procedure. Specs flagged NOT_KEY are skipped.
 * Writes at most `maxkeys` positions into keyidx (and the matching CMD_KEY_*
 * flags into keyflags when not NULL). Returns the number of keys the request
 * has (which may exceed maxkeys; call again with more room), 0 for none, or
 * -1 when the arguments do not fit the command's key layout (e.g. numkeys
 * larger than the arguments given). The caller checks arity first. */
int commandGetKeys(command *cmd, dstr *argv, int argc, int *keyidx, int maxkeys);
int commandGetKeysWithFlags(command *cmd, dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);
/* Does the command take key arguments at all (a key spec that is not NOT_KEY,
 * or a getkeys procedure)? COMMAND GETKEYS refuses the others. */
int commandHasKeys(const command *cmd);

/* getkeys procedures named by the "get_keys_function" field of the JSON
 * files (see commandGetKeysProc). */
int setGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);
int bitfieldGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);
int migrateGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);
int sortGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);
int sortRoGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);
int georadiusGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);
int xreadGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys);

/* COMMAND and its subcommands (src/cmd_command.c). */
void commandCommand(client *c);
void commandCountCommand(client *c);
void commandInfoCommand(client *c);
void commandDocsCommand(client *c);
void commandListCommand(client *c);
void commandGetkeysCommand(client *c);
void commandGetkeysandflagsCommand(client *c);
void commandHelpCommand(client *c);

#endif
