/* Unit tests for src/commands.c: the name index over the generated table,
 * printing names, legacy key ranges and key extraction from key specs and
 * getkeys procedures. The table part only assumes the COMMAND family is
 * implemented (src/cmd_command.c); key extraction uses hand-made commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "dstr.h"
#include "zmalloc.h"

/* ---- helpers --------------------------------------------------------------- */

#define MAXARGS 32
typedef struct { dstr v[MAXARGS]; int n; } args;

/* Split a space-separated request into dstrs ("" for an empty argument is
 * written as two quotes). */
static args mkargs(const char *line) {
    args a = {.n = 0};
    const char *p = line;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ' ') e++;
        if (e - p == 2 && p[0] == '"' && p[1] == '"') a.v[a.n++] = dstrempty();
        else a.v[a.n++] = dstrnewlen(p, (size_t)(e - p));
        p = e;
    }
    return a;
}

static void freeargs(args *a) {
    for (int i = 0; i < a->n; i++) dstrfree(a->v[i]);
    a->n = 0;
}

/* Keys of `line` for `cmd` as a space-separated string of argument texts, or
 * "ERR" when commandGetKeys returns -1. */
static char *keystr(command *cmd, const char *line, char *out, size_t outlen) {
    args a = mkargs(line);
    int idx[MAXARGS];
    int n = commandGetKeys(cmd, a.v, a.n, idx, MAXARGS);
    out[0] = '\0';
    if (n < 0) {
        snprintf(out, outlen, "ERR");
    } else {
        for (int i = 0; i < n; i++) {
            assert_true(idx[i] > 0 && idx[i] < a.n);
            if (i) strncat(out, " ", outlen - strlen(out) - 1);
            strncat(out, a.v[idx[i]], outlen - strlen(out) - 1);
        }
    }
    freeargs(&a);
    return out;
}

#define ASSERT_KEYS(cmd, line, expect)                                                                           \
    do {                                                                                                         \
        char buf_[256];                                                                                          \
        assert_string_equal(keystr((cmd), (line), buf_, sizeof(buf_)), (expect));                               \
    } while (0)

static command mkcmd(const char *name, int arity, uint64_t flags, const keySpec *ks, int nks) {
    command c;
    memset(&c, 0, sizeof(c));
    c.declared_name = c.fullname = name;
    c.arity = arity;
    c.flags = flags;
    c.key_specs = ks;
    c.key_specs_num = nks;
    return c;
}

#define IDX(p) .bs_type = KSPEC_BS_INDEX, .bs.index = {p}
#define KW(k, s) .bs_type = KSPEC_BS_KEYWORD, .bs.keyword = {k, s}
#define RANGE(l, s, lim) .fk_type = KSPEC_FK_RANGE, .fk.range = {l, s, lim}
#define KEYNUM(i, f, s) .fk_type = KSPEC_FK_KEYNUM, .fk.keynum = {i, f, s}

/* ---- the generated table ----------------------------------------------------- */

static void test_table_lookup(void **state) {
    (void)state;
    commandTableInit();
    commandTableInit(); /* idempotent */
    int n;
    command **all = commandAll(&n);
    assert_int_equal(n, commandCount());
    assert_true(n >= 1);
    for (int i = 0; i < n; i++) {
        command *cmd = all[i];
        assert_ptr_equal(commandLookup(cmd->fullname, strlen(cmd->fullname)), cmd);
        assert_string_equal(cmd->declared_name, cmd->fullname);
        assert_null(cmd->parent);
        if (i) assert_true(strcasecmp(all[i - 1]->fullname, cmd->fullname) < 0);
        /* upper-case lookup */
        char up[64];
        size_t len = strlen(cmd->fullname);
        assert_true(len < sizeof(up));
        for (size_t k = 0; k <= len; k++) up[k] = (char)((cmd->fullname[k] >= 'a' && cmd->fullname[k] <= 'z')
                                                                 ? cmd->fullname[k] - 32 : cmd->fullname[k]);
        assert_ptr_equal(commandLookup(up, len), cmd);
        assert_ptr_equal(commandLookupByFullname(up, len), cmd);
        /* a prefix or an extension of the name is another name */
        assert_ptr_not_equal(commandLookup(cmd->fullname, len - 1), cmd);
        for (int j = 0; j < cmd->num_subcommands; j++) {
            command *sub = &cmd->subcommands[j];
            assert_ptr_equal(sub->parent, cmd);
            char full[128];
            snprintf(full, sizeof(full), "%s|%s", cmd->fullname, sub->declared_name);
            assert_string_equal(sub->fullname, full);
            assert_ptr_equal(commandLookupSubcommand(cmd, sub->declared_name, strlen(sub->declared_name)), sub);
            assert_ptr_equal(commandLookupByFullname(full, strlen(full)), sub);
            assert_null(sub->subcommands);
            if (j) assert_true(strcmp(cmd->subcommands[j - 1].declared_name, sub->declared_name) < 0);
        }
        if (cmd->num_subcommands == 0) {
            char bad[128];
            snprintf(bad, sizeof(bad), "%s|x", cmd->fullname);
            assert_null(commandLookupByFullname(bad, strlen(bad)));
        }
        assert_true(cmd->proc != NULL || cmd->num_subcommands > 0);
    }
    assert_null(commandLookup("no-such-command", 15));
    assert_null(commandLookup("", 0));
    assert_null(commandLookupByFullname("|", 1));
}

