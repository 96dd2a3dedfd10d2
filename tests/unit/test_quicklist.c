/* Unit tests for src/quicklist.c: node boundaries and bytes against real
 * Redis 7.0.15 / Valkey (7.2 line) DUMP payloads from /work/shared/vectors,
 * fill and compression rules, PLAIN nodes, and every editing operation checked
 * against a simple array model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzf.h>

#include "listpack.h"
#include "quicklist.h"
#include "zmalloc.h"

/* ---- model ------------------------------------------------------------------- */

typedef struct {
    char **v;
    size_t *l;
    long n, cap;
} model_t;

static void m_init(model_t *m) {
    m->v = NULL;
    m->l = NULL;
    m->n = m->cap = 0;
}
static void m_free(model_t *m) {
    for (long i = 0; i < m->n; i++) zfree(m->v[i]);
    zfree(m->v);
    zfree(m->l);
    m_init(m);
}
static void m_insert(model_t *m, long at, const char *s, size_t len) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = zrealloc(m->v, sizeof(char *) * (size_t)m->cap);
        m->l = zrealloc(m->l, sizeof(size_t) * (size_t)m->cap);
    }
    memmove(&m->v[at + 1], &m->v[at], sizeof(char *) * (size_t)(m->n - at));
    memmove(&m->l[at + 1], &m->l[at], sizeof(size_t) * (size_t)(m->n - at));
    m->v[at] = zmalloc(len ? len : 1);
    if (len) memcpy(m->v[at], s, len);
    m->l[at] = len;
    m->n++;
}
static void m_delete(model_t *m, long at) {
    zfree(m->v[at]);
    memmove(&m->v[at], &m->v[at + 1], sizeof(char *) * (size_t)(m->n - at - 1));
    memmove(&m->l[at], &m->l[at + 1], sizeof(size_t) * (size_t)(m->n - at - 1));
    m->n--;
}
static void m_set(model_t *m, long at, const char *s, size_t len) {
    zfree(m->v[at]);
    m->v[at] = zmalloc(len ? len : 1);
    if (len) memcpy(m->v[at], s, len);
    m->l[at] = len;
}

/* Text of a quicklist entry into buf (integers as decimal). */
static size_t entry_text(const quicklistEntry *e, char *buf, size_t cap) {
    if (e->value) {
        assert_true(e->sz <= cap);
        memcpy(buf, e->value, e->sz);
        return e->sz;
    }
    return (size_t)snprintf(buf, cap, "%lld", e->longval);
}

static char *textbuf; /* 1 MB scratch */

/* Structure checks: links, counts, head/tail raw, every node decodes. */
static void check_invariants(quicklist *ql) {
    unsigned long count = 0, len = 0;
    quicklistNode *prev = NULL;
    assert_true(ql->head == NULL || ql->head->prev == NULL);
    assert_true(ql->tail == NULL || ql->tail->next == NULL);
    if (ql->head) {
        assert_int_equal(ql->head->encoding, QUICKLIST_NODE_ENCODING_RAW);
        assert_int_equal(ql->tail->encoding, QUICKLIST_NODE_ENCODING_RAW);
    }
    for (quicklistNode *n = ql->head; n; n = n->next) {
        assert_ptr_equal(n->prev, prev);
        assert_true(n->count > 0);
        unsigned char *raw = n->entry, *tmp = NULL;
        if (n->encoding == QUICKLIST_NODE_ENCODING_LZF) {
            const unsigned char *d;
            size_t clen;
            assert_int_equal(quicklistNodeBlob(n, &d, &clen), 1);
            assert_true(clen + 8 < n->sz);
            tmp = zmalloc(n->sz);
            assert_int_equal(lzf_decompress(d, (unsigned int)clen, tmp, (unsigned int)n->sz), n->sz);
            raw = tmp;
        }
        if (n->container == QUICKLIST_NODE_CONTAINER_PACKED) {
            assert_true(lpValidateIntegrity(raw, n->sz, 1, NULL, NULL));
            assert_int_equal(lpLength(raw), n->count);
        } else {
            assert_int_equal(n->container, QUICKLIST_NODE_CONTAINER_PLAIN);
            assert_int_equal(n->count, 1);
        }
        zfree(tmp);
        count += n->count;
        len++;
        prev = n;
    }
    assert_ptr_equal(ql->tail, prev);
    assert_int_equal(count, ql->count);
    assert_int_equal(len, ql->len);
}

/* Compare the list with the model, forwards, backwards and by index. */
static void check_model(quicklist *ql, const model_t *m) {
    check_invariants(ql);
    assert_int_equal(quicklistCount(ql), (unsigned long)m->n);
    quicklistIter *it = quicklistGetIterator(ql, AL_START_HEAD);
    quicklistEntry e;
    long i = 0;
    while (quicklistNext(it, &e)) {
        assert_true(i < m->n);
        size_t l = entry_text(&e, textbuf, 1 << 20);
        assert_int_equal(l, m->l[i]);
        assert_memory_equal(textbuf, m->v[i], l);
        assert_true(quicklistCompare(&e, (unsigned char *)m->v[i], m->l[i]));
        i++;
    }
    quicklistReleaseIterator(it);
    assert_int_equal(i, m->n);
    it = quicklistGetIterator(ql, AL_START_TAIL);
    i = m->n - 1;
    while (quicklistNext(it, &e)) {
        size_t l = entry_text(&e, textbuf, 1 << 20);
        assert_int_equal(l, m->l[i]);
        assert_memory_equal(textbuf, m->v[i], l);
        i--;
    }
    quicklistReleaseIterator(it);
    assert_int_equal(i, -1);
    /* A few random indexes, both signs. */
    for (int k = 0; k < 4 && m->n; k++) {
        long idx = (long)(random() % m->n);
        long q = (k & 1) ? idx - m->n : idx;
        it = quicklistGetIteratorEntryAtIdx(ql, q, &e);
        assert_non_null(it);
        size_t l = entry_text(&e, textbuf, 1 << 20);
        assert_int_equal(l, m->l[idx]);
        assert_memory_equal(textbuf, m->v[idx], l);
        quicklistReleaseIterator(it);
    }
    assert_null(quicklistGetIteratorEntryAtIdx(ql, m->n, &e));
    assert_null(quicklistGetIteratorEntryAtIdx(ql, -m->n - 1, &e));
    check_invariants(ql);
}

static uint64_t fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Raw (decompressed) bytes of a node into a new buffer. */
static unsigned char *node_raw(const quicklistNode *n) {
    unsigned char *out = zmalloc(n->sz ? n->sz : 1);
    const unsigned char *d;
    size_t len;
    if (quicklistNodeBlob(n, &d, &len)) {
        assert_int_equal(lzf_decompress(d, (unsigned int)len, out, (unsigned int)n->sz), n->sz);
    } else {
        assert_int_equal(len, n->sz);
        memcpy(out, d, len);
    }
    return out;
}

