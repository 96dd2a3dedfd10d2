/* COMMAND and its subcommands: introspection of the command table in Redis
 * 7's reply formats (RESP2 and RESP3; see commands.h for the table).
 *
 * COMMAND INFO entry (array of 10): name (bulk), arity (int), flags (set of
 * status), first key, last key, key step (ints, the legacy range), ACL
 * categories (set of status "@cat"), tips (set of bulk), key specs (set of
 * maps), subcommands (array of entries, or an empty set when none).
 * COMMAND DOCS: a map of name -> map with summary, since, group, complexity,
 * doc_flags (set of status), deprecated_since, replaced_by, history (set of
 * [version, text] arrays), arguments (array of maps), subcommands (map); keys
 * that have no value are left out. Commands are listed in name order (Redis
 * lists them in hash table order). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "commands.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* ---- COMMAND INFO ------------------------------------------------------------- */

static int popcount64(uint64_t v) {
    int n = 0;
    while (v) {
        v &= v - 1;
        n++;
    }
    return n;
}

static void replyCommandFlags(client *c, const command *cmd) {
    int n = 0;
    for (int i = 0; i < CMD_FLAG_COUNT; i++)
        if ((cmd->flags & (1ULL << i)) && commandFlagIsVisible(1ULL << i)) n++;
    replySetLen(c, n);
    for (int i = 0; i < CMD_FLAG_COUNT; i++)
        if ((cmd->flags & (1ULL << i)) && commandFlagIsVisible(1ULL << i)) replyStatus(c, commandFlagName(1ULL << i));
}

static void replyAclCategories(client *c, const command *cmd) {
    uint64_t cats = cmd->acl_categories & ((1ULL << ACL_CATEGORY_COUNT) - 1);
    replySetLen(c, popcount64(cats));
    for (int i = 0; i < ACL_CATEGORY_COUNT; i++) {
        if (!(cats & (1ULL << i))) continue;
        char buf[32];
        size_t len = (size_t)snprintf(buf, sizeof(buf), "@%s", commandAclCategoryName(1ULL << i));
        replyStatusLen(c, buf, len);
    }
}

static void replyKeySpecFlags(client *c, uint64_t flags) {
    flags &= (1ULL << CMD_KEY_FLAG_COUNT) - 1;
    replySetLen(c, popcount64(flags));
    for (int i = 0; i < CMD_KEY_FLAG_COUNT; i++)
        if (flags & (1ULL << i)) replyStatus(c, commandKeySpecFlagName(1ULL << i));
}

static void replyKeySpec(client *c, const keySpec *ks) {
    replyMapLen(c, ks->notes ? 4 : 3);
    if (ks->notes) {
        replyBulkCString(c, "notes");
        replyBulkCString(c, ks->notes);
    }
    replyBulkCString(c, "flags");
    replyKeySpecFlags(c, ks->flags);

    replyBulkCString(c, "begin_search");
    replyMapLen(c, 2);
    replyBulkCString(c, "type");
    if (ks->bs_type == KSPEC_BS_INDEX) {
        replyBulkCString(c, "index");
        replyBulkCString(c, "spec");
        replyMapLen(c, 1);
        replyBulkCString(c, "index");
        replyLongLong(c, ks->bs.index.pos);
    } else if (ks->bs_type == KSPEC_BS_KEYWORD) {
        replyBulkCString(c, "keyword");
        replyBulkCString(c, "spec");
        replyMapLen(c, 2);
        replyBulkCString(c, "keyword");
        replyBulkCString(c, ks->bs.keyword.keyword);
        replyBulkCString(c, "startfrom");
        replyLongLong(c, ks->bs.keyword.startfrom);
    } else {
        replyBulkCString(c, "unknown");
        replyBulkCString(c, "spec");
        replyMapLen(c, 0);
    }

    replyBulkCString(c, "find_keys");
    replyMapLen(c, 2);
    replyBulkCString(c, "type");
    if (ks->fk_type == KSPEC_FK_RANGE) {
        replyBulkCString(c, "range");
        replyBulkCString(c, "spec");
        replyMapLen(c, 3);
        replyBulkCString(c, "lastkey");
        replyLongLong(c, ks->fk.range.lastkey);
        replyBulkCString(c, "keystep");
        replyLongLong(c, ks->fk.range.keystep);
        replyBulkCString(c, "limit");
        replyLongLong(c, ks->fk.range.limit);
    } else if (ks->fk_type == KSPEC_FK_KEYNUM) {
        replyBulkCString(c, "keynum");
        replyBulkCString(c, "spec");
        replyMapLen(c, 3);
        replyBulkCString(c, "keynumidx");
        replyLongLong(c, ks->fk.keynum.keynumidx);
        replyBulkCString(c, "firstkey");
        replyLongLong(c, ks->fk.keynum.firstkey);
        replyBulkCString(c, "keystep");
        replyLongLong(c, ks->fk.keynum.keystep);
    } else {
        replyBulkCString(c, "unknown");
        replyBulkCString(c, "spec");
        replyMapLen(c, 0);
    }
}

