/* event: the epoll event loop with millisecond timers.
 *
 * Knows nothing of the server: file events call back with (loop, fd, data,
 * mask); timers call back and return the delay in ms until they run again, or
 * EL_NOMORE to be deleted. A before-sleep hook runs before each epoll_wait.
 * Leaf module (zmalloc only). Single-threaded: call from the loop's thread. */
#ifndef CAIRN_EVENT_H
#define CAIRN_EVENT_H

#define EL_NONE 0
#define EL_READABLE 1
#define EL_WRITABLE 2
#define EL_NOMORE -1
#define EL_OK 0
#define EL_ERR -1

typedef struct eventLoop eventLoop;
typedef void elFileProc(eventLoop *el, int fd, void *data, int mask);
/* Returns the next delay in ms, or EL_NOMORE. */
typedef long long elTimerProc(eventLoop *el, long long id, void *data);
typedef void elHookProc(eventLoop *el);

/* Create a loop able to watch fds 0..setsize-1. NULL on failure. */
eventLoop *elCreate(int setsize);
void elDelete(eventLoop *el);
/* Grow or shrink the fd capacity; EL_ERR if an fd >= setsize is registered. */
int elResize(eventLoop *el, int setsize);
int elGetSetSize(eventLoop *el);
/* Watch `fd` for `mask` (EL_READABLE and/or EL_WRITABLE) calling `proc` with
 * `data`. A read and a write handler may differ (registered separately).
 * EL_ERR (errno ERANGE) if fd >= setsize, or if epoll_ctl fails. */
int elAddFile(eventLoop *el, int fd, int mask, elFileProc *proc, void *data);
/* Stop watching `mask` on `fd`. */
void elDelFile(eventLoop *el, int fd, int mask);
/* The mask currently watched on `fd`. */
int elGetFileMask(eventLoop *el, int fd);
/* Run `proc` in `ms` milliseconds; returns the timer id (>= 0). */
long long elAddTimer(eventLoop *el, long long ms, elTimerProc *proc, void *data);
/* Cancel a timer; EL_ERR if unknown. */
int elDelTimer(eventLoop *el, long long id);
void elSetBeforeSleep(eventLoop *el, elHookProc *hook);
/* Run until elStop() is called. */
void elMain(eventLoop *el);
void elStop(eventLoop *el);
/* Process pending events once; waits at most `timeout_ms` (-1 forever, 0 poll).
 * Returns the number of events handled. */
int elProcessEvents(eventLoop *el, long long timeout_ms);
/* Milliseconds / microseconds of the monotonic clock and wall clock. */
long long elMonotonicMs(void);
long long elMonotonicUs(void);
long long elWallMs(void);
long long elWallUs(void);

#endif