typedef struct {
    unsigned count;
    size_t sz;
    uint64_t hash;
} node_expect;

static void check_nodes(quicklist *ql, const node_expect *ex, size_t n) {
    assert_int_equal(ql->len, n);
    size_t i = 0;
    for (quicklistNode *node = ql->head; node; node = node->next, i++) {
        assert_int_equal(node->count, ex[i].count);
        assert_int_equal(node->sz, ex[i].sz);
        unsigned char *raw = node_raw(node);
        assert_true(fnv1a(raw, node->sz) == ex[i].hash);
        zfree(raw);
    }
}

/* ---- real vectors ------------------------------------------------------------ */

/* redis-7.0.15/lists.json large_5000_items (and _compress_depth_1, same
 * bytes): RPUSH l item:0 .. item:4999 on a quicklist with fill -2. Per node:
 * entries, listpack bytes, FNV-1a 64 of the (LZF-decompressed) listpack. */
static const node_expect REDIS_5000[] = {
    {828, 8177, 0xcc65f4964c87703fULL}, {759, 8184, 0x7f5799229995d96fULL},
    {743, 8180, 0x9b781973e7f56e7cULL}, {743, 8180, 0x00975c1a42fa4b95ULL},
    {743, 8180, 0x614300cbb0783c74ULL}, {743, 8180, 0xdf4c636331492cbdULL},
    {441, 4858, 0x1bdc7f114c16bedfULL},
};
/* The LZF form of those nodes in redis-7.0.15 large_5000_items_compress_depth_1:
 * raw size, compressed size, FNV-1a 64 of the compressed bytes. */
static const node_expect REDIS_5000_LZF[] = {
    {8177, 4059, 0x9dfce1fd1d42b757ULL}, {8184, 3798, 0xfa6b7d92671721adULL},
    {8180, 3564, 0x2fbffa86b2926119ULL}, {8180, 3671, 0x7eb9bda8f25284beULL},
    {8180, 3706, 0x84fc8f8c66dfd4feULL}, {8180, 3566, 0x7d911e36b9286445ULL},
    {4858, 2228, 0x3fdf442c7fa111e3ULL},
};
/* valkey-55bbbe0/lists.json large_5000_items: the same RPUSH batches of 1000
 * on Valkey (Redis 7.2 list code): the first batch fits a listpack-encoded list
 * (7 + sum of lengths <= 8192), which becomes the first quicklist node as is
 * when the second batch converts the list; the rest are plain pushes. */
static const node_expect VALKEY_5000[] = {
    {1000, 9897, 0x9e6c8db0b3661ed6ULL}, {743, 8180, 0x38d829cd2b5be9e9ULL},
    {743, 8180, 0x94a7a9bee04c2f38ULL},  {743, 8180, 0x4e90c43ce9a73cb4ULL},
    {743, 8180, 0x68e0815fa9fef9d5ULL},  {743, 8180, 0x79a8c9e0974906cfULL},
    {285, 3142, 0xbfb30fe7a05b744bULL},
};

static void push_items(quicklist *ql, int from, int to) {
    char buf[32];
    for (int i = from; i < to; i++) {
        int n = snprintf(buf, sizeof(buf), "item:%d", i);
        quicklistPushTail(ql, buf, (size_t)n);
    }
}

static void test_5000_items_redis_layout(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(-2, 0);
    push_items(ql, 0, 5000);
    check_nodes(ql, REDIS_5000, 7);
    check_invariants(ql);
    quicklistRelease(ql);
}

static void test_5000_items_valkey_layout(void **state) {
    (void)state;
    unsigned char *lp = lpNew(0);
    char buf[32];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(buf, sizeof(buf), "item:%d", i);
        lp = lpAppend(lp, (unsigned char *)buf, (uint32_t)n);
    }
    quicklist *ql = quicklistNew(-2, 0);
    quicklistAppendListpack(ql, lp);
    push_items(ql, 1000, 5000);
    check_nodes(ql, VALKEY_5000, 7);
    quicklistRelease(ql);
}

static void test_5000_items_compress_depth_1(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(-2, 1);
    push_items(ql, 0, 5000);
    check_nodes(ql, REDIS_5000, 7);
    check_invariants(ql);
    /* Head and tail raw, the five interior nodes compressed. */
    size_t i = 0;
    for (quicklistNode *n = ql->head; n; n = n->next, i++) {
        int interior = n != ql->head && n != ql->tail;
        assert_int_equal(quicklistNodeIsCompressed(n), interior);
        if (interior) {
            void *d;
            size_t clen = quicklistGetLzf(n, &d);
            /* Our LZF output is the very bytes Redis wrote (same lzf algorithm). */
            assert_int_equal(clen, REDIS_5000_LZF[i].sz);
            assert_true(fnv1a(d, clen) == REDIS_5000_LZF[i].hash);
        }
    }
    /* Reading everything keeps the structure and the values. */
    model_t m;
    m_init(&m);
    for (int k = 0; k < 5000; k++) {
        int n = snprintf(textbuf, 64, "item:%d", k);
        m_insert(&m, k, textbuf, (size_t)n);
    }
    check_model(ql, &m);
    for (quicklistNode *n = ql->head->next; n != ql->tail; n = n->next) assert_true(quicklistNodeIsCompressed(n));
    /* Popping from both ends decompresses the nodes that become ends. */
    for (int k = 0; k < 2500; k++) {
        unsigned char *d;
        size_t sz;
        long long sv;
        assert_int_equal(quicklistPop(ql, QUICKLIST_HEAD, &d, &sz, &sv), 1);
        assert_int_equal(sz, m.l[0]);
        assert_memory_equal(d, m.v[0], sz);
        zfree(d);
        m_delete(&m, 0);
        assert_int_equal(quicklistPop(ql, QUICKLIST_TAIL, &d, &sz, &sv), 1);
        assert_memory_equal(d, m.v[m.n - 1], sz);
        zfree(d);
        m_delete(&m, m.n - 1);
        if (k % 250 == 0) check_invariants(ql);
    }
    assert_int_equal(quicklistCount(ql), 0);
    assert_null(ql->head);
    m_free(&m);
    quicklistRelease(ql);
}

/* redis-7.0.15/lists.json random_300x40_multi_node: fill 16, 300 elements of
 * 40 bytes -> 18 nodes of 16 (679 bytes) and one of 12 (511 bytes). */
