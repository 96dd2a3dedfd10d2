/* Unit tests for the set API of src/t_set.c (t_set.h): the encodings built
 * by SADD-like sequences are byte-identical to the blobs a Redis 7.2-compatible
 * server (Valkey 55bbbe0, redis_version 7.2.4) dumps for the same commands
 * (vectors from /work/shared/vectors/valkey-55bbbe0/sets.json and errors.json,
 * copied here as hex), the RDB helpers (loader, listpack validation, blob
 * access), conversions, iteration, dup and memory figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzf.h>

#include "intset.h"
#include "listpack.h"
#include "object.h"
#include "server.h"
#include "t_set.h"
#include "zmalloc.h"

/* ---- helpers ------------------------------------------------------------------ */

static unsigned char *from_hex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *b = zmalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        b[i] = (unsigned char)v;
    }
    *len = n;
    return b;
}

/* Read an RDB length at p (6/14/32-bit forms; sets *special for 0xC0 forms). */
static size_t rdb_len(const unsigned char **p, int *special) {
    unsigned char b = **p;
    *special = -1;
    switch (b >> 6) {
    case 0: *p += 1; return b & 63;
    case 1: *p += 2; return ((size_t)(b & 63) << 8) | (*p)[-1];
    case 2: {
        size_t v = ((size_t)(*p)[1] << 24) | ((size_t)(*p)[2] << 16) | ((size_t)(*p)[3] << 8) | (*p)[4];
        *p += 5;
        return v;
    }
    default: *special = b & 63; *p += 1; return 0;
    }
}

/* The object blob of a DUMP payload holding an intset/listpack set: skip the
 * type byte, read the RDB string (raw or LZF). Returns a zmalloc'ed copy. */
static unsigned char *blob_of_dump(const char *hex, size_t *bloblen, int *rdbtype) {
    size_t n;
    unsigned char *dump = from_hex(hex, &n);
    const unsigned char *p = dump + 1;
    *rdbtype = dump[0];
    int special;
    size_t len = rdb_len(&p, &special);
    unsigned char *out;
    if (special == 3) { /* LZF */
        size_t clen = rdb_len(&p, &special);
        size_t ulen = rdb_len(&p, &special);
        out = zmalloc(ulen);
        assert_int_equal(lzf_decompress(p, (unsigned)clen, out, (unsigned)ulen), ulen);
        len = ulen;
    } else {
        assert_int_equal(special, -1);
        out = zmalloc(len);
        memcpy(out, p, len);
    }
    zfree(dump);
    *bloblen = len;
    return out;
}

/* SADD key args... on *set (created when NULL) the way saddCommand does it. */
static void sadd(obj **set, int argc, const char **argv) {
    if (!*set) *set = setTypeCreate(argv[0], strlen(argv[0]), (size_t)argc);
    else setTypeMaybeConvert(*set, (size_t)argc);
    for (int i = 0; i < argc; i++) setTypeAdd(*set, argv[i], strlen(argv[i]));
}

static void assert_blob(obj *set, const char *dump_hex, int want_enc) {
    size_t want_len;
    int rdbtype;
    unsigned char *want = blob_of_dump(dump_hex, &want_len, &rdbtype);
    assert_int_equal(rdbtype, want_enc == ENC_LISTPACK ? 20 : 11);
    int enc;
    size_t len;
    const unsigned char *got = setTypeBlob(set, &enc, &len);
    assert_non_null(got);
    assert_int_equal(enc, want_enc);
    assert_int_equal(len, want_len);
    assert_memory_equal(got, want, len);
    zfree(want);
}

static int setup_defaults(void **state) {
    (void)state;
    server.set_max_intset_entries = 512;
    server.set_max_listpack_entries = 128;
    server.set_max_listpack_value = 64;
    return 0;
}

/* ---- vectors --------------------------------------------------------------------- */

/* sets.json "hashtable_strings": SADD s apple banana cherry "" 1 */
static const char *DUMP_STRINGS =
    "1422220000000500856170706c65068662616e616e6107866368657272790780010101ff0b007131f0f41e8661e2";