static void test_table_command_family(void **state) {
    (void)state;
    commandTableInit();
    command *cmd = commandLookup("CoMmAnD", 7);
    assert_non_null(cmd);
    assert_ptr_equal(cmd->proc, commandCommand);
    assert_int_equal(cmd->arity, -1);
    assert_true(cmd->flags & CMD_LOADING);
    assert_true(cmd->flags & CMD_SENTINEL);
    assert_true(cmd->acl_categories & ACL_CATEGORY_SLOW);
    assert_true(cmd->acl_categories & ACL_CATEGORY_CONNECTION);
    command *info = commandLookupSubcommand(cmd, "INFO", 4);
    assert_non_null(info);
    assert_ptr_equal(info->proc, commandInfoCommand);
    assert_string_equal(info->fullname, "command|info");
    assert_int_equal(info->num_history, 1);
    assert_string_equal(info->history[0], "7.0.0");
    command *gk = commandLookupByFullname("command|getkeys", 15);
    assert_non_null(gk);
    assert_int_equal(gk->arity, -3); /* Redis 7.2 */
    assert_int_equal(gk->num_args, 2);
    assert_string_equal(gk->args[1].name, "arg");
    assert_int_equal(gk->args[1].flags, CMD_ARG_OPTIONAL | CMD_ARG_MULTIPLE);
    /* a name with a NUL byte never matches */
    assert_null(commandLookup("command\0x", 9));
    assert_null(commandLookupSubcommand(cmd, "info\0", 5));
    /* argv resolution */
    args a = mkargs("command info get");
    assert_ptr_equal(commandLookupByArgv(a.v, 1), cmd);
    assert_ptr_equal(commandLookupByArgv(a.v, 3), info);
    assert_null(commandLookupByArgv(a.v, 0));
    freeargs(&a);
    a = mkargs("command nosuch");
    assert_null(commandLookupByArgv(a.v, 2));
    freeargs(&a);
    /* COMMAND has no keys; its legacy range is empty */
    assert_false(commandHasKeys(cmd));
    assert_int_equal(cmd->legacy_first, 0);
    assert_int_equal(cmd->legacy_step, 0);
}

static void test_reset_stats(void **state) {
    (void)state;
    commandTableInit();
    command *cmd = commandLookup("command", 7);
    command *sub = commandLookupSubcommand(cmd, "count", 5);
    cmd->calls = 5;
    cmd->microseconds = 7;
    sub->rejected_calls = 3;
    sub->failed_calls = 2;
    commandResetStats();
    assert_int_equal(cmd->calls, 0);
    assert_int_equal(cmd->microseconds, 0);
    assert_int_equal(sub->rejected_calls, 0);
    assert_int_equal(sub->failed_calls, 0);
}

/* ---- names ----------------------------------------------------------------------- */