/* One COMMAND INFO entry; NULL gives a null. */
static void replyCommandInfo(client *c, const command *cmd) {
    if (!cmd) {
        replyNull(c);
        return;
    }
    replyArrayLen(c, 10);
    replyBulkCString(c, cmd->fullname);
    replyLongLong(c, cmd->arity);
    replyCommandFlags(c, cmd);
    replyLongLong(c, cmd->legacy_first);
    replyLongLong(c, cmd->legacy_last);
    replyLongLong(c, cmd->legacy_step);
    replyAclCategories(c, cmd);
    replySetLen(c, cmd->num_tips);
    for (int i = 0; i < cmd->num_tips; i++) replyBulkCString(c, cmd->tips[i]);
    replySetLen(c, cmd->key_specs_num);
    for (int i = 0; i < cmd->key_specs_num; i++) replyKeySpec(c, &cmd->key_specs[i]);
    if (cmd->num_subcommands) {
        replyArrayLen(c, cmd->num_subcommands);
        for (int i = 0; i < cmd->num_subcommands; i++) replyCommandInfo(c, &cmd->subcommands[i]);
    } else {
        replySetLen(c, 0);
    }
}

static void replyAllCommandInfo(client *c) {
    int n;
    command **all = commandAll(&n);
    replyArrayLen(c, n);
    for (int i = 0; i < n; i++) replyCommandInfo(c, all[i]);
}

/* COMMAND: COMMAND INFO of every command. */
void commandCommand(client *c) {
    if (c->argc > 1) {
        replyErrorSubcommand(c);
        return;
    }
    replyAllCommandInfo(c);
}

/* COMMAND INFO [name ...]: an entry per name (null when unknown); every
 * command when no name is given. Names may be "container|sub". */