/* "hashtable_shrunk_to_ints": SADD s 1 2 3 x; SREM s x */
static const char *DUMP_SHRUNK_TO_INTS = "140d0d0000000300010102010301ff0b00a8bd35";
/* "intset_plus_string_to_listpack": SADD s 1 2 3; SADD s x */
static const char *DUMP_INTSET_PLUS_STRING = "1410100000000400010102010301817802ff0b00";
/* "listpack_mixed_int_widths" (LZF) */
static const char *DUMP_MIXED_WIDTHS =
    "14c3407340ea1fea0000001200856170706c650600017f01d00002cfff02f1ff7f03f1008003f20affff7f04f200008004f3ff200a"
    "0105f3202e028005f4200b4000027f09f4200f40001f800993393232333337323033363835343737353830381483303037048001bf"
    "78e035000340e04079e036000142ff0b00bad57b9213845de0";
/* "listpack_member_64" (LZF): SADD s a v*64 */
static const char *DUMP_MEMBER_64 = "14c313404d0b4d0000000200816102e04076e036000142ff0b0078f8eb84800588b1";
/* "intset_16": SADD s 3 1 2 -5 100 */
static const char *DUMP_INTSET_16 = "0b120200000005000000fbff01000200030064000b004dbaf04acd0ad2a4";
/* "intset_32": SADD s 1 100000 -100000 2147483647 -2147483648 */
static const char *DUMP_INTSET_32 = "0b1c0400000005000000000000806079feff01000000a0860100ffffff7f0b00db6a91eca8e94c99";

static void test_listpack_blobs_match_redis72(void **state) {
    (void)state;
    obj *s = NULL;
    const char *a1[] = {"apple", "banana", "cherry", "", "1"};
    sadd(&s, 5, a1);
    assert_blob(s, DUMP_STRINGS, ENC_LISTPACK);
    objDecrRef(s);

    s = NULL;
    const char *a2[] = {"1", "2", "3", "x"};
    sadd(&s, 4, a2);
    assert_int_equal(s->encoding, ENC_LISTPACK);
    assert_int_equal(setTypeRemove(s, "x", 1), 1);
    assert_blob(s, DUMP_SHRUNK_TO_INTS, ENC_LISTPACK);
    objDecrRef(s);

    s = NULL;
    const char *a3[] = {"1", "2", "3"};
    const char *a4[] = {"x"};
    sadd(&s, 3, a3);
    assert_int_equal(s->encoding, ENC_INTSET);
    sadd(&s, 1, a4);
    assert_blob(s, DUMP_INTSET_PLUS_STRING, ENC_LISTPACK);
    objDecrRef(s);

    s = NULL;
    const char *a5[] = {"apple", "0", "127", "-4096", "4095", "32767", "-32768", "8388607", "-8388608",
                        "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808",
                        "9223372036854775808", "007", "",
                        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                        "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"};
    sadd(&s, 18, a5);
    assert_blob(s, DUMP_MIXED_WIDTHS, ENC_LISTPACK);
    objDecrRef(s);

    s = NULL;
    const char *a6[] = {"a", "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"};
    sadd(&s, 2, a6);
    assert_blob(s, DUMP_MEMBER_64, ENC_LISTPACK);
    objDecrRef(s);
}

static void test_listpack_128_limit(void **state) {
    (void)state;
    obj *s = NULL;
    char buf[16];
    for (int i = 0; i < 128; i++) {
        snprintf(buf, sizeof(buf), "m:%d", i);
        const char *one[] = {buf};
        sadd(&s, 1, one);
    }
    assert_int_equal(s->encoding, ENC_LISTPACK);
    assert_int_equal(setTypeSize(s), 128);
    const char *more[] = {"m:128"};
    sadd(&s, 1, more);
    assert_int_equal(s->encoding, ENC_HASHTABLE);
    assert_int_equal(setTypeSize(s), 129);
    assert_int_equal(setTypeIsMember(s, "m:0", 3), 1);
    objDecrRef(s);
}

static void test_intset_blobs_match_redis(void **state) {
    (void)state;
    obj *s = NULL;
    const char *a1[] = {"3", "1", "2", "-5", "100"};
    sadd(&s, 5, a1);
    assert_blob(s, DUMP_INTSET_16, ENC_INTSET);
    objDecrRef(s);
    s = NULL;
    const char *a2[] = {"1", "100000", "-100000", "2147483647", "-2147483648"};
    sadd(&s, 5, a2);
    assert_blob(s, DUMP_INTSET_32, ENC_INTSET);
    objDecrRef(s);
}