static void test_names(void **state) {
    (void)state;
    assert_string_equal(commandFlagName(CMD_WRITE), "write");
    assert_string_equal(commandFlagName(CMD_MOVABLE_KEYS), "movablekeys");
    assert_string_equal(commandFlagName(CMD_TOUCHES_ARBITRARY_KEYS), "touches_arbitrary_keys");
    assert_null(commandFlagName(CMD_WRITE | CMD_READONLY));
    assert_null(commandFlagName(0));
    assert_null(commandFlagName(1ULL << 40));
    assert_true(commandFlagIsVisible(CMD_MOVABLE_KEYS));
    assert_true(commandFlagIsVisible(CMD_ALLOW_BUSY));
    assert_false(commandFlagIsVisible(CMD_SENTINEL));
    assert_false(commandFlagIsVisible(CMD_MAY_REPLICATE));
    assert_false(commandFlagIsVisible(CMD_PROTECTED));
    assert_false(commandFlagIsVisible(CMD_TOUCHES_ARBITRARY_KEYS));
    assert_string_equal(commandAclCategoryName(ACL_CATEGORY_SORTEDSET), "sortedset");
    assert_string_equal(commandAclCategoryName(ACL_CATEGORY_SCRIPTING), "scripting");
    assert_null(commandAclCategoryName(1ULL << ACL_CATEGORY_COUNT));
    assert_int_equal(commandAclCategoryByName("SortedSet", 9), ACL_CATEGORY_SORTEDSET);
    assert_int_equal(commandAclCategoryByName("keyspace", 8), ACL_CATEGORY_KEYSPACE);
    assert_int_equal(commandAclCategoryByName("keyspac", 7), 0);
    assert_int_equal(commandAclCategoryByName("@read", 5), 0);
    assert_string_equal(commandKeySpecFlagName(CMD_KEY_RO), "RO");
    assert_string_equal(commandKeySpecFlagName(CMD_KEY_ACCESS), "access");
    assert_string_equal(commandKeySpecFlagName(CMD_KEY_VARIABLE_FLAGS), "variable_flags");
    assert_string_equal(commandDocFlagName(CMD_DOC_SYSCMD), "syscmd");
    assert_string_equal(commandArgTypeName(ARG_TYPE_UNIX_TIME), "unix-time");
    assert_string_equal(commandArgTypeName(ARG_TYPE_PURE_TOKEN), "pure-token");
    assert_null(commandArgTypeName((commandArgType)99));
    assert_string_equal(commandGroupName(4), "sorted-set");
    assert_string_equal(commandGroupName(COMMAND_GROUP_COUNT - 1), "module");
    assert_null(commandGroupName(COMMAND_GROUP_COUNT));
    assert_null(commandGroupName(-1));
}

/* ---- legacy key range ------------------------------------------------------------ */

static void assert_range(const keySpec *ks, int n, int first, int last, int step) {
    command c = mkcmd("x", -1, 0, ks, n);
    commandComputeLegacyRange(&c);
    assert_int_equal(c.legacy_first, first);
    assert_int_equal(c.legacy_last, last);
    assert_int_equal(c.legacy_step, step);
}

static void test_legacy_range(void **state) {
    (void)state;
    const keySpec get[] = {{.flags = CMD_KEY_RO, IDX(1), RANGE(0, 1, 0)}};
    assert_range(get, 1, 1, 1, 1);
    const keySpec blpop[] = {{.flags = CMD_KEY_RW, IDX(1), RANGE(-2, 1, 0)}};
    assert_range(blpop, 1, 1, -2, 1);
    const keySpec mset[] = {{.flags = CMD_KEY_OW, IDX(1), RANGE(-1, 2, 0)}};
    assert_range(mset, 1, 1, -1, 2);
    const keySpec lcs[] = {{.flags = CMD_KEY_RO, IDX(1), RANGE(1, 1, 0)}};
    assert_range(lcs, 1, 1, 2, 1);
    const keySpec usage[] = {{.flags = CMD_KEY_RO, IDX(2), RANGE(0, 1, 0)}};
    assert_range(usage, 1, 2, 2, 1);
    const keySpec bitop[] = {{.flags = CMD_KEY_OW, IDX(2), RANGE(0, 1, 0)}, {.flags = CMD_KEY_RO, IDX(3), RANGE(-1, 1, 0)}};
    assert_range(bitop, 2, 2, -1, 1);
    const keySpec rename[] = {{.flags = CMD_KEY_RW, IDX(1), RANGE(0, 1, 0)}, {.flags = CMD_KEY_OW, IDX(2), RANGE(0, 1, 0)}};
    assert_range(rename, 2, 1, 2, 1);
    const keySpec geo[] = {{.flags = CMD_KEY_RO, IDX(1), RANGE(0, 1, 0)},
                           {.flags = CMD_KEY_OW, KW("STORE", 6), RANGE(0, 1, 0)}};
    assert_range(geo, 2, 1, 1, 1);
    const keySpec xread[] = {{.flags = CMD_KEY_RO, KW("STREAMS", 1), RANGE(-1, 1, 2)}};
    assert_range(xread, 1, 0, 0, 0);
    const keySpec zstore[] = {{.flags = CMD_KEY_OW, IDX(1), RANGE(0, 1, 0)}, {.flags = CMD_KEY_RO, IDX(2), KEYNUM(0, 1, 1)}};
    assert_range(zstore, 2, 1, 1, 1);
    const keySpec gap[] = {{.flags = CMD_KEY_RW, IDX(1), RANGE(0, 1, 0)}, {.flags = CMD_KEY_RW, IDX(3), RANGE(0, 1, 0)}};
    assert_range(gap, 2, 1, 1, 1);
    assert_range(NULL, 0, 0, 0, 0);
}

