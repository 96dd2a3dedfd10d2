/* lazyfree: background freeing (see lazyfree.h). */
#include "lazyfree.h"
#include "hashtable.h"
#include "zmalloc.h"
#include <pthread.h>
#include <stdatomic.h>

typedef struct lazyJob {
    struct lazyJob *next;
    hashtable *keys, *expires;
    size_t nobjects;
} lazyJob;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cond = PTHREAD_COND_INITIALIZER;  /* a job was queued */
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;  /* the queue became empty */
static lazyJob *head, *tail;
static int busy;              /* the worker is running a job */
static int started;
static pthread_t worker;
static _Atomic size_t pending_objects, freed_objects;

static void *workerMain(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!head) pthread_cond_wait(&work_cond, &lock);
        lazyJob *j = head;
        head = j->next;
        if (!head) tail = NULL;
        busy = 1;
        pthread_mutex_unlock(&lock);
        /* expires shares the objects: release it first, without destructor */
        if (j->expires) hashtableRelease(j->expires);
        if (j->keys) hashtableRelease(j->keys);
        atomic_fetch_sub(&pending_objects, j->nobjects);
        atomic_fetch_add(&freed_objects, j->nobjects);
        zfree(j);
        pthread_mutex_lock(&lock);
        busy = 0;
        if (!head) pthread_cond_broadcast(&idle_cond);
    }
    return NULL;
}

void lazyfreeTables(hashtable *keys, hashtable *expires, size_t nobjects) {
    lazyJob *j = zmalloc(sizeof(*j));
    j->next = NULL;
    j->keys = keys;
    j->expires = expires;
    j->nobjects = nobjects;
    atomic_fetch_add(&pending_objects, nobjects);
    pthread_mutex_lock(&lock);
    if (!started) {
        if (pthread_create(&worker, NULL, workerMain, NULL) != 0) {
            /* no thread: free now, synchronously */
            pthread_mutex_unlock(&lock);
            if (expires) hashtableRelease(expires);
            if (keys) hashtableRelease(keys);
            atomic_fetch_sub(&pending_objects, nobjects);
            atomic_fetch_add(&freed_objects, nobjects);
            zfree(j);
            return;
        }
        pthread_detach(worker);
        started = 1;
    }
    if (tail) tail->next = j;
    else head = j;
    tail = j;
    pthread_cond_signal(&work_cond);
    pthread_mutex_unlock(&lock);
}

size_t lazyfreePendingObjects(void) { return atomic_load(&pending_objects); }
size_t lazyfreeFreedObjects(void) { return atomic_load(&freed_objects); }
void lazyfreeResetStats(void) { atomic_store(&freed_objects, 0); }

void lazyfreeDrain(void) {
    pthread_mutex_lock(&lock);
    while (head || busy) pthread_cond_wait(&idle_cond, &lock);
    pthread_mutex_unlock(&lock);
}