/* ---- RDB helpers -------------------------------------------------------------------- */

static void test_create_from_blobs(void **state) {
    (void)state;
    size_t len;
    int type;
    unsigned char *lp = blob_of_dump(DUMP_STRINGS, &len, &type);
    assert_true(setTypeValidateListpack(lp, len, 1));
    assert_true(setTypeValidateListpack(lp, len, 0));
    obj *s = setTypeCreateFromListpack(lp);
    assert_int_equal(s->encoding, ENC_LISTPACK);
    assert_int_equal(setTypeSize(s), 5);
    assert_true(setTypeIsMember(s, "", 0));
    assert_true(setTypeIsMember(s, "1", 1));
    assert_false(setTypeIsMember(s, "01", 2));
    objDecrRef(s);

    /* over the listpack limit: converted to hashtable at load */
    server.set_max_listpack_entries = 3;
    lp = blob_of_dump(DUMP_STRINGS, &len, &type);
    s = setTypeCreateFromListpack(lp);
    assert_int_equal(s->encoding, ENC_HASHTABLE);
    assert_int_equal(setTypeSize(s), 5);
    assert_true(setTypeIsMember(s, "cherry", 6));
    objDecrRef(s);
    server.set_max_listpack_entries = 128;

    unsigned char *is = blob_of_dump(DUMP_INTSET_16, &len, &type);
    assert_true(intsetValidateIntegrity(is, len, 1));
    s = setTypeCreateFromIntset((intset *)is);
    assert_int_equal(s->encoding, ENC_INTSET);
    objDecrRef(s);
    server.set_max_intset_entries = 4;
    is = blob_of_dump(DUMP_INTSET_16, &len, &type);
    s = setTypeCreateFromIntset((intset *)is);
    assert_int_equal(s->encoding, ENC_HASHTABLE);
    assert_true(setTypeIsMember(s, "-5", 2));
    objDecrRef(s);
    server.set_max_intset_entries = 512;
}

static void test_validate_listpack(void **state) {
    (void)state;
    size_t len;
    /* errors.json: type 20 listpack holding "a" twice; an empty one */
    unsigned char *dup = from_hex("0d0000000200816102816102ff", &len);
    assert_true(setTypeValidateListpack(dup, len, 0)); /* shallow: accepted, as Redis */
    assert_false(setTypeValidateListpack(dup, len, 1)); /* deep: duplicate found */
    zfree(dup);
    unsigned char *empty = from_hex("0700000000" "00ff", &len);
    assert_false(setTypeValidateListpack(empty, len, 0));
    assert_false(setTypeValidateListpack(empty, len, 1));
    zfree(empty);
    unsigned char *one = from_hex("0a0000000100816102ff", &len);
    assert_true(setTypeValidateListpack(one, len, 1));
    assert_false(setTypeValidateListpack(one, len - 1, 1)); /* truncated */
    one[len - 1] = 0xfe;
    assert_false(setTypeValidateListpack(one, len, 0)); /* no terminator */
    zfree(one);
    /* "1" as a string entry and 1 as an integer entry are the same member */
    unsigned char *lp = lpAppend(lpAppendInteger(lpNew(0), 1), (const unsigned char *)"1", 1);
    assert_false(setTypeValidateListpack(lp, lpBytes(lp), 1));
    lpFree(lp);
}

/* Load members one by one (RDB type 2) and check the encoding chosen. */
static obj *load(size_t declared, int n, const char **members, int *dups) {
    setLoader ld;
    assert_int_equal(setLoaderInit(&ld, declared), 1);
    *dups = 0;
    for (int i = 0; i < n; i++) {
        int r = setLoaderAdd(&ld, members[i], strlen(members[i]));
        assert_true(r >= 0);
        if (r == 0) (*dups)++;
    }
    return setLoaderFinish(&ld);
}