/* ---- key extraction from key specs --------------------------------------------------- */

static void test_keys_index_range(void **state) {
    (void)state;
    const keySpec get_ks[] = {{.flags = CMD_KEY_RO | CMD_KEY_ACCESS, IDX(1), RANGE(0, 1, 0)}};
    command get = mkcmd("get", 2, 0, get_ks, 1);
    ASSERT_KEYS(&get, "get k", "k");

    const keySpec del_ks[] = {{.flags = CMD_KEY_RM | CMD_KEY_DELETE, IDX(1), RANGE(-1, 1, 0)}};
    command del = mkcmd("del", -2, 0, del_ks, 1);
    ASSERT_KEYS(&del, "del a b c", "a b c");
    ASSERT_KEYS(&del, "del a", "a");

    const keySpec mset_ks[] = {{.flags = CMD_KEY_OW, IDX(1), RANGE(-1, 2, 0)}};
    command mset = mkcmd("mset", -3, 0, mset_ks, 1);
    ASSERT_KEYS(&mset, "mset a 1 b 2", "a b");
    ASSERT_KEYS(&mset, "mset a 1 b", "a b"); /* odd count: Redis reports a, b too */

    const keySpec blpop_ks[] = {{.flags = CMD_KEY_RW, IDX(1), RANGE(-2, 1, 0)}};
    command blpop = mkcmd("blpop", -3, 0, blpop_ks, 1);
    ASSERT_KEYS(&blpop, "blpop a b c 0", "a b c");

    const keySpec lcs_ks[] = {{.flags = CMD_KEY_RO, IDX(1), RANGE(1, 1, 0)}};
    command lcs = mkcmd("lcs", -3, 0, lcs_ks, 1);
    ASSERT_KEYS(&lcs, "lcs a b len", "a b");
    ASSERT_KEYS(&lcs, "lcs a", "ERR"); /* last key out of range */

    const keySpec rn_ks[] = {{.flags = CMD_KEY_RW, IDX(1), RANGE(0, 1, 0)}, {.flags = CMD_KEY_OW, IDX(2), RANGE(0, 1, 0)}};
    command rn = mkcmd("rename", 3, 0, rn_ks, 2);
    ASSERT_KEYS(&rn, "rename a b", "a b");
    uint64_t flags[4];
    int idx[4];
    args a = mkargs("rename a b");
    assert_int_equal(commandGetKeysWithFlags(&rn, a.v, a.n, idx, flags, 4), 2);
    assert_int_equal(flags[0], CMD_KEY_RW);
    assert_int_equal(flags[1], CMD_KEY_OW);
    freeargs(&a);
}