static void test_fill_16(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(16, 0);
    char s[41];
    for (int i = 0; i < 300; i++) {
        for (int j = 0; j < 40; j++) s[j] = (char)('A' + (i * 7 + j) % 26);
        quicklistPushTail(ql, s, 40);
    }
    assert_int_equal(ql->len, 19);
    int i = 0;
    for (quicklistNode *n = ql->head; n; n = n->next, i++) {
        assert_int_equal(n->count, i < 18 ? 16 : 12);
        assert_int_equal(n->sz, i < 18 ? 679 : 511);
    }
    quicklistRelease(ql);
}

/* redis-7.0.15/lists.json listpack_string_len_classes: "", "k", 63, 64, 4095,
 * 4096 and 5000 byte strings with fill -2 -> nodes of 5 (4243 bytes),
 * 1 (4110) and 1 (5014). */
static void test_string_len_classes_nodes(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(-2, 0);
    size_t lens[] = {0, 1, 63, 64, 4095, 4096, 5000};
    char *s = zmalloc(5000);
    memset(s, 'k', 5000);
    for (size_t i = 0; i < 7; i++) quicklistPushTail(ql, s, lens[i]);
    zfree(s);
    assert_int_equal(ql->len, 3);
    assert_int_equal(ql->head->count, 5);
    assert_int_equal(ql->head->sz, 4243);
    assert_int_equal(ql->head->next->count, 1);
    assert_int_equal(ql->head->next->sz, 4110);
    assert_int_equal(ql->tail->count, 1);
    assert_int_equal(ql->tail->sz, 5014);
    quicklistRelease(ql);
}

/* element_over_8k: RPUSH l x <9000 bytes> y with fill -2.
 * valkey-55bbbe0: [PACKED 1, 10 bytes] [PLAIN 9000] [PACKED 1, 10 bytes];
 * redis-7.0.15 (1 GB threshold): three PACKED nodes of 10, 9014, 10 bytes. */
static void test_element_over_8k(void **state) {
    (void)state;
    const unsigned char node_x[] = {0x0a, 0, 0, 0, 1, 0, 0x81, 0x78, 0x02, 0xff};
    char *big = zmalloc(9000);
    memset(big, 'c', 9000);
    for (int mode = 0; mode < 2; mode++) {
        if (mode == 1) assert_true(quicklistSetPackedThreshold(1u << 30));
        quicklist *ql = quicklistNew(-2, 0);
        quicklistPushTail(ql, "x", 1);
        assert_int_equal(quicklistPushTail(ql, big, 9000), 1);
        quicklistPushTail(ql, "y", 1);
        assert_int_equal(ql->len, 3);
        assert_int_equal(ql->head->sz, 10);
        assert_memory_equal(ql->head->entry, node_x, 10);
        quicklistNode *mid = ql->head->next;
        if (mode == 0) {
            assert_int_equal(mid->container, QUICKLIST_NODE_CONTAINER_PLAIN);
            assert_int_equal(mid->sz, 9000);
            assert_memory_equal(mid->entry, big, 9000);
        } else {
            assert_int_equal(mid->container, QUICKLIST_NODE_CONTAINER_PACKED);
            assert_int_equal(mid->sz, 9014);
        }
        assert_int_equal(ql->tail->sz, 10);
        check_invariants(ql);
        quicklistRelease(ql);
    }
    assert_true(quicklistSetPackedThreshold(0));
    zfree(big);
}

/* plain_nodes (both servers, Valkey with fill 2): packed threshold 100, RPUSH
 * a b <200 bytes> c <300 'z'> -> [PACKED a b] [PLAIN 200] [PACKED c] [PLAIN 300]. */
static void test_plain_nodes_vector(void **state) {
    (void)state;
    const unsigned char node_ab[] = {0x0d, 0, 0, 0, 2, 0, 0x81, 0x61, 0x02, 0x81, 0x62, 0x02, 0xff};
    const unsigned char node_c[] = {0x0a, 0, 0, 0, 1, 0, 0x81, 0x63, 0x02, 0xff};
    char s200[200], z300[300];
    memset(s200, 'e', 200);
    memset(z300, 'z', 300);
    assert_true(quicklistSetPackedThreshold(100));
    quicklist *ql = quicklistNew(2, 0);
    quicklistPushTail(ql, "a", 1);
    quicklistPushTail(ql, "b", 1);
    quicklistPushTail(ql, s200, 200);
    quicklistPushTail(ql, "c", 1);
    quicklistPushTail(ql, z300, 300);
    assert_int_equal(ql->len, 4);
    quicklistNode *n = ql->head;
    assert_int_equal(n->container, QUICKLIST_NODE_CONTAINER_PACKED);
    assert_int_equal(n->sz, sizeof(node_ab));
    assert_memory_equal(n->entry, node_ab, sizeof(node_ab));
    n = n->next;
    assert_int_equal(n->container, QUICKLIST_NODE_CONTAINER_PLAIN);
    assert_int_equal(n->sz, 200);
    n = n->next;
    assert_int_equal(n->sz, sizeof(node_c));
    assert_memory_equal(n->entry, node_c, sizeof(node_c));
    n = n->next;
    assert_int_equal(n->container, QUICKLIST_NODE_CONTAINER_PLAIN);
    assert_int_equal(n->sz, 300);
    quicklistRelease(ql);

    /* With compress depth 1 the interior PLAIN node of 200 similar bytes is
     * stored compressed, and reads back intact. */
    ql = quicklistNew(2, 1);
    quicklistPushTail(ql, "a", 1);
    quicklistPushTail(ql, "b", 1);
    quicklistPushTail(ql, s200, 200);
    quicklistPushTail(ql, "c", 1);
    quicklistPushTail(ql, z300, 300);
    assert_true(quicklistNodeIsCompressed(ql->head->next));
    assert_false(quicklistNodeIsCompressed(ql->tail));
    model_t m;
    m_init(&m);
    m_insert(&m, 0, "a", 1);
    m_insert(&m, 1, "b", 1);
    m_insert(&m, 2, s200, 200);
    m_insert(&m, 3, "c", 1);
    m_insert(&m, 4, z300, 300);
    check_model(ql, &m);
    m_free(&m);
    quicklistRelease(ql);
    assert_true(quicklistSetPackedThreshold(0));
}

/* ---- fill and compression rules --------------------------------------------- */

