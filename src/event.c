#include "event.h"
#include "zmalloc.h"
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

typedef struct fileEvent {
    int mask;
    elFileProc *rproc, *wproc;
    void *rdata, *wdata;
} fileEvent;

typedef struct timer {
    long long id, when_ms;
    elTimerProc *proc;
    void *data;
    struct timer *next;
    int deleted;
} timer;

struct eventLoop {
    int epfd, setsize, stop;
    fileEvent *events;
    struct epoll_event *fired;
    timer *timers;
    long long next_timer_id;
    elHookProc *before_sleep;
};

long long elMonotonicUs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
long long elMonotonicMs(void) { return elMonotonicUs() / 1000; }
long long elWallUs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
long long elWallMs(void) { return elWallUs() / 1000; }

eventLoop *elCreate(int setsize) {
    eventLoop *el = zcalloc(sizeof(*el));
    el->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (el->epfd < 0) {
        zfree(el);
        return NULL;
    }
    el->setsize = setsize;
    el->events = zcalloc(sizeof(fileEvent) * (size_t)setsize);
    el->fired = zcalloc(sizeof(struct epoll_event) * (size_t)setsize);
    return el;
}

void elDelete(eventLoop *el) {
    if (!el) return;
    close(el->epfd);
    zfree(el->events);
    zfree(el->fired);
    timer *t = el->timers;
    while (t) {
        timer *n = t->next;
        zfree(t);
        t = n;
    }
    zfree(el);
}

int elGetSetSize(eventLoop *el) { return el->setsize; }

int elResize(eventLoop *el, int setsize) {
    for (int fd = setsize; fd < el->setsize; fd++)
        if (el->events[fd].mask != EL_NONE) return EL_ERR;
    el->events = zrealloc(el->events, sizeof(fileEvent) * (size_t)setsize);
    el->fired = zrealloc(el->fired, sizeof(struct epoll_event) * (size_t)setsize);
    for (int fd = el->setsize; fd < setsize; fd++) memset(&el->events[fd], 0, sizeof(fileEvent));
    el->setsize = setsize;
    return EL_OK;
}

static int applyMask(eventLoop *el, int fd, int oldmask, int newmask) {
    struct epoll_event ee = {0};
    if (newmask & EL_READABLE) ee.events |= EPOLLIN;
    if (newmask & EL_WRITABLE) ee.events |= EPOLLOUT;
    ee.data.fd = fd;
    int op = oldmask == EL_NONE ? EPOLL_CTL_ADD : (newmask == EL_NONE ? EPOLL_CTL_DEL : EPOLL_CTL_MOD);
    return epoll_ctl(el->epfd, op, fd, &ee) == 0 ? EL_OK : EL_ERR;
}

int elAddFile(eventLoop *el, int fd, int mask, elFileProc *proc, void *data) {
    if (fd < 0 || fd >= el->setsize) {
        errno = ERANGE;
        return EL_ERR;
    }
    fileEvent *fe = &el->events[fd];
    int newmask = fe->mask | mask;
    if (newmask != fe->mask && applyMask(el, fd, fe->mask, newmask) == EL_ERR) return EL_ERR;
    fe->mask = newmask;
    if (mask & EL_READABLE) { fe->rproc = proc; fe->rdata = data; }
    if (mask & EL_WRITABLE) { fe->wproc = proc; fe->wdata = data; }
    return EL_OK;
}

void elDelFile(eventLoop *el, int fd, int mask) {
    if (fd < 0 || fd >= el->setsize) return;
    fileEvent *fe = &el->events[fd];
    if (fe->mask == EL_NONE) return;
    int newmask = fe->mask & ~mask;
    if (newmask != fe->mask) applyMask(el, fd, fe->mask, newmask);
    fe->mask = newmask;
    if (newmask == EL_NONE) memset(fe, 0, sizeof(*fe));
}

int elGetFileMask(eventLoop *el, int fd) {
    if (fd < 0 || fd >= el->setsize) return EL_NONE;
    return el->events[fd].mask;
}

long long elAddTimer(eventLoop *el, long long ms, elTimerProc *proc, void *data) {
    timer *t = zcalloc(sizeof(*t));
    t->id = el->next_timer_id++;
    t->when_ms = elMonotonicMs() + ms;
    t->proc = proc;
    t->data = data;
    t->next = el->timers;
    el->timers = t;
    return t->id;
}

int elDelTimer(eventLoop *el, long long id) {
    for (timer *t = el->timers; t; t = t->next)
        if (t->id == id && !t->deleted) {
            t->deleted = 1;
            return EL_OK;
        }
    return EL_ERR;
}

void elSetBeforeSleep(eventLoop *el, elHookProc *hook) { el->before_sleep = hook; }
void elStop(eventLoop *el) { el->stop = 1; }

static long long msUntilNextTimer(eventLoop *el) {
    long long now = elMonotonicMs(), best = -1;
    for (timer *t = el->timers; t; t = t->next) {
        if (t->deleted) continue;
        long long d = t->when_ms - now;
        if (d < 0) d = 0;
        if (best < 0 || d < best) best = d;
    }
    return best;
}

static int runTimers(eventLoop *el) {
    int n = 0;
    long long now = elMonotonicMs();
    timer **pp = &el->timers;
    while (*pp) {
        timer *t = *pp;
        if (t->deleted) {
            *pp = t->next;
            zfree(t);
            continue;
        }
        pp = &t->next;
    }
    long long maxid = el->next_timer_id - 1;
    for (timer *t = el->timers; t; t = t->next) {
        if (t->deleted || t->id > maxid || t->when_ms > now) continue;
        long long next = t->proc(el, t->id, t->data);
        n++;
        if (next == EL_NOMORE) t->deleted = 1;
        else t->when_ms = elMonotonicMs() + next;
    }
    return n;
}

int elProcessEvents(eventLoop *el, long long timeout_ms) {
    long long tnext = msUntilNextTimer(el);
    if (tnext >= 0 && (timeout_ms < 0 || tnext < timeout_ms)) timeout_ms = tnext;
    int n = epoll_wait(el->epfd, el->fired, el->setsize, (int)timeout_ms);
    int handled = 0;
    for (int i = 0; i < n; i++) {
        int fd = el->fired[i].data.fd;
        uint32_t ev = el->fired[i].events;
        fileEvent *fe = &el->events[fd];
        int fired_read = 0;
        if ((ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (fe->mask & EL_READABLE)) {
            fired_read = 1;
            fe->rproc(el, fd, fe->rdata, EL_READABLE);
        }
        fe = &el->events[fd]; /* may have changed */
        if ((ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && (fe->mask & EL_WRITABLE)) {
            if (!fired_read || fe->wproc != fe->rproc || fe->wdata != fe->rdata)
                fe->wproc(el, fd, fe->wdata, EL_WRITABLE);
        }
        handled++;
    }
    handled += runTimers(el);
    return handled;
}

void elMain(eventLoop *el) {
    el->stop = 0;
    while (!el->stop) {
        if (el->before_sleep) el->before_sleep(el);
        elProcessEvents(el, -1);
    }
}
