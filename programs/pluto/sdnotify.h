/* Telling systemd how pluto is (a Type=notify service): the sd_notify
 * protocol of sd_notify(3), spoken directly (a datagram of NAME=VALUE
 * lines to $NOTIFY_SOCKET), so that pluto needs no libsystemd. Without
 * NOTIFY_SOCKET in the environment every call does nothing. */
#ifndef PLUTO_SDNOTIFY_H
#define PLUTO_SDNOTIFY_H
struct pluto;

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC (for this process: WATCHDOG_PID),
 * then unsets them so that no child (updown) inherits them; with a
 * watchdog, WATCHDOG=1 is sent every half of its interval from the event
 * loop. */
void sdnotify_init(struct pluto *p);
/* READY=1 with a STATUS= line; STOPPING=1; RELOADING=1. */
void sdnotify_ready(struct pluto *p, const char *status);
void sdnotify_stopping(struct pluto *p);
void sdnotify_reloading(struct pluto *p);
void sdnotify_stop(struct pluto *p);
#endif