static void test_limits(void **state) {
    (void)state;
    size_t sz;
    unsigned int cnt;
    const size_t neg[] = {4096, 8192, 16384, 32768, 65536};
    for (int f = -1; f >= -5; f--) {
        quicklistNodeLimit(f, &sz, &cnt);
        assert_int_equal(sz, neg[-f - 1]);
        assert_int_equal(cnt, UINT32_MAX);
        assert_false(quicklistNodeExceedsLimit(f, neg[-f - 1], 100000));
        assert_true(quicklistNodeExceedsLimit(f, neg[-f - 1] + 1, 1));
        assert_false(quicklistIsLargeElement(neg[-f - 1], f));
        assert_true(quicklistIsLargeElement(neg[-f - 1] + 1, f));
    }
    quicklistNodeLimit(-100, &sz, &cnt);
    assert_int_equal(sz, 65536);
    quicklistNodeLimit(0, &sz, &cnt);
    assert_int_equal(cnt, 1);
    assert_int_equal(sz, SIZE_MAX);
    quicklistNodeLimit(128, &sz, &cnt);
    assert_int_equal(cnt, 128);
    assert_false(quicklistNodeExceedsLimit(128, 8192, 128));
    assert_true(quicklistNodeExceedsLimit(128, 8193, 2));
    assert_true(quicklistNodeExceedsLimit(128, 100, 129));
    assert_false(quicklistIsLargeElement(8192, 5));
    assert_true(quicklistIsLargeElement(8193, 5));

    assert_false(quicklistSetPackedThreshold((size_t)1 << 33));
    assert_true(quicklistSetPackedThreshold(1000));
    assert_true(quicklistIsLargeElement(1000, -5));
    assert_false(quicklistIsLargeElement(999, -1));
    assert_true(quicklistSetPackedThreshold(0));
    assert_false(quicklistIsLargeElement(1000, -1));

    quicklist *ql = quicklistNew(100000, -3);
    assert_int_equal(ql->fill, QUICKLIST_FILL_MAX);
    assert_int_equal(ql->compress, 0);
    quicklistSetOptions(ql, -9, 1 << 20);
    assert_int_equal(ql->fill, -5);
    assert_int_equal(ql->compress, QUICKLIST_COMPRESS_MAX);
    quicklistRelease(ql);
    ql = quicklistCreate();
    assert_int_equal(ql->fill, -2);
    assert_int_equal(ql->compress, 0);
    quicklistRelease(ql);
}

static void test_fill_rules(void **state) {
    (void)state;
    char s[100];
    memset(s, 's', 100);
    /* fill 0 = one element per node. */
    quicklist *ql = quicklistNew(0, 0);
    for (int i = 0; i < 5; i++) quicklistPushTail(ql, s, 3);
    assert_int_equal(ql->len, 5);
    quicklistRelease(ql);
    /* Positive fill is capped by the 8 KB safety size: 79 entries of 103 bytes
     * (7 + 78*103 + 100 + 8 <= 8192, 7 + 79*103 + 108 > 8192). */
    ql = quicklistNew(1000, 0);
    for (int i = 0; i < 200; i++) quicklistPushTail(ql, s, 100);
    assert_int_equal(ql->head->count, 79);
    assert_int_equal(ql->head->next->count, 79);
    assert_int_equal(ql->tail->count, 42);
    quicklistRelease(ql);
    /* Negative fills: every node is within its limit and the next element
     * (plus the 8-byte estimate) would not have fit. Same from the head. */
    const size_t lim[] = {4096, 8192, 16384, 32768, 65536};
    for (int f = -1; f >= -5; f--) {
        for (int head = 0; head < 2; head++) {
            ql = quicklistNew(f, 0);
            for (int i = 0; i < 3000; i++) {
                if (head)
                    quicklistPushHead(ql, s, 1 + (size_t)i % 100);
                else
                    quicklistPushTail(ql, s, 1 + (size_t)i % 100);
            }
            for (quicklistNode *n = ql->head; n; n = n->next) {
                assert_true(n->sz <= lim[-f - 1]);
                if (n->next && !head) {
                    /* First element of the next node did not fit here. */
                    size_t next_len = (size_t)lpEntrySize(lpFirst(n->next->entry));
                    (void)next_len;
                    unsigned int sl;
                    long long lv;
                    lpGetValue(lpFirst(n->next->entry), &sl, &lv);
                    assert_true(n->sz + sl + 8 > lim[-f - 1]);
                }
            }
            check_invariants(ql);
            quicklistRelease(ql);
        }
    }
}

static void test_compression_rules(void **state) {
    (void)state;
    /* Small nodes (< 48 bytes) are never compressed. */
    quicklist *ql = quicklistNew(1, 1);
    for (int i = 0; i < 5; i++) quicklistPushTail(ql, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 29); /* node of 38 bytes */
    for (quicklistNode *n = ql->head; n; n = n->next) assert_false(quicklistNodeIsCompressed(n));
    quicklistRelease(ql);
    /* 48+ byte nodes of repetitive data are. */
    ql = quicklistNew(1, 1);
    for (int i = 0; i < 5; i++) quicklistPushTail(ql, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 59);
    assert_false(quicklistNodeIsCompressed(ql->head));
    for (quicklistNode *n = ql->head->next; n != ql->tail; n = n->next) assert_true(quicklistNodeIsCompressed(n));
    assert_false(quicklistNodeIsCompressed(ql->tail));
    quicklistRelease(ql);
    /* Incompressible data stays raw. */
    srandom(5);
    ql = quicklistNew(1, 1);
    for (int i = 0; i < 5; i++) {
        char r[200];
        for (int j = 0; j < 200; j++) r[j] = (char)random();
        quicklistPushTail(ql, r, 200);
    }
    for (quicklistNode *n = ql->head; n; n = n->next) assert_false(quicklistNodeIsCompressed(n));
    quicklistRelease(ql);
    /* Depth 2: two raw nodes at each end, interior compressed; a list of 4 or
     * fewer nodes is never compressed. */
    char s[100];
    memset(s, 'q', 100);
    ql = quicklistNew(1, 2);
    for (int i = 0; i < 4; i++) quicklistPushTail(ql, s, 100);
    for (quicklistNode *n = ql->head; n; n = n->next) assert_false(quicklistNodeIsCompressed(n));
    for (int i = 0; i < 4; i++) quicklistPushTail(ql, s, 100);
    int i = 0;
    for (quicklistNode *n = ql->head; n; n = n->next, i++)
        assert_int_equal(quicklistNodeIsCompressed(n), i >= 2 && i < 6);
    /* Deleting nodes pulls compressed ones into the depth: they get decompressed. */
    quicklistDelRange(ql, 0, 3);
    i = 0;
    for (quicklistNode *n = ql->head; n; n = n->next, i++) assert_false(quicklistNodeIsCompressed(n) && (i < 2 || i >= (int)ql->len - 2));
    check_invariants(ql);
    quicklistRelease(ql);
}

/* ---- operations --------------------------------------------------------------- */