static void test_loader(void **state) {
    (void)state;
    int dups;
    /* sets.json hashtable_shrunk_to_listpack: payload m:2 m:1 m:0 -> listpack */
    const char *strs[] = {"m:2", "m:1", "m:0"};
    obj *s = load(3, 3, strs, &dups);
    assert_int_equal(dups, 0);
    assert_int_equal(s->encoding, ENC_LISTPACK);
    objDecrRef(s);
    /* hashtable_shrunk_to_intset: 2 1 0 -> intset */
    const char *ints[] = {"2", "1", "0"};
    s = load(3, 3, ints, &dups);
    assert_int_equal(s->encoding, ENC_INTSET);
    assert_int_equal(setTypeSize(s), 3);
    objDecrRef(s);
    /* integers then a string: intset -> listpack */
    const char *mixed[] = {"5", "7", "x", "9", "y"};
    s = load(5, 5, mixed, &dups);
    assert_int_equal(s->encoding, ENC_LISTPACK);
    assert_int_equal(setTypeSize(s), 5);
    objDecrRef(s);
    /* a long member: hashtable */
    const char *longm[] = {"1", "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"};
    s = load(2, 2, longm, &dups);
    assert_int_equal(s->encoding, ENC_HASHTABLE);
    objDecrRef(s);
    /* duplicates are reported in every encoding */
    const char *dup1[] = {"1", "1"};
    s = load(2, 2, dup1, &dups);
    assert_int_equal(dups, 1);
    objDecrRef(s);
    const char *dup2[] = {"a", "a"};
    s = load(2, 2, dup2, &dups);
    assert_int_equal(dups, 1);
    objDecrRef(s);
    /* declared length above set-max-intset-entries: a pre-sized hashtable */
    setLoader ld;
    assert_int_equal(setLoaderInit(&ld, 600), 1);
    char buf[16];
    for (int i = 0; i < 600; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        assert_int_equal(setLoaderAdd(&ld, buf, strlen(buf)), 1);
    }
    s = setLoaderFinish(&ld);
    assert_int_equal(s->encoding, ENC_HASHTABLE);
    assert_int_equal(setTypeSize(s), 600);
    for (int i = 0; i < 600; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        assert_true(setTypeIsMember(s, buf, strlen(buf)));
    }
    objDecrRef(s);
    /* hashtable members go in HASHTABLE_BATCH at a time: a duplicate is
     * reported by the add that completes its batch ... */
    assert_int_equal(setLoaderInit(&ld, 600), 1);
    for (int i = 0; i < 600; i++) { /* 600 = 37 batches + 8 pending */
        snprintf(buf, sizeof(buf), "%d", i);
        assert_int_equal(setLoaderAdd(&ld, buf, strlen(buf)), 1);
    }
    assert_int_equal(setLoaderAdd(&ld, "599", 3), 1); /* 9th pending */
    for (int i = 0; i < 6; i++) {
        snprintf(buf, sizeof(buf), "x%d", i);
        assert_int_equal(setLoaderAdd(&ld, buf, strlen(buf)), 1);
    }
    assert_int_equal(setLoaderAdd(&ld, "x6", 2), 0); /* 16th: the batch is checked */
    setLoaderAbort(&ld);
    /* ... or by setLoaderFinish (NULL, everything freed) */
    assert_int_equal(setLoaderInit(&ld, 600), 1);
    for (int i = 0; i < 600; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        assert_int_equal(setLoaderAdd(&ld, buf, strlen(buf)), 1);
    }
    assert_int_equal(setLoaderAdd(&ld, "17", 2), 1);
    assert_null(setLoaderFinish(&ld));
    setLoaderAbort(&ld); /* safe after a Finish */
    /* absurd declared length: refused, nothing leaked */
    assert_int_equal(setLoaderInit(&ld, (size_t)1 << 62), 0);
    setLoaderAbort(&ld);
    /* abort mid-way frees the partial set */
    assert_int_equal(setLoaderInit(&ld, 3), 1);
    assert_int_equal(setLoaderAdd(&ld, "a", 1), 1);
    setLoaderAbort(&ld);
}

/* ---- conversions, iteration, dup ------------------------------------------------------ */

static void collect(obj *s, char out[][32], int *n) {
    setIterator si;
    const char *str;
    size_t len;
    int64_t v;
    *n = 0;
    setTypeInitIterator(&si, s);
    while (setTypeNext(&si, &str, &len, &v) != -1) {
        if (str) snprintf(out[*n], 32, "%.*s", (int)len, str);
        else snprintf(out[*n], 32, "%lld", (long long)v);
        (*n)++;
    }
    setTypeResetIterator(&si);
}