static void test_keys_keyword(void **state) {
    (void)state;
    const keySpec xr_ks[] = {{.flags = CMD_KEY_RO | CMD_KEY_ACCESS, KW("STREAMS", 1), RANGE(-1, 1, 2)}};
    command xread = mkcmd("xread", -4, 0, xr_ks, 1);
    ASSERT_KEYS(&xread, "xread count 2 streams a b 0 0", "a b");
    ASSERT_KEYS(&xread, "xread STREAMS a 0", "a");
    ASSERT_KEYS(&xread, "xread streams a b 0", "a"); /* odd: one key by the spec */
    ASSERT_KEYS(&xread, "xread count 2 block 0", ""); /* keyword absent: no keys */
    ASSERT_KEYS(&xread, "xread count streams", "");   /* keyword last: not searched */

    const keySpec geo_ks[] = {{.flags = CMD_KEY_RO, IDX(1), RANGE(0, 1, 0)},
                              {.flags = CMD_KEY_OW, KW("STORE", 6), RANGE(0, 1, 0)},
                              {.flags = CMD_KEY_OW, KW("STOREDIST", 6), RANGE(0, 1, 0)}};
    command geo = mkcmd("georadius", -6, 0, geo_ks, 3);
    ASSERT_KEYS(&geo, "georadius k 1 2 3 m", "k");
    ASSERT_KEYS(&geo, "georadius k 1 2 3 m store a", "k a");
    ASSERT_KEYS(&geo, "georadius k 1 2 3 m store a storedist b", "k a b");
    ASSERT_KEYS(&geo, "georadius k 1 2 3 m withdist store", "k");
    /* the search starts at index 6: a STORE earlier is not the keyword */
    ASSERT_KEYS(&geo, "georadius k 1 2 3 store x", "k");

    /* backward search from the end (MIGRATE's KEYS) */
    const keySpec bk_ks[] = {{.flags = CMD_KEY_RW, KW("KEYS", -2), RANGE(-1, 1, 0)}};
    command bk = mkcmd("bk", -2, 0, bk_ks, 1);
    ASSERT_KEYS(&bk, "bk x y keys a b", "a b");
    ASSERT_KEYS(&bk, "bk x keys y keys a", "a"); /* the last KEYS before the final argument */
    ASSERT_KEYS(&bk, "bk keys a", "");           /* argv[1] is not searched */
}

static void test_keys_keynum(void **state) {
    (void)state;
    const keySpec zs_ks[] = {{.flags = CMD_KEY_OW, IDX(1), RANGE(0, 1, 0)}, {.flags = CMD_KEY_RO, IDX(2), KEYNUM(0, 1, 1)}};
    command zs = mkcmd("zunionstore", -4, 0, zs_ks, 2);
    ASSERT_KEYS(&zs, "zunionstore d 2 a b", "d a b");
    ASSERT_KEYS(&zs, "zunionstore d 2 a b weights 1 2", "d a b");
    ASSERT_KEYS(&zs, "zunionstore d 3 a b", "ERR");
    ASSERT_KEYS(&zs, "zunionstore d -1 a", "ERR");
    ASSERT_KEYS(&zs, "zunionstore d x a", "ERR");
    ASSERT_KEYS(&zs, "zunionstore d 0 a", "ERR");
    ASSERT_KEYS(&zs, "zunionstore d 99999999999999999999 a", "ERR");
    ASSERT_KEYS(&zs, "zunionstore d", "ERR"); /* numkeys missing */

    const keySpec ev_ks[] = {{.flags = CMD_KEY_RW, IDX(2), KEYNUM(0, 1, 1)}};
    command ev = mkcmd("eval", -3, CMD_NO_MANDATORY_KEYS, ev_ks, 1);
    ASSERT_KEYS(&ev, "eval s 2 a b c", "a b");
    ASSERT_KEYS(&ev, "eval s 0", "ERR");
    ASSERT_KEYS(&ev, "eval s 1", "ERR");

    /* keynum with a step */
    const keySpec st_ks[] = {{.flags = CMD_KEY_RW, IDX(1), KEYNUM(0, 1, 2)}};
    command st = mkcmd("st", -2, 0, st_ks, 1);
    ASSERT_KEYS(&st, "st 2 a x b", "a b");
}

