/* The sd_notify protocol (sd_notify(3)): datagrams to $NOTIFY_SOCKET, a
 * file system path or, with a leading '@', an abstract socket name. */
#include <errno.h>
#include <event2/event.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "pluto.h"
#include "sdnotify.h"

static struct sockaddr_un notify_addr;
static socklen_t notify_len;   /* 0: not under systemd */
static uint64_t watchdog_usec;

static void send_state(struct pluto *p, const char *text)
{
	if (notify_len == 0)
		return;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, text, strlen(text), MSG_NOSIGNAL, (const struct sockaddr *)&notify_addr,
		   notify_len) < 0)
		ldbg(&p->logger, DBG_CONTROL, "sd_notify %s: %s", text, strerror(errno));
	close(fd);
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	send_state(arg, "WATCHDOG=1");
}

void sdnotify_init(struct pluto *p)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (path != NULL && (path[0] == '/' || path[0] == '@') &&
	    strlen(path) < sizeof(notify_addr.sun_path)) {
		memset(&notify_addr, 0, sizeof(notify_addr));
		notify_addr.sun_family = AF_UNIX;
		size_t len = strlen(path);
		memcpy(notify_addr.sun_path, path, len);
		if (path[0] == '@')
			notify_addr.sun_path[0] = '\0';   /* abstract: no NUL at the end */
		notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
					 (path[0] == '@' ? 0 : 1));
	}
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	if (notify_len != 0 && usec != NULL && (pid == NULL || atol(pid) == (long)getpid()))
		watchdog_usec = strtoull(usec, NULL, 10);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (watchdog_usec == 0 || p->base == NULL)
		return;
	p->watchdog = event_new(p->base, -1, EV_PERSIST, on_watchdog, p);
	uint64_t half = watchdog_usec / 2;
	struct timeval tv = { (time_t)(half / 1000000), (suseconds_t)(half % 1000000) };
	event_add(p->watchdog, &tv);
	llog(&p->logger, RC_INFO, "systemd watchdog: every %llu ms",
	     (unsigned long long)(half / 1000));
}

void sdnotify_ready(struct pluto *p, const char *status)
{
	char text[512];
	snprintf(text, sizeof(text), "READY=1\nSTATUS=%s\nMAINPID=%ld", status, (long)getpid());
	send_state(p, text);
}

void sdnotify_stopping(struct pluto *p)
{
	send_state(p, "STOPPING=1\nSTATUS=pluto shutting down");
}

void sdnotify_reloading(struct pluto *p)
{
	send_state(p, "RELOADING=1\nSTATUS=reloading ipsec.secrets");
}

void sdnotify_stop(struct pluto *p)
{
	if (p->watchdog != NULL) {
		event_free(p->watchdog);
		p->watchdog = NULL;
	}
}