static void test_push_pop(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(-2, 0);
    unsigned char *d;
    size_t sz;
    long long sv;
    assert_int_equal(quicklistPop(ql, QUICKLIST_HEAD, &d, &sz, &sv), 0);
    quicklistPush(ql, "hello", 5, QUICKLIST_TAIL);
    quicklistPush(ql, "-42", 3, QUICKLIST_HEAD);
    quicklistPush(ql, "9223372036854775807", 19, QUICKLIST_TAIL);
    quicklistPush(ql, "", 0, QUICKLIST_TAIL);
    assert_int_equal(quicklistCount(ql), 4);
    assert_int_equal(quicklistPop(ql, QUICKLIST_HEAD, &d, &sz, &sv), 1);
    assert_null(d);
    assert_int_equal(sv, -42);
    assert_int_equal(quicklistPop(ql, QUICKLIST_TAIL, &d, &sz, &sv), 1);
    assert_non_null(d);
    assert_int_equal(sz, 0);
    zfree(d);
    assert_int_equal(quicklistPop(ql, QUICKLIST_TAIL, &d, &sz, &sv), 1);
    assert_null(d);
    assert_true(sv == INT64_MAX);
    assert_int_equal(quicklistPopCustom(ql, QUICKLIST_TAIL, NULL, &sz, NULL, NULL), 1);
    assert_int_equal(sz, 5);
    assert_int_equal(quicklistCount(ql), 0);
    assert_int_equal(ql->len, 0);
    /* PLAIN nodes pop too. */
    char big[9000];
    memset(big, 'b', sizeof(big));
    quicklistPushHead(ql, big, sizeof(big));
    quicklistPushHead(ql, "x", 1);
    assert_int_equal(ql->len, 2);
    assert_int_equal(quicklistPop(ql, QUICKLIST_TAIL, &d, &sz, &sv), 1);
    assert_int_equal(sz, 9000);
    assert_memory_equal(d, big, 9000);
    zfree(d);
    check_invariants(ql);
    quicklistRelease(ql);
}

static void test_replace(void **state) {
    (void)state;
    model_t m;
    m_init(&m);
    quicklist *ql = quicklistNew(4, 1);
    char buf[32];
    for (int i = 0; i < 20; i++) {
        int n = snprintf(buf, sizeof(buf), "v%d", i);
        quicklistPushTail(ql, buf, (size_t)n);
        m_insert(&m, i, buf, (size_t)n);
    }
    /* In place. */
    assert_int_equal(quicklistReplaceAtIndex(ql, 5, "five", 4), 1);
    m_set(&m, 5, "five", 4);
    assert_int_equal(quicklistReplaceAtIndex(ql, -1, "12345", 5), 1);
    m_set(&m, 19, "12345", 5);
    assert_int_equal(quicklistReplaceAtIndex(ql, 20, "x", 1), 0);
    assert_int_equal(quicklistReplaceAtIndex(ql, -21, "x", 1), 0);
    check_model(ql, &m);
    /* A large element into a packed node: it gets its own PLAIN node, in
     * the middle, at the head and at the tail of a node. */
    char *big = zmalloc(9000);
    memset(big, 'B', 9000);
    long spots[] = {9, 8, 11, 0, -1};
    for (size_t k = 0; k < 5; k++) {
        long idx = spots[k] < 0 ? m.n + spots[k] : spots[k];
        big[0] = (char)('0' + k);
        assert_int_equal(quicklistReplaceAtIndex(ql, spots[k], big, 9000), 1);
        m_set(&m, idx, big, 9000);
        check_model(ql, &m);
    }
    /* PLAIN replaced by another large element, then by a small one. */
    big[0] = 'Z';
    assert_int_equal(quicklistReplaceAtIndex(ql, 9, big, 9000), 1);
    m_set(&m, 9, big, 9000);
    check_model(ql, &m);
    assert_int_equal(quicklistReplaceAtIndex(ql, 9, "small", 5), 1);
    m_set(&m, 9, "small", 5);
    check_model(ql, &m);
    assert_int_equal(quicklistReplaceAtIndex(ql, 0, "7", 1), 1);
    m_set(&m, 0, "7", 1);
    check_model(ql, &m);
    zfree(big);
    m_free(&m);
    quicklistRelease(ql);
}

/* Insert at `idx` (before) or after it, both in the list and the model. */
static void do_insert(quicklist *ql, model_t *m, long idx, int after, const char *s, size_t len) {
    quicklistEntry e;
    quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, idx, &e);
    assert_non_null(it);
    if (after)
        quicklistInsertAfter(it, &e, s, len);
    else
        quicklistInsertBefore(it, &e, s, len);
    quicklistReleaseIterator(it);
    long at = idx < 0 ? m->n + idx : idx;
    m_insert(m, at + (after ? 1 : 0), s, len);
}

static void test_insert(void **state) {
    (void)state;
    model_t m;
    m_init(&m);
    quicklist *ql = quicklistNew(4, 0);
    char buf[32];
    for (int i = 0; i < 12; i++) {
        int n = snprintf(buf, sizeof(buf), "e%d", i);
        quicklistPushTail(ql, buf, (size_t)n);
        m_insert(&m, i, buf, (size_t)n);
    }
    /* Nodes are full (4 each): after the tail of a node goes to a new node or
     * the next one; in the middle of a full node it splits. */
    do_insert(ql, &m, 3, 1, "after3", 6);
    check_model(ql, &m);
    do_insert(ql, &m, 4, 0, "before4", 7);
    check_model(ql, &m);
    do_insert(ql, &m, 1, 1, "mid", 3);
    check_model(ql, &m);
    do_insert(ql, &m, 0, 0, "first", 5);
    check_model(ql, &m);
    do_insert(ql, &m, -1, 1, "last", 4);
    check_model(ql, &m);
    /* Large elements via insert: at edges and splitting a node. */
    char *big = zmalloc(9000);
    memset(big, 'L', 9000);
    do_insert(ql, &m, 6, 1, big, 9000);
    check_model(ql, &m);
    do_insert(ql, &m, 2, 0, big, 9000);
    check_model(ql, &m);
    do_insert(ql, &m, 0, 0, big, 9000);
    check_model(ql, &m);
    /* Next to a PLAIN node. */
    do_insert(ql, &m, 0, 1, "afterplain", 10);
    check_model(ql, &m);
    zfree(big);
    quicklistRelease(ql);
    m_free(&m);

    /* Inserting into an empty list through an iterator with no element. */
    ql = quicklistNew(-2, 0);
    quicklistIter *it = quicklistGetIterator(ql, AL_START_HEAD);
    quicklistEntry e;
    assert_int_equal(quicklistNext(it, &e), 0);
    quicklistInsertAfter(it, &e, "only", 4);
    quicklistReleaseIterator(it);
    assert_int_equal(quicklistCount(ql), 1);
    check_invariants(ql);
    quicklistRelease(ql);
}