static void test_keys_special(void **state) {
    (void)state;
    /* NOT_KEY specs are skipped; a command with only those has no keys */
    const keySpec sp_ks[] = {{.flags = CMD_KEY_NOT_KEY, IDX(1), RANGE(0, 1, 0)}};
    command sp = mkcmd("spublish", 3, 0, sp_ks, 1);
    assert_false(commandHasKeys(&sp));
    ASSERT_KEYS(&sp, "spublish ch msg", "");

    /* no specs at all */
    command ping = mkcmd("ping", -1, 0, NULL, 0);
    assert_false(commandHasKeys(&ping));
    ASSERT_KEYS(&ping, "ping", "");

    /* an unknown spec without a procedure cannot be applied */
    const keySpec un_ks[] = {{.flags = CMD_KEY_RO, IDX(1), RANGE(0, 1, 0)}, {.flags = CMD_KEY_OW}};
    command un = mkcmd("un", -2, 0, un_ks, 2);
    assert_true(commandHasKeys(&un));
    ASSERT_KEYS(&un, "un a", "ERR");

    /* INCOMPLETE: fall back to the procedure */
    const keySpec mg_ks[] = {{.flags = CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_DELETE, IDX(3), RANGE(0, 1, 0)},
                             {.flags = CMD_KEY_RW | CMD_KEY_INCOMPLETE, KW("KEYS", -2), RANGE(-1, 1, 0)}};
    command mg = mkcmd("migrate", -6, 0, mg_ks, 2);
    ASSERT_KEYS(&mg, "migrate h p k 0 5", "k");                 /* KEYS absent: the specs suffice */
    ASSERT_KEYS(&mg, "migrate h p \"\" 0 5 keys a b", "ERR");     /* INCOMPLETE and no procedure */
    mg.getkeys_proc = migrateGetKeys;
    ASSERT_KEYS(&mg, "migrate h p k 0 5", "k");
    ASSERT_KEYS(&mg, "migrate h p \"\" 0 5 keys a b", "a b");
    ASSERT_KEYS(&mg, "migrate h p \"\" 0 5 copy auth keys keys a", "a");       /* AUTH's value skipped */
    ASSERT_KEYS(&mg, "migrate h p \"\" 0 5 auth2 u keys keys a b", "a b");   /* AUTH2 takes two values */
    ASSERT_KEYS(&mg, "migrate h p k 0 5 keys a", "ERR");                       /* KEYS needs an empty key */

    /* VARIABLE_FLAGS: always the procedure */
    const keySpec set_ks[] = {{.flags = CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_UPDATE | CMD_KEY_VARIABLE_FLAGS, IDX(1),
                               RANGE(0, 1, 0)}};
    command set = mkcmd("set", -3, 0, set_ks, 1);
    set.getkeys_proc = setGetKeys;
    int idx[4];
    uint64_t fl[4];
    args a = mkargs("set k v ex 10");
    assert_int_equal(commandGetKeysWithFlags(&set, a.v, a.n, idx, fl, 4), 1);
    assert_int_equal(idx[0], 1);
    assert_int_equal(fl[0], CMD_KEY_OW | CMD_KEY_UPDATE);
    freeargs(&a);
    a = mkargs("set k v Get");
    assert_int_equal(commandGetKeysWithFlags(&set, a.v, a.n, idx, fl, 4), 1);
    assert_int_equal(fl[0], CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_UPDATE);
    freeargs(&a);
    a = mkargs("set k get"); /* "get" as the value (index 2) is not the option */
    assert_int_equal(commandGetKeysWithFlags(&set, a.v, a.n, idx, fl, 4), 1);
    assert_int_equal(fl[0], CMD_KEY_OW | CMD_KEY_UPDATE);
    freeargs(&a);
}

static void test_keys_maxkeys(void **state) {
    (void)state;
    const keySpec del_ks[] = {{.flags = CMD_KEY_RM, IDX(1), RANGE(-1, 1, 0)}};
    command del = mkcmd("del", -2, 0, del_ks, 1);
    args a = mkargs("del a b c d e");
    int idx[4] = {-7, -7, -7, -7};
    assert_int_equal(commandGetKeys(&del, a.v, a.n, idx, 2), 5);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 2);
    assert_int_equal(idx[2], -7); /* untouched past maxkeys */
    assert_int_equal(commandGetKeys(&del, a.v, a.n, idx, 0), 5);
    assert_int_equal(commandGetKeys(NULL, a.v, a.n, idx, 4), -1);
    assert_int_equal(commandGetKeys(&del, a.v, 0, idx, 4), -1);
    freeargs(&a);
}

/* ---- getkeys procedures ---------------------------------------------------------------- */