void commandInfoCommand(client *c) {
    if (c->argc == 2) {
        replyAllCommandInfo(c);
        return;
    }
    replyArrayLen(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        replyCommandInfo(c, commandLookupByFullname(c->argv[i], dstrlen(c->argv[i])));
}

/* COMMAND COUNT */
void commandCountCommand(client *c) {
    replyLongLong(c, commandCount());
}

/* ---- COMMAND DOCS ---------------------------------------------------------------- */

static void replyArgs(client *c, const commandArg *args, int n) {
    replyArrayLen(c, n);
    for (int i = 0; i < n; i++) {
        const commandArg *a = &args[i];
        int len = 2 + (a->display_text != NULL) + (a->key_spec_index >= 0) + (a->token != NULL) +
                  (a->summary != NULL) + (a->since != NULL) + (a->deprecated_since != NULL) + (a->flags != 0) +
                  (a->num_args > 0);
        replyMapLen(c, len);
        replyBulkCString(c, "name");
        replyBulkCString(c, a->name);
        replyBulkCString(c, "type");
        replyBulkCString(c, commandArgTypeName(a->type));
        if (a->display_text) {
            replyBulkCString(c, "display_text");
            replyBulkCString(c, a->display_text);
        }
        if (a->key_spec_index >= 0) {
            replyBulkCString(c, "key_spec_index");
            replyLongLong(c, a->key_spec_index);
        }
        if (a->token) {
            replyBulkCString(c, "token");
            replyBulkCString(c, a->token);
        }
        if (a->summary) {
            replyBulkCString(c, "summary");
            replyBulkCString(c, a->summary);
        }
        if (a->since) {
            replyBulkCString(c, "since");
            replyBulkCString(c, a->since);
        }
        if (a->deprecated_since) {
            replyBulkCString(c, "deprecated_since");
            replyBulkCString(c, a->deprecated_since);
        }
        if (a->flags) {
            static const char *const names[] = {"optional", "multiple", "multiple_token"};
            replyBulkCString(c, "flags");
            replySetLen(c, popcount64((uint64_t)(a->flags & 7)));
            for (int b = 0; b < 3; b++)
                if (a->flags & (1 << b)) replyStatus(c, names[b]);
        }
        if (a->num_args > 0) {
            replyBulkCString(c, "arguments");
            replyArgs(c, a->subargs, a->num_args);
        }
    }
}

static void replyCommandDocs(client *c, const command *cmd) {
    uint64_t docf = cmd->doc_flags & ((1ULL << CMD_DOC_FLAG_COUNT) - 1);
    int len = (cmd->summary != NULL) + (cmd->since != NULL) + (cmd->group != NULL) + (cmd->complexity != NULL) +
              (docf != 0) + (cmd->deprecated_since != NULL) + (cmd->replaced_by != NULL) + (cmd->num_history > 0) +
              (cmd->num_args > 0) + (cmd->num_subcommands > 0);
    replyMapLen(c, len);
    if (cmd->summary) {
        replyBulkCString(c, "summary");
        replyBulkCString(c, cmd->summary);
    }
    if (cmd->since) {
        replyBulkCString(c, "since");
        replyBulkCString(c, cmd->since);
    }
    if (cmd->group) {
        replyBulkCString(c, "group");
        replyBulkCString(c, cmd->group);
    }
    if (cmd->complexity) {
        replyBulkCString(c, "complexity");
        replyBulkCString(c, cmd->complexity);
    }
    if (docf) {
        replyBulkCString(c, "doc_flags");
        replySetLen(c, popcount64(docf));
        for (int i = 0; i < CMD_DOC_FLAG_COUNT; i++)
            if (docf & (1ULL << i)) replyStatus(c, commandDocFlagName(1ULL << i));
    }
    if (cmd->deprecated_since) {
        replyBulkCString(c, "deprecated_since");
        replyBulkCString(c, cmd->deprecated_since);
    }
    if (cmd->replaced_by) {
        replyBulkCString(c, "replaced_by");
        replyBulkCString(c, cmd->replaced_by);
    }
    if (cmd->num_history > 0) {
        replyBulkCString(c, "history");
        replySetLen(c, cmd->num_history);
        for (int i = 0; i < cmd->num_history; i++) {
            replyArrayLen(c, 2);
            replyBulkCString(c, cmd->history[2 * i]);
            replyBulkCString(c, cmd->history[2 * i + 1]);
        }
    }
    if (cmd->num_args > 0) {
        replyBulkCString(c, "arguments");
        replyArgs(c, cmd->args, cmd->num_args);
    }
    if (cmd->num_subcommands > 0) {
        replyBulkCString(c, "subcommands");
        replyMapLen(c, cmd->num_subcommands);
        for (int i = 0; i < cmd->num_subcommands; i++) {
            replyBulkCString(c, cmd->subcommands[i].fullname);
            replyCommandDocs(c, &cmd->subcommands[i]);
        }
    }
}

/* COMMAND DOCS [name ...]: a map of the known names (unknown ones are left
 * out); every command when no name is given. */
void commandDocsCommand(client *c) {
    if (c->argc == 2) {
        int n;
        command **all = commandAll(&n);
        replyMapLen(c, n);
        for (int i = 0; i < n; i++) {
            replyBulkCString(c, all[i]->fullname);
            replyCommandDocs(c, all[i]);
        }
        return;
    }
    int n = c->argc - 2, found = 0;
    command **cmds = zmalloc(sizeof(command *) * (size_t)n);
    for (int i = 0; i < n; i++) {
        command *cmd = commandLookupByFullname(c->argv[i + 2], dstrlen(c->argv[i + 2]));
        if (cmd) cmds[found++] = cmd;
    }
    replyMapLen(c, found);
    for (int i = 0; i < found; i++) {
        replyBulkCString(c, cmds[i]->fullname);
        replyCommandDocs(c, cmds[i]);
    }
    zfree(cmds);
}

/* ---- COMMAND LIST ------------------------------------------------------------------ */

typedef enum { LIST_ALL, LIST_MODULE, LIST_ACLCAT, LIST_PATTERN } listFilter;

static int listMatches(const command *cmd, listFilter f, uint64_t cat, const dstr pattern) {
    switch (f) {
    case LIST_ALL: return 1;
    case LIST_MODULE: return 0; /* no module commands in Cairn */
    case LIST_ACLCAT: return (cmd->acl_categories & cat) != 0;
    case LIST_PATTERN:
        return stringmatchlen(pattern, dstrlen(pattern), cmd->fullname, strlen(cmd->fullname), 1);
    }
    return 0;
}

/* COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]:
 * full names of commands and subcommands (each container followed by its
 * subcommands). An unknown category matches nothing. */
void commandListCommand(client *c) {
    listFilter f = LIST_ALL;
    uint64_t cat = 0;
    dstr pattern = NULL;
    if (c->argc == 5 && !strcasecmp(c->argv[2], "filterby")) {
        dstr kind = c->argv[3], val = c->argv[4];
        if (!strcasecmp(kind, "module")) {
            f = LIST_MODULE;
        } else if (!strcasecmp(kind, "aclcat")) {
            f = LIST_ACLCAT;
            cat = commandAclCategoryByName(val, dstrlen(val));
        } else if (!strcasecmp(kind, "pattern")) {
            f = LIST_PATTERN;
            pattern = val;
        } else {
            replyErrorSyntax(c);
            return;
        }
    } else if (c->argc != 2) {
        replyErrorSyntax(c);
        return;
    }
    int n;
    command **all = commandAll(&n);
    void *len_node = replyDeferredLen(c);
    long count = 0;
    for (int i = 0; i < n; i++) {
        if (listMatches(all[i], f, cat, pattern)) {
            replyBulkCString(c, all[i]->fullname);
            count++;
        }
        for (int j = 0; j < all[i]->num_subcommands; j++) {
            const command *sub = &all[i]->subcommands[j];
            if (listMatches(sub, f, cat, pattern)) {
                replyBulkCString(c, sub->fullname);
                count++;
            }
        }
    }
    setDeferredArrayLen(c, len_node, count);
}

/* ---- COMMAND GETKEYS / GETKEYSANDFLAGS -------------------------------------------- */

static void getKeysReply(client *c, int with_flags) {
    dstr *argv = c->argv + 2;
    int argc = c->argc - 2;
    command *cmd = commandLookupByArgv(argv, argc);
    if (!cmd) {
        replyError(c, "ERR Invalid command specified");
        return;
    }
    if (!commandHasKeys(cmd)) {
        replyError(c, "ERR The command has no key arguments");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        replyError(c, "ERR Invalid number of arguments specified for command");
        return;
    }
    int *keys = zmalloc(sizeof(int) * (size_t)argc);
    uint64_t *flags = zmalloc(sizeof(uint64_t) * (size_t)argc);
    int n = commandGetKeysWithFlags(cmd, argv, argc, keys, flags, argc);
    if (n > argc) n = argc; /* cannot happen: keys are distinct positions */
    if (n <= 0) {
        if (cmd->flags & CMD_NO_MANDATORY_KEYS) replyEmptyArray(c);
        else replyError(c, "ERR Invalid arguments specified for command");
    } else {
        replyArrayLen(c, n);
        for (int i = 0; i < n; i++) {
            if (with_flags) {
                replyArrayLen(c, 2);
                replyBulkDstr(c, argv[keys[i]]);
                replyKeySpecFlags(c, flags[i]);
            } else {
                replyBulkDstr(c, argv[keys[i]]);
            }
        }
    }
    zfree(keys);
    zfree(flags);
}

/* COMMAND GETKEYS command [arg ...] */
void commandGetkeysCommand(client *c) {
    getKeysReply(c, 0);
}

/* COMMAND GETKEYSANDFLAGS command [arg ...]: [key, set of key spec flags] pairs. */
void commandGetkeysandflagsCommand(client *c) {
    getKeysReply(c, 1);
}

/* ---- COMMAND HELP ------------------------------------------------------------------ */

void commandHelpCommand(client *c) {
    static const char *const lines[] = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    };
    int n = (int)(sizeof(lines) / sizeof(lines[0]));
    replyArrayLen(c, n);
    for (int i = 0; i < n; i++) replyStatus(c, lines[i]);
}