/* Splitting a full node in the middle and merging neighbours back. */
static void test_split_merge(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(8, 0);
    model_t m;
    m_init(&m);
    char buf[16];
    for (int i = 0; i < 16; i++) {
        int n = snprintf(buf, sizeof(buf), "%c", 'a' + i);
        quicklistPushTail(ql, buf, (size_t)n);
        m_insert(&m, i, buf, (size_t)n);
    }
    assert_int_equal(ql->len, 2);
    do_insert(ql, &m, 3, 1, "X", 1); /* splits node 1: [a..d] [X e..h] */
    check_model(ql, &m);
    assert_int_equal(ql->len, 3);
    assert_int_equal(ql->head->count, 4);
    assert_int_equal(ql->head->next->count, 5);
    do_insert(ql, &m, 10, 0, "W", 1); /* before j, in [i..p]: [i] + W goes to the split-off part */
    check_model(ql, &m);
    /* Deleting from the tail node, then splitting again lets merges happen. */
    quicklistDelRange(ql, -8, 6);
    long from = m.n - 8;
    for (int k = 0; k < 6; k++) m_delete(&m, from);
    check_model(ql, &m);
    /* [a b c d] [X e f g h i] [o p]: room in the head node, no split. */
    do_insert(ql, &m, 1, 1, "Y", 1);
    check_model(ql, &m);
    assert_int_equal(ql->len, 3);
    assert_int_equal(ql->head->count, 5);
    assert_int_equal(ql->head->next->count, 6);
    assert_int_equal(ql->tail->count, 2);
    m_free(&m);
    quicklistRelease(ql);

    /* [0..7] [8] [16]: inserting after 5 splits the full head node into
     * [0..5] and [X 6 7], and the split-off part merges with [8]. */
    ql = quicklistNew(8, 0);
    m_init(&m);
    for (int i = 0; i < 24; i++) {
        int n = snprintf(buf, sizeof(buf), "%d", i);
        quicklistPushTail(ql, buf, (size_t)n);
        m_insert(&m, i, buf, (size_t)n);
    }
    quicklistDelRange(ql, 9, 7);
    for (int k = 0; k < 7; k++) m_delete(&m, 9);
    quicklistDelRange(ql, -7, 7);
    for (int k = 0; k < 7; k++) m_delete(&m, m.n - 1);
    assert_int_equal(ql->len, 3);
    do_insert(ql, &m, 5, 1, "X", 1);
    check_model(ql, &m);
    assert_int_equal(ql->len, 3);
    assert_int_equal(ql->head->count, 6);
    assert_int_equal(ql->head->next->count, 4);
    assert_int_equal(ql->tail->count, 1);
    m_free(&m);
    quicklistRelease(ql);
}

static void test_del_range(void **state) {
    (void)state;
    struct {
        long start, count;
    } cases[] = {{0, 1}, {0, 100}, {5, 10}, {-1, 1}, {-10, 5}, {-10, 100}, {95, 10}, {100, 1},
                 {-101, 1}, {3, 0}, {50, -1}, {0, 1000}, {-100, 100}, {17, 33}};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (int compress = 0; compress < 2; compress++) {
            quicklist *ql = quicklistNew(7, compress);
            model_t m;
            m_init(&m);
            char buf[64];
            for (int i = 0; i < 100; i++) {
                int n = snprintf(buf, sizeof(buf), "element-number-%d-with-some-padding-xxxxxxxx", i);
                quicklistPushTail(ql, buf, (size_t)n);
                m_insert(&m, i, buf, (size_t)n);
            }
            long s = cases[c].start, cnt = cases[c].count;
            long from = s < 0 ? m.n + s : s;
            int expect = cnt > 0 && from >= 0 && from < m.n;
            assert_int_equal(quicklistDelRange(ql, s, cnt), expect);
            if (expect) {
                long todel = cnt;
                if (todel > m.n - from) todel = m.n - from;
                for (long k = 0; k < todel; k++) m_delete(&m, from);
            }
            check_model(ql, &m);
            m_free(&m);
            quicklistRelease(ql);
        }
    }
}

static void test_iter_delete(void **state) {
    (void)state;
    for (int dir = 0; dir < 2; dir++) {
        quicklist *ql = quicklistNew(5, 1);
        model_t m;
        m_init(&m);
        char buf[32];
        for (int i = 0; i < 200; i++) {
            int n = snprintf(buf, sizeof(buf), "%d", i);
            if (i % 50 == 7) {
                /* a PLAIN element now and then */
                char *big = zmalloc(9000);
                memset(big, 'p', 9000);
                memcpy(big, buf, (size_t)n);
                quicklistPushTail(ql, big, 9000);
                m_insert(&m, i, big, 9000);
                zfree(big);
            } else {
                quicklistPushTail(ql, buf, (size_t)n);
                m_insert(&m, i, buf, (size_t)n);
            }
        }
        /* Delete every element whose text starts with an even digit. */
        quicklistIter *it = quicklistGetIterator(ql, dir == 0 ? AL_START_HEAD : AL_START_TAIL);
        quicklistEntry e;
        int visited = 0;
        while (quicklistNext(it, &e)) {
            visited++;
            size_t l = entry_text(&e, textbuf, 1 << 20);
            assert_true(l > 0);
            if ((textbuf[0] - '0') % 2 == 0) quicklistDelEntry(it, &e);
        }
        quicklistReleaseIterator(it);
        assert_int_equal(visited, 200);
        for (long i = m.n - 1; i >= 0; i--)
            if ((m.v[i][0] - '0') % 2 == 0) m_delete(&m, i);
        check_model(ql, &m);
        /* Delete everything. */
        it = quicklistGetIterator(ql, dir == 0 ? AL_START_TAIL : AL_START_HEAD);
        while (quicklistNext(it, &e)) quicklistDelEntry(it, &e);
        quicklistReleaseIterator(it);
        assert_int_equal(quicklistCount(ql), 0);
        assert_int_equal(ql->len, 0);
        m_free(&m);
        quicklistRelease(ql);
    }
}

static void test_iterator_at_idx(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(3, 0);
    char buf[16];
    for (int i = 0; i < 10; i++) {
        int n = snprintf(buf, sizeof(buf), "%d", i);
        quicklistPushTail(ql, buf, (size_t)n);
    }
    quicklistEntry e;
    quicklistIter *it = quicklistGetIteratorAtIdx(ql, AL_START_HEAD, 4);
    for (int i = 4; i < 10; i++) {
        assert_true(quicklistNext(it, &e));
        assert_int_equal(e.longval, i);
    }
    assert_false(quicklistNext(it, &e));
    quicklistReleaseIterator(it);
    it = quicklistGetIteratorAtIdx(ql, AL_START_TAIL, -3);
    for (int i = 7; i >= 0; i--) {
        assert_true(quicklistNext(it, &e));
        assert_int_equal(e.longval, i);
    }
    assert_false(quicklistNext(it, &e));
    quicklistReleaseIterator(it);
    it = quicklistGetIteratorAtIdx(ql, AL_START_HEAD, 0);
    quicklistSetDirection(it, AL_START_TAIL);
    assert_true(quicklistNext(it, &e));
    assert_int_equal(e.longval, 0);
    assert_false(quicklistNext(it, &e));
    quicklistReleaseIterator(it);
    assert_null(quicklistGetIteratorAtIdx(ql, AL_START_HEAD, 10));
    assert_null(quicklistGetIteratorAtIdx(ql, AL_START_HEAD, -11));
    assert_false(quicklistNext(NULL, &e));
    quicklistReleaseIterator(NULL);
    quicklistRelease(ql);
}