static int cmpstr(const void *a, const void *b) { return strcmp(a, b); }

static void test_conversions_keep_members(void **state) {
    (void)state;
    const char *m[] = {"10", "-3", "abc", "", "9223372036854775807", "01"};
    obj *s = setTypeCreate("10", 2, 6);
    for (int i = 0; i < 6; i++) assert_int_equal(setTypeAdd(s, m[i], strlen(m[i])), 1);
    assert_int_equal(s->encoding, ENC_LISTPACK);
    char a[8][32], b[8][32];
    int na, nb;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    collect(s, a, &na);
    obj *copy = objDup(s);
    assert_int_equal(copy->encoding, ENC_LISTPACK);
    setTypeConvert(s, ENC_HASHTABLE);
    assert_int_equal(s->encoding, ENC_HASHTABLE);
    collect(s, b, &nb);
    assert_int_equal(na, 6);
    assert_int_equal(nb, 6);
    qsort(a, 6, 32, cmpstr);
    qsort(b, 6, 32, cmpstr);
    assert_memory_equal(a, b, sizeof(a[0]) * 6);
    obj *copy2 = objDup(s);
    assert_int_equal(copy2->encoding, ENC_HASHTABLE);
    assert_int_equal(setTypeRemove(copy2, "abc", 3), 1);
    assert_true(setTypeIsMember(s, "abc", 3));
    assert_true(objMemUsage(s) > objMemUsage(copy));
    /* all-integer hashtable back to intset */
    obj *ints = setTypeCreateHashtable(4);
    for (int i = 0; i < 5; i++) assert_int_equal(setTypeAddInteger(ints, i * 3), 1);
    setTypeConvertToIntsetIfFits(ints);
    assert_int_equal(ints->encoding, ENC_INTSET);
    assert_true(setTypeIsMember(ints, "12", 2));
    assert_false(setTypeIsMember(ints, "012", 3));
    dstr d;
    setIterator si;
    setTypeInitIterator(&si, ints);
    int count = 0;
    while ((d = setTypeNextDstr(&si)) != NULL) {
        count++;
        dstrfree(d);
    }
    setTypeResetIterator(&si);
    assert_int_equal(count, 5);
    objDecrRef(ints);
    objDecrRef(copy2);
    objDecrRef(copy);
    objDecrRef(s);
}

static void test_member_forms(void **state) {
    (void)state;
    obj *s = setTypeCreateIntset();
    assert_int_equal(setTypeAddMember(s, NULL, 0, 42, 0), 1);
    assert_int_equal(setTypeAddMember(s, "42", 2, 0, 0), 0);
    assert_int_equal(setTypeIsMemberAux(s, NULL, 0, 42, 0), 1);
    assert_int_equal(setTypeAddMember(s, "x", 1, 0, 0), 1); /* -> listpack */
    assert_int_equal(s->encoding, ENC_LISTPACK);
    assert_int_equal(setTypeIsMemberAux(s, NULL, 0, 42, 0), 1);
    assert_int_equal(setTypeRemoveMember(s, NULL, 0, 42, 0), 1);
    assert_int_equal(setTypeRemoveMember(s, NULL, 0, 42, 0), 0);
    setTypeConvert(s, ENC_HASHTABLE);
    assert_int_equal(setTypeAddMember(s, NULL, 0, -7, 0), 1);
    assert_true(setTypeIsMember(s, "-7", 2));
    const char *str;
    size_t len;
    int64_t v;
    assert_int_equal(setTypeRandomElement(s, &str, &len, &v), ENC_HASHTABLE);
    assert_non_null(str);
    assert_int_equal(setTypeSize(s), 2);
    objDecrRef(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_listpack_blobs_match_redis72, setup_defaults),
        cmocka_unit_test_setup(test_listpack_128_limit, setup_defaults),
        cmocka_unit_test_setup(test_intset_blobs_match_redis, setup_defaults),
        cmocka_unit_test_setup(test_create_from_blobs, setup_defaults),
        cmocka_unit_test_setup(test_validate_listpack, setup_defaults),
        cmocka_unit_test_setup(test_loader, setup_defaults),
        cmocka_unit_test_setup(test_conversions_keep_members, setup_defaults),
        cmocka_unit_test_setup(test_member_forms, setup_defaults),
    };
    setTypeRegister();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
