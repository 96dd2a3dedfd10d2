/* commands: name index over the generated command table, printing names,
 * legacy key ranges and key extraction (see commands.h). */
#include "commands.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "zmalloc.h"

/* ---- name tables ------------------------------------------------------------ */

static const char *const flag_names[CMD_FLAG_COUNT] = {
    "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
    "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "may_replicate", "sentinel", "only_sentinel",
    "no_mandatory_keys", "protected", "module_getkeys", "module_no_cluster", "no_async_loading", "no_multi",
    "movablekeys", "allow_busy", "module_getchannels", "touches_arbitrary_keys",
};

/* Flags COMMAND INFO never shows (Redis hides them on purpose). */
#define CMD_HIDDEN_FLAGS                                                                                          \
    (CMD_MAY_REPLICATE | CMD_SENTINEL | CMD_ONLY_SENTINEL | CMD_PROTECTED | CMD_MODULE_GETKEYS |                 \
     CMD_MODULE_NO_CLUSTER | CMD_MODULE_GETCHANNELS | CMD_TOUCHES_ARBITRARY_KEYS)

static const char *const acl_names[ACL_CATEGORY_COUNT] = {
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
    "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
};

static const char *const keyspec_flag_names[CMD_KEY_FLAG_COUNT] = {
    "RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags",
};

static const char *const doc_flag_names[CMD_DOC_FLAG_COUNT] = {"deprecated", "syscmd"};

static const char *const arg_type_names[] = {
    "string", "integer", "double", "key", "pattern", "unix-time", "pure-token", "oneof", "block",
};

static const char *const group_names[COMMAND_GROUP_COUNT] = {
    "generic", "string", "list", "set", "sorted-set", "hash", "pubsub", "transactions", "connection",
    "server", "scripting", "hyperloglog", "cluster", "sentinel", "geo", "stream", "bitmap", "module",
};

/* Index of the single set bit of `bit`, or -1 if `bit` is not a power of two. */
static int bitIndex(uint64_t bit) {
    if (bit == 0 || (bit & (bit - 1))) return -1;
    int i = 0;
    while (!(bit & 1)) {
        bit >>= 1;
        i++;
    }
    return i;
}

const char *commandFlagName(uint64_t flag) {
    int i = bitIndex(flag);
    return (i >= 0 && i < CMD_FLAG_COUNT) ? flag_names[i] : NULL;
}

int commandFlagIsVisible(uint64_t flag) {
    return commandFlagName(flag) != NULL && !(flag & CMD_HIDDEN_FLAGS);
}

const char *commandAclCategoryName(uint64_t cat) {
    int i = bitIndex(cat);
    return (i >= 0 && i < ACL_CATEGORY_COUNT) ? acl_names[i] : NULL;
}

uint64_t commandAclCategoryByName(const char *name, size_t len) {
    for (int i = 0; i < ACL_CATEGORY_COUNT; i++)
        if (strlen(acl_names[i]) == len && !strncasecmp(acl_names[i], name, len)) return 1ULL << i;
    return 0;
}

const char *commandKeySpecFlagName(uint64_t flag) {
    int i = bitIndex(flag);
    return (i >= 0 && i < CMD_KEY_FLAG_COUNT) ? keyspec_flag_names[i] : NULL;
}

const char *commandDocFlagName(uint64_t flag) {
    int i = bitIndex(flag);
    return (i >= 0 && i < CMD_DOC_FLAG_COUNT) ? doc_flag_names[i] : NULL;
}

const char *commandArgTypeName(commandArgType type) {
    if ((int)type < 0 || (size_t)type >= sizeof(arg_type_names) / sizeof(arg_type_names[0])) return NULL;
    return arg_type_names[type];
}

const char *commandGroupName(int index) {
    return (index >= 0 && index < COMMAND_GROUP_COUNT) ? group_names[index] : NULL;
}

/* ---- name index ----------------------------------------------------------------
 * Open addressing over the top-level commands: a power-of-two slot array at
 * most half full, FNV-1a of the lower-cased name, linear probing. */