/* quicklistVisitRange against the model, over listpack, PLAIN and
 * compressed nodes, both directions; compressed nodes stay compressed. */
typedef struct {
    model_t *m;
    long next, step, seen;
} visit_check;

static void visit_cb(void *ctx, const unsigned char *s, size_t len, long long v) {
    visit_check *vc = ctx;
    char buf[32];
    if (!s) {
        len = (size_t)snprintf(buf, sizeof(buf), "%lld", v);
        s = (const unsigned char *)buf;
    }
    assert_true(vc->next >= 0 && vc->next < vc->m->n);
    assert_int_equal(len, vc->m->l[vc->next]);
    assert_memory_equal(s, vc->m->v[vc->next], len);
    vc->next += vc->step;
    vc->seen++;
}

static void test_visit_range(void **state) {
    (void)state;
    assert_true(quicklistSetPackedThreshold(100));
    for (int compress = 0; compress <= 1; compress++) {
        quicklist *ql = quicklistNew(4, compress);
        model_t m;
        m_init(&m);
        char buf[200];
        for (int i = 0; i < 90; i++) {
            int n;
            if (i % 7 == 0) n = snprintf(buf, sizeof(buf), "%d", i * 1000 - 7);
            else if (i % 11 == 0) n = (int)(memset(buf, 'a' + i % 26, 150), 150);
            else n = snprintf(buf, sizeof(buf), "value-%04d-xxxxxxxxxxxx", i);
            quicklistPushTail(ql, buf, (size_t)n);
            m_insert(&m, m.n, buf, (size_t)n);
        }
        int before[64], nodes = 0;
        for (quicklistNode *n = ql->head; n && nodes < 64; n = n->next) before[nodes++] = quicklistNodeIsCompressed(n);
        if (compress) assert_true(before[nodes / 2]);
        const long starts[] = {0, 1, 3, 4, 10, 44, 45, 77, 88, 89};
        const long counts[] = {1, 2, 5, 30, 1000};
        for (size_t a = 0; a < sizeof(starts) / sizeof(starts[0]); a++) {
            for (size_t b = 0; b < sizeof(counts) / sizeof(counts[0]); b++) {
                for (int rev = 0; rev <= 1; rev++) {
                    visit_check vc = {&m, starts[a], rev ? -1 : 1, 0};
                    unsigned long got = quicklistVisitRange(ql, (unsigned long)starts[a], (unsigned long)counts[b],
                                                            rev, visit_cb, &vc);
                    long avail = rev ? starts[a] + 1 : m.n - starts[a];
                    long want = counts[b] < avail ? counts[b] : avail;
                    assert_int_equal(got, want);
                    assert_int_equal(vc.seen, want);
                }
            }
        }
        assert_int_equal(quicklistVisitRange(ql, 90, 5, 0, visit_cb, NULL), 0);
        assert_int_equal(quicklistVisitRange(ql, 3, 0, 0, visit_cb, NULL), 0);
        int k = 0;
        for (quicklistNode *n = ql->head; n && k < 64; n = n->next, k++)
            assert_int_equal(quicklistNodeIsCompressed(n), before[k]);
        m_free(&m);
        quicklistRelease(ql);
    }
    assert_true(quicklistSetPackedThreshold(0));
}

static void test_rotate(void **state) {
    (void)state;
    for (int fill = 1; fill <= 4; fill += 3) {
        quicklist *ql = quicklistNew(fill, 1);
        model_t m;
        m_init(&m);
        quicklistRotate(ql); /* empty: nothing */
        quicklistPushTail(ql, "only", 4);
        quicklistRotate(ql); /* one element: nothing */
        m_insert(&m, 0, "only", 4);
        check_model(ql, &m);
        char buf[64];
        for (int i = 0; i < 9; i++) {
            int n = snprintf(buf, sizeof(buf), i % 2 ? "%d" : "str%d-padding-padding-padding-padding-padding", i);
            quicklistPushTail(ql, buf, (size_t)n);
            m_insert(&m, m.n, buf, (size_t)n);
        }
        char *big = zmalloc(9000);
        memset(big, 'R', 9000);
        quicklistPushTail(ql, big, 9000);
        m_insert(&m, m.n, big, 9000);
        zfree(big);
        for (int r = 0; r < 25; r++) {
            quicklistRotate(ql);
            m_insert(&m, 0, m.v[m.n - 1], m.l[m.n - 1]);
            m_delete(&m, m.n - 1);
            check_model(ql, &m);
        }
        m_free(&m);
        quicklistRelease(ql);
    }
    /* Single node, strings that the push could move. */
    quicklist *ql = quicklistNew(-2, 0);
    quicklistPushTail(ql, "abc", 3);
    quicklistPushTail(ql, "defghijklmnopqrstuvwxyz", 23);
    quicklistRotate(ql);
    quicklistEntry e;
    quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, 0, &e);
    assert_int_equal(e.sz, 23);
    assert_memory_equal(e.value, "defghijklmnopqrstuvwxyz", 23);
    quicklistReleaseIterator(it);
    quicklistRelease(ql);
}

static void test_dup(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(-2, 1);
    push_items(ql, 0, 3000);
    char *big = zmalloc(10000);
    memset(big, 'D', 10000);
    quicklistPushTail(ql, big, 10000);
    push_items(ql, 0, 10);
    zfree(big);
    quicklist *copy = quicklistDup(ql);
    assert_int_equal(copy->len, ql->len);
    assert_int_equal(copy->count, ql->count);
    for (quicklistNode *a = ql->head, *b = copy->head; a; a = a->next, b = b->next) {
        assert_int_equal(a->encoding, b->encoding);
        assert_int_equal(a->container, b->container);
        assert_int_equal(a->sz, b->sz);
        assert_int_equal(a->count, b->count);
        unsigned char *ra = node_raw(a), *rb = node_raw(b);
        assert_memory_equal(ra, rb, a->sz);
        zfree(ra);
        zfree(rb);
    }
    check_invariants(copy);
    quicklistRelease(ql);
    quicklistPushHead(copy, "still-usable", 12);
    check_invariants(copy);
    quicklistRelease(copy);
}

