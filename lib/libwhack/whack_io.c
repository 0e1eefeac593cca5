/* Whole-buffer reads and writes on a blocking fd. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include "whack_internal.h"

/* send(MSG_NOSIGNAL) so a tool or pluto is not killed by SIGPIPE when the
 * other end has gone; plain write() for fds that are not sockets. */
static ssize_t write_some(int fd, const void *buf, size_t len, int *is_socket)
{
	if (*is_socket) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0 || errno != ENOTSOCK)
			return n;
		*is_socket = 0;
	}
	return write(fd, buf, len);
}

int whack_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int is_socket = 1;
	while (len > 0) {
		ssize_t n = write_some(fd, p, len, &is_socket);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t whack_read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}