static command **index_slots;
static unsigned index_mask;
static command **all_sorted;
static int initialized;

static uint32_t nameHash(const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch + 32);
        h ^= ch;
        h *= 16777619u;
    }
    return h;
}

/* Case-insensitive equality of a NUL-terminated name with `len` bytes. */
static int nameEquals(const char *cname, const char *s, size_t len) {
    size_t i = 0;
    for (; i < len; i++) {
        unsigned char a = (unsigned char)cname[i], b = (unsigned char)s[i];
        if (a == 0) return 0;
        if (a >= 'A' && a <= 'Z') a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
        if (a != b) return 0;
    }
    return cname[i] == '\0';
}

/* See commands.h. A single index+range spec is used as is. With several
 * specs, the index+range ones of step 1 that follow each other (each starting
 * right after the previous last key) are merged: first = smallest start,
 * last = the furthest last key, a negative (counted from the end) last key
 * reaching furthest. Other specs contribute nothing. */
void commandComputeLegacyRange(command *cmd) {
    cmd->legacy_first = cmd->legacy_last = cmd->legacy_step = 0;
    if (cmd->key_specs_num == 0) return;
    const keySpec *ks = cmd->key_specs;
    if (cmd->key_specs_num == 1 && ks[0].bs_type == KSPEC_BS_INDEX && ks[0].fk_type == KSPEC_FK_RANGE) {
        cmd->legacy_first = ks[0].bs.index.pos;
        cmd->legacy_last = ks[0].fk.range.lastkey < 0 ? ks[0].fk.range.lastkey
                                                     : ks[0].bs.index.pos + ks[0].fk.range.lastkey;
        cmd->legacy_step = ks[0].fk.range.keystep;
        return;
    }
    int first = -1, last = 0, prev_last = 0;
    for (int i = 0; i < cmd->key_specs_num; i++) {
        if (ks[i].bs_type != KSPEC_BS_INDEX || ks[i].fk_type != KSPEC_FK_RANGE) continue;
        if (ks[i].fk.range.keystep != 1) continue;
        if (prev_last && prev_last != ks[i].bs.index.pos - 1) continue;
        int pos = ks[i].bs.index.pos;
        if (first < 0 || pos < first) first = pos;
        int abs_last = ks[i].fk.range.lastkey >= 0 ? pos + ks[i].fk.range.lastkey : ks[i].fk.range.lastkey;
        if ((unsigned)abs_last > (unsigned)last) last = abs_last;
        prev_last = last;
    }
    if (first < 0) return;
    cmd->legacy_first = first;
    cmd->legacy_last = last;
    cmd->legacy_step = 1;
}

static int compareByName(const void *a, const void *b) {
    const command *x = *(command *const *)a, *y = *(command *const *)b;
    return strcasecmp(x->fullname, y->fullname);
}

void commandTableInit(void) {
    if (initialized) return;
    initialized = 1;
    int n = commandTableCount;
    unsigned size = 16;
    while (size < (unsigned)n * 2) size <<= 1;
    index_slots = zcalloc(sizeof(command *) * size);
    index_mask = size - 1;
    all_sorted = zmalloc(sizeof(command *) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        command *cmd = &commandTable[i];
        cmd->parent = NULL;
        commandComputeLegacyRange(cmd);
        for (int j = 0; j < cmd->num_subcommands; j++) {
            cmd->subcommands[j].parent = cmd;
            commandComputeLegacyRange(&cmd->subcommands[j]);
        }
        const char *name = cmd->declared_name;
        unsigned slot = nameHash(name, strlen(name)) & index_mask;
        while (index_slots[slot]) slot = (slot + 1) & index_mask;
        index_slots[slot] = cmd;
        all_sorted[i] = cmd;
    }
    qsort(all_sorted, (size_t)n, sizeof(command *), compareByName);
}

command *commandLookup(const char *name, size_t len) {
    if (!index_slots || !name) return NULL;
    unsigned slot = nameHash(name, len) & index_mask;
    while (index_slots[slot]) {
        if (nameEquals(index_slots[slot]->declared_name, name, len)) return index_slots[slot];
        slot = (slot + 1) & index_mask;
    }
    return NULL;
}