/* RDB loading: whole nodes adopted as they are. */
static void test_append_nodes(void **state) {
    (void)state;
    quicklist *ql = quicklistNew(-2, 1);
    for (int k = 0; k < 4; k++) {
        unsigned char *lp = lpNew(0);
        char buf[64];
        for (int i = 0; i < 100; i++) {
            int n = snprintf(buf, sizeof(buf), "node%d-element%d-aaaaaaaaaaaa", k, i);
            lp = lpAppend(lp, (unsigned char *)buf, (uint32_t)n);
        }
        quicklistAppendListpack(ql, lp);
        unsigned char *plain = zmalloc(500);
        memset(plain, 'a' + k, 500);
        quicklistAppendPlainNode(ql, plain, 500);
    }
    quicklistAppendListpack(ql, lpNew(0)); /* empty: dropped */
    assert_int_equal(ql->len, 8);
    assert_int_equal(quicklistCount(ql), 404);
    assert_false(quicklistNodeIsCompressed(ql->head));
    assert_false(quicklistNodeIsCompressed(ql->tail));
    for (quicklistNode *n = ql->head->next; n != ql->tail; n = n->next) assert_true(quicklistNodeIsCompressed(n));
    check_invariants(ql);
    /* Pushes after adoption follow the normal rules. */
    assert_int_equal(quicklistPushTail(ql, "t", 1), 1); /* tail is PLAIN: new node */
    assert_int_equal(quicklistPushTail(ql, "u", 1), 0);
    check_invariants(ql);
    quicklistRelease(ql);
}

/* Random operations against the model, for several fills and depths. */
static void test_random_model(void **state) {
    (void)state;
    const int fills[] = {-2, -1, 1, 2, 5, 32};
    srandom(2024);
    for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
        for (int depth = 0; depth <= 2; depth++) {
            quicklist *ql = quicklistNew(fills[f], depth);
            model_t m;
            m_init(&m);
            char *buf = zmalloc(10000);
            for (int step = 0; step < 2000; step++) {
                size_t len;
                int kind = (int)(random() % 20);
                if (kind == 0) {
                    len = 4097 + (size_t)(random() % 5000); /* large */
                    memset(buf, 'A' + (int)(random() % 26), len);
                } else if (kind < 8) {
                    len = (size_t)snprintf(buf, 64, "%ld", (long)(random() % 100000) - 50000);
                } else {
                    len = (size_t)(random() % 120);
                    for (size_t j = 0; j < len; j++) buf[j] = (char)('a' + (j * 3 + (size_t)step) % 26);
                }
                int op = (int)(random() % 10);
                if (op <= 1 || m.n == 0) {
                    quicklistPushTail(ql, buf, len);
                    m_insert(&m, m.n, buf, len);
                } else if (op == 2) {
                    quicklistPushHead(ql, buf, len);
                    m_insert(&m, 0, buf, len);
                } else if (op == 3) {
                    long idx = (long)(random() % m.n);
                    do_insert(ql, &m, random() % 2 ? idx : idx - m.n, (int)(random() % 2), buf, len);
                } else if (op == 4) {
                    long idx = (long)(random() % m.n);
                    assert_int_equal(quicklistReplaceAtIndex(ql, idx, buf, len), 1);
                    m_set(&m, idx, buf, len);
                } else if (op == 5) {
                    int where = random() % 2 ? QUICKLIST_HEAD : QUICKLIST_TAIL;
                    unsigned char *d;
                    size_t sz;
                    long long sv;
                    assert_int_equal(quicklistPop(ql, where, &d, &sz, &sv), 1);
                    long at = where == QUICKLIST_HEAD ? 0 : m.n - 1;
                    if (d) {
                        assert_int_equal(sz, m.l[at]);
                        assert_memory_equal(d, m.v[at], sz);
                        zfree(d);
                    } else {
                        char t[32];
                        int n = snprintf(t, sizeof(t), "%lld", sv);
                        assert_int_equal((size_t)n, m.l[at]);
                        assert_memory_equal(t, m.v[at], (size_t)n);
                    }
                    m_delete(&m, at);
                } else if (op == 6) {
                    long start = (long)(random() % m.n);
                    long cnt = 1 + (long)(random() % 8);
                    if (random() % 2) start -= m.n;
                    quicklistDelRange(ql, start, cnt);
                    long from = start < 0 ? m.n + start : start;
                    if (cnt > m.n - from) cnt = m.n - from;
                    for (long k = 0; k < cnt; k++) m_delete(&m, from);
                } else if (op == 7) {
                    quicklistRotate(ql);
                    if (m.n > 1) {
                        m_insert(&m, 0, m.v[m.n - 1], m.l[m.n - 1]);
                        m_delete(&m, m.n - 1);
                    }
                } else {
                    /* Iterate from a random index and delete one element. */
                    long idx = (long)(random() % m.n);
                    int dir = random() % 2 ? AL_START_HEAD : AL_START_TAIL;
                    quicklistIter *it = quicklistGetIteratorAtIdx(ql, dir, idx);
                    quicklistEntry e;
                    assert_true(quicklistNext(it, &e));
                    assert_true(quicklistCompare(&e, (unsigned char *)m.v[idx], m.l[idx]));
                    quicklistDelEntry(it, &e);
                    m_delete(&m, idx);
                    long nidx = dir == AL_START_HEAD ? idx : idx - 1;
                    if (quicklistNext(it, &e)) {
                        assert_true(nidx >= 0 && nidx < m.n);
                        assert_true(quicklistCompare(&e, (unsigned char *)m.v[nidx], m.l[nidx]));
                    } else {
                        assert_true(nidx < 0 || nidx >= m.n);
                    }
                    quicklistReleaseIterator(it);
                }
                if (step % 25 == 0) check_model(ql, &m);
                else check_invariants(ql);
            }
            check_model(ql, &m);
            zfree(buf);
            m_free(&m);
            quicklistRelease(ql);
        }
    }
}

static int setup(void **state) {
    (void)state;
    textbuf = zmalloc(1 << 20);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    zfree(textbuf);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_5000_items_redis_layout),
        cmocka_unit_test(test_5000_items_valkey_layout),
        cmocka_unit_test(test_5000_items_compress_depth_1),
        cmocka_unit_test(test_fill_16),
        cmocka_unit_test(test_string_len_classes_nodes),
        cmocka_unit_test(test_element_over_8k),
        cmocka_unit_test(test_plain_nodes_vector),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_fill_rules),
        cmocka_unit_test(test_compression_rules),
        cmocka_unit_test(test_push_pop),
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_split_merge),
        cmocka_unit_test(test_del_range),
        cmocka_unit_test(test_iter_delete),
        cmocka_unit_test(test_iterator_at_idx),
        cmocka_unit_test(test_visit_range),
        cmocka_unit_test(test_rotate),
        cmocka_unit_test(test_dup),
        cmocka_unit_test(test_append_nodes),
        cmocka_unit_test(test_random_model),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