static char *prockeys(commandGetKeysProc *proc, const char *line, uint64_t *flags0, char *out, size_t outlen) {
    args a = mkargs(line);
    int idx[MAXARGS];
    uint64_t fl[MAXARGS];
    int n = proc(a.v, a.n, idx, fl, MAXARGS);
    out[0] = '\0';
    if (n < 0) snprintf(out, outlen, "ERR");
    for (int i = 0; i < n; i++) {
        if (i) strncat(out, " ", outlen - strlen(out) - 1);
        strncat(out, a.v[idx[i]], outlen - strlen(out) - 1);
    }
    if (n > 0 && flags0) *flags0 = fl[n - 1];
    freeargs(&a);
    return out;
}

#define ASSERT_PROC(proc, line, expect)                                                                          \
    do {                                                                                                         \
        char buf_[256];                                                                                          \
        assert_string_equal(prockeys((proc), (line), NULL, buf_, sizeof(buf_)), (expect));                      \
    } while (0)

static void test_getkeys_procs(void **state) {
    (void)state;
    char buf[256];
    uint64_t fl = 0;
    assert_string_equal(prockeys(bitfieldGetKeys, "bitfield k", &fl, buf, sizeof(buf)), "k");
    assert_int_equal(fl, CMD_KEY_RO | CMD_KEY_ACCESS);
    assert_string_equal(prockeys(bitfieldGetKeys, "bitfield k get u8 0 overflow wrap get i4 4", &fl, buf, sizeof(buf)), "k");
    assert_int_equal(fl, CMD_KEY_RO | CMD_KEY_ACCESS);
    assert_string_equal(prockeys(bitfieldGetKeys, "bitfield k get u8 0 set u8 0 1", &fl, buf, sizeof(buf)), "k");
    assert_int_equal(fl, CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_UPDATE);
    assert_string_equal(prockeys(bitfieldGetKeys, "bitfield k get u8", &fl, buf, sizeof(buf)), "k");
    assert_int_equal(fl, CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_UPDATE); /* malformed: assume a write */
    assert_string_equal(prockeys(bitfieldGetKeys, "bitfield k incrby u8 0", &fl, buf, sizeof(buf)), "k");
    assert_int_equal(fl, CMD_KEY_RW | CMD_KEY_ACCESS | CMD_KEY_UPDATE);

    assert_string_equal(prockeys(sortGetKeys, "sort k store d by x get y", &fl, buf, sizeof(buf)), "k d");
    assert_int_equal(fl, CMD_KEY_OW | CMD_KEY_UPDATE);
    ASSERT_PROC(sortGetKeys, "sort k", "k");
    ASSERT_PROC(sortGetKeys, "sort k store a store b", "k b");
    ASSERT_PROC(sortGetKeys, "sort k by store", "k");       /* BY's pattern is skipped */
    ASSERT_PROC(sortGetKeys, "sort k limit 0 store", "k");  /* LIMIT's two values are skipped */
    ASSERT_PROC(sortGetKeys, "sort k store", "k");          /* STORE without a value */
    ASSERT_PROC(sortRoGetKeys, "sort_ro k store d", "k");

    ASSERT_PROC(georadiusGetKeys, "georadius k 1 2 3 m store a storedist b", "k b");
    ASSERT_PROC(georadiusGetKeys, "georadius k 1 2 3 m storedist b", "k b");
    ASSERT_PROC(georadiusGetKeys, "georadius k 1 2 3 m store", "k");

    ASSERT_PROC(xreadGetKeys, "xread count 1 block 0 streams a b 0 0", "a b");
    ASSERT_PROC(xreadGetKeys, "xreadgroup group g c noack streams a 0", "a");
    ASSERT_PROC(xreadGetKeys, "xread streams a b 0", "ERR");
    ASSERT_PROC(xreadGetKeys, "xread streams", "ERR");
    ASSERT_PROC(xreadGetKeys, "xread count 1", "ERR");
    ASSERT_PROC(xreadGetKeys, "xread foo streams a 0", "ERR");

    ASSERT_PROC(setGetKeys, "set", "ERR");
    ASSERT_PROC(migrateGetKeys, "migrate h p k 0", "ERR");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_lookup),
        cmocka_unit_test(test_table_command_family),
        cmocka_unit_test(test_reset_stats),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_legacy_range),
        cmocka_unit_test(test_keys_index_range),
        cmocka_unit_test(test_keys_keyword),
        cmocka_unit_test(test_keys_keynum),
        cmocka_unit_test(test_keys_special),
        cmocka_unit_test(test_keys_maxkeys),
        cmocka_unit_test(test_getkeys_procs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