command *commandLookupSubcommand(command *parent, const char *name, size_t len) {
    if (!parent || !name) return NULL;
    for (int i = 0; i < parent->num_subcommands; i++)
        if (nameEquals(parent->subcommands[i].declared_name, name, len)) return &parent->subcommands[i];
    return NULL;
}

command *commandLookupByArgv(dstr *argv, int argc) {
    if (argc < 1 || !argv) return NULL;
    command *base = commandLookup(argv[0], dstrlen(argv[0]));
    if (!base) return NULL;
    if (argc == 1 || base->num_subcommands == 0) return base;
    return commandLookupSubcommand(base, argv[1], dstrlen(argv[1]));
}

command *commandLookupByFullname(const char *name, size_t len) {
    const char *bar = memchr(name, '|', len);
    if (!bar) return commandLookup(name, len);
    command *base = commandLookup(name, (size_t)(bar - name));
    if (!base || base->num_subcommands == 0) return NULL;
    const char *sub = bar + 1;
    return commandLookupSubcommand(base, sub, len - (size_t)(sub - name));
}

int commandCount(void) {
    return commandTableCount;
}

command **commandAll(int *count) {
    if (count) *count = all_sorted ? commandTableCount : 0;
    return all_sorted;
}

void commandResetStats(void) {
    for (int i = 0; i < commandTableCount; i++) {
        command *cmd = &commandTable[i];
        cmd->calls = cmd->microseconds = cmd->rejected_calls = cmd->failed_calls = 0;
        for (int j = 0; j < cmd->num_subcommands; j++) {
            command *sub = &cmd->subcommands[j];
            sub->calls = sub->microseconds = sub->rejected_calls = sub->failed_calls = 0;
        }
    }
}

/* ---- key extraction ------------------------------------------------------------- */

/* Collects key positions: stores the first `max` and counts all of them. */
typedef struct keyOut {
    int *idx;
    uint64_t *flags;
    int max, n;
} keyOut;

static void addKey(keyOut *o, int pos, uint64_t flags) {
    if (o->n < o->max) {
        o->idx[o->n] = pos;
        if (o->flags) o->flags[o->n] = flags;
    }
    o->n++;
}

static int argIs(const dstr arg, const char *word) {
    return nameEquals(word, arg, dstrlen(arg));
}

/* Apply every key spec. Returns 0 with the keys in `o`, or -1 if a spec cannot
 * be applied to these arguments (unknown type, keyword-found keys out of
 * range, bad numkeys, INCOMPLETE). */
static int keysFromSpecs(const command *cmd, dstr *argv, int argc, keyOut *o) {
    for (int s = 0; s < cmd->key_specs_num; s++) {
        const keySpec *ks = &cmd->key_specs[s];
        if (ks->flags & CMD_KEY_NOT_KEY) continue;
        int first = 0;
        if (ks->bs_type == KSPEC_BS_INDEX) {
            first = ks->bs.index.pos;
        } else if (ks->bs_type == KSPEC_BS_KEYWORD) {
            /* Forward search covers [startfrom, argc-2], backward search
             * [argc+startfrom, 2]: a keyword cannot be the last argument
             * (forward) nor argv[1] (backward). */
            int from = ks->bs.keyword.startfrom;
            if (from > 0) {
                for (int i = from; i < argc - 1; i++)
                    if (argIs(argv[i], ks->bs.keyword.keyword)) {
                        first = i + 1;
                        break;
                    }
            } else {
                for (int i = argc + from; i > 1; i--) {
                    if (i >= argc) continue;
                    if (argIs(argv[i], ks->bs.keyword.keyword)) {
                        first = i + 1;
                        break;
                    }
                }
            }
            if (!first) continue; /* keyword absent: this spec has no keys */
        } else {
            return -1;
        }

        long long last, step = ks->fk_type == KSPEC_FK_RANGE    ? ks->fk.range.keystep
                               : ks->fk_type == KSPEC_FK_KEYNUM ? ks->fk.keynum.keystep
                                                                : 1;
        if (step < 1) return -1;
        if (ks->fk_type == KSPEC_FK_RANGE) {
            if (ks->fk.range.lastkey >= 0) {
                last = (long long)first + ks->fk.range.lastkey;
            } else if (ks->fk.range.limit <= 1) {
                last = (long long)argc + ks->fk.range.lastkey;
            } else {
                last = first + ((long long)(argc - first) / ks->fk.range.limit + ks->fk.range.lastkey);
            }
        } else if (ks->fk_type == KSPEC_FK_KEYNUM) {
            if (ks->fk.keynum.keynumidx >= argc - first) return -1;
            dstr numarg = argv[first + ks->fk.keynum.keynumidx];
            long long numkeys;
            if (!string2ll(numarg, dstrlen(numarg), &numkeys) || numkeys < 0) return -1;
            if (numkeys > argc) return -1; /* cannot fit; also keeps the arithmetic small */
            first += ks->fk.keynum.firstkey;
            last = first + (numkeys - 1) * step;
        } else {
            return -1;
        }
        if (first >= argc || last >= argc || last < first) return -1;
        for (long long i = first; i <= last; i += step) addKey(o, (int)i, ks->flags);
        if (ks->flags & CMD_KEY_INCOMPLETE) return -1;
    }
    return 0;
}

int commandHasKeys(const command *cmd) {
    if (!cmd) return 0;
    if (cmd->getkeys_proc) return 1;
    for (int i = 0; i < cmd->key_specs_num; i++)
        if (!(cmd->key_specs[i].flags & CMD_KEY_NOT_KEY)) return 1;
    return 0;
}

int commandGetKeysWithFlags(command *cmd, dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    if (!cmd || !argv || argc < 1) return -1;
    if (maxkeys < 0) maxkeys = 0;
    int usable = 0, varflags = 0;
    for (int i = 0; i < cmd->key_specs_num; i++) {
        if (!(cmd->key_specs[i].flags & CMD_KEY_NOT_KEY)) usable = 1;
        if (cmd->key_specs[i].flags & CMD_KEY_VARIABLE_FLAGS) varflags = 1;
    }
    if (usable && !varflags) {
        keyOut o = {keyidx, keyflags, maxkeys, 0};
        if (keysFromSpecs(cmd, argv, argc, &o) == 0) return o.n;
    }
    if (cmd->getkeys_proc) return cmd->getkeys_proc(argv, argc, keyidx, keyflags, maxkeys);
    return (usable && !varflags) ? -1 : 0;
}

int commandGetKeys(command *cmd, dstr *argv, int argc, int *keyidx, int maxkeys) {
    return commandGetKeysWithFlags(cmd, argv, argc, keyidx, NULL, maxkeys);
}

/* SET key value [...]: RW+ACCESS+UPDATE when a GET argument is present (the
 * old value is returned), otherwise OW+UPDATE. */
int setGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    if (argc < 2) return -1;
    uint64_t fl = CMD_KEY_OW | CMD_KEY_UPDATE;
    for (int i = 3; i < argc; i++)
        if (argIs(argv[i], "get")) {
            fl = CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_UPDATE;
            break;
        }
    keyOut o = {keyidx, keyflags, maxkeys, 0};
    addKey(&o, 1, fl);
    return o.n;
}

/* BITFIELD key [GET enc off | SET enc off val | INCRBY enc off incr | OVERFLOW x]...:
 * read-only (RO+ACCESS) when only GET / OVERFLOW operations are well formed,
 * otherwise RW+ACCESS+UPDATE (a malformed request is assumed to write). */
int bitfieldGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    if (argc < 2) return -1;
    int readonly = 1;
    for (int i = 2; i < argc; i++) {
        int rest = argc - i - 1;
        if (argIs(argv[i], "get") && rest >= 2) {
            i += 2;
        } else if ((argIs(argv[i], "set") || argIs(argv[i], "incrby")) && rest >= 3) {
            readonly = 0;
            break;
        } else if (argIs(argv[i], "overflow") && rest >= 1) {
            i += 1;
        } else {
            readonly = 0;
            break;
        }
    }
    keyOut o = {keyidx, keyflags, maxkeys, 0};
    addKey(&o, 1, readonly ? (CMD_KEY_RO | CMD_KEY_ACCESS) : (CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_UPDATE));
    return o.n;
}

/* MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw]
 * [KEYS key...]: the keys after KEYS when present (argv[3] is then ""), else
 * argv[3]. */
int migrateGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    if (argc < 6) return -1;
    int first = 3, num = 1;
    for (int i = 6; i < argc; i++) {
        if (argIs(argv[i], "keys")) {
            if (dstrlen(argv[3]) > 0) return -1;
            first = i + 1;
            num = argc - first;
            break;
        }
        if (argIs(argv[i], "auth")) i += 1;
        else if (argIs(argv[i], "auth2")) i += 2;
    }
    keyOut o = {keyidx, keyflags, maxkeys, 0};
    for (int i = 0; i < num; i++) addKey(&o, first + i, CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_DELETE);
    return o.n;
}

/* SORT key [BY p] [LIMIT off cnt] [GET p]... [ASC|DESC] [ALPHA] [STORE dst]:
 * the key, plus the destination of the last STORE. BY/GET patterns are not
 * reported (they depend on the data). */
static int sortKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys, int with_store) {
    if (argc < 2) return -1;
    int store = -1;
    for (int i = 2; i < argc; i++) {
        if (argIs(argv[i], "limit")) i += 2;
        else if (argIs(argv[i], "get") || argIs(argv[i], "by")) i += 1;
        else if (with_store && argIs(argv[i], "store") && i + 1 < argc) store = i + 1;
    }
    keyOut o = {keyidx, keyflags, maxkeys, 0};
    addKey(&o, 1, CMD_KEY_RO | CMD_KEY_ACCESS);
    if (store >= 0) addKey(&o, store, CMD_KEY_OW | CMD_KEY_UPDATE);
    return o.n;
}

int sortGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    return sortKeys(argv, argc, keyidx, keyflags, maxkeys, 1);
}

int sortRoGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    return sortKeys(argv, argc, keyidx, keyflags, maxkeys, 0);
}

/* GEORADIUS / GEORADIUSBYMEMBER: the source key, plus the destination of the
 * last STORE / STOREDIST option that has a value. */
int georadiusGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    if (argc < 2) return -1;
    int store = -1;
    for (int i = 5; i < argc; i++) {
        if ((argIs(argv[i], "store") || argIs(argv[i], "storedist")) && i + 1 < argc) {
            store = i + 1;
            i++;
        }
    }
    keyOut o = {keyidx, keyflags, maxkeys, 0};
    addKey(&o, 1, CMD_KEY_RO | CMD_KEY_ACCESS);
    if (store >= 0) addKey(&o, store, CMD_KEY_OW | CMD_KEY_UPDATE);
    return o.n;
}

/* XREAD / XREADGROUP [COUNT n] [BLOCK ms] [GROUP g c] [NOACK] STREAMS k... id...:
 * the first half of the arguments after STREAMS; -1 when STREAMS is missing
 * or the number of keys and IDs differ. */
int xreadGetKeys(dstr *argv, int argc, int *keyidx, uint64_t *keyflags, int maxkeys) {
    int streams = -1;
    for (int i = 1; i < argc; i++) {
        if (argIs(argv[i], "block") || argIs(argv[i], "count")) i += 1;
        else if (argIs(argv[i], "group")) i += 2;
        else if (argIs(argv[i], "noack")) continue;
        else if (argIs(argv[i], "streams")) {
            streams = i;
            break;
        } else break;
    }
    if (streams < 0) return -1;
    int rest = argc - streams - 1;
    if (rest == 0 || rest % 2) return -1;
    keyOut o = {keyidx, keyflags, maxkeys, 0};
    for (int i = 0; i < rest / 2; i++) addKey(&o, streams + 1 + i, CMD_KEY_RO | CMD_KEY_ACCESS);
    return o.n;
}
