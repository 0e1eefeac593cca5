/* The tools' side: connect to pluto's control socket, send one request,
 * and read reply records until the final STATUS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "whack_internal.h"

int whack_connect(const char *path, char err[WHACK_ERR_BUF])
{
	if (path == NULL)
		path = WHACK_CTL_PATH;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen = strlen(path);
	int rc = 0;
	if (plen == 0)
		rc = -ENOENT;
	else if (plen >= sizeof(sa.sun_path))   /* room for the NUL too */
		rc = -ENAMETOOLONG;
	int fd = -1;
	if (rc == 0) {
		memcpy(sa.sun_path, path, plen);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			rc = -errno;
	}
	if (rc == 0 && connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	if (rc == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	snprintf(err, WHACK_ERR_BUF, "cannot connect to pluto at %s: %s",
		 path, strerror(-rc));
	return rc;
}

int whack_send_request(int fd, const struct whack_msg *m, char err[WHACK_ERR_BUF])
{
	struct whack_buf b;
	whack_buf_init(&b, WHACK_MSG_MAX);
	err_t e = whack_encode(m, &b);
	int rc;
	if (e != NULL) {
		snprintf(err, WHACK_ERR_BUF, "invalid whack request: %s", e);
		rc = -EINVAL;
	} else if ((rc = whack_write_all(fd, b.data, b.len)) < 0) {
		snprintf(err, WHACK_ERR_BUF, "cannot send request: %s", strerror(-rc));
	}
	whack_buf_free(&b);
	return rc;
}

static int malformed(char err[WHACK_ERR_BUF], const char *why)
{
	snprintf(err, WHACK_ERR_BUF, "malformed reply: %s", why);
	return -EPROTO;
}

/* Read exactly len bytes: 0, -EPROTO when the stream ends first, or -errno. */
static int read_part(int fd, void *buf, size_t len, const char *cut_short,
		     char err[WHACK_ERR_BUF])
{
	ssize_t n = whack_read_full(fd, buf, len);
	if (n < 0) {
		snprintf(err, WHACK_ERR_BUF, "cannot read reply: %s", strerror((int)-n));
		return (int)n;
	}
	if ((size_t)n < len) {
		snprintf(err, WHACK_ERR_BUF, "%s", cut_short);
		return -EPROTO;
	}
	return 0;
}

int whack_read_replies(int fd, whack_reply_fn *cb, void *ctx,
		       char err[WHACK_ERR_BUF])
{
	char *body = NULL;
	size_t body_cap = 0;
	int rc;
	for (;;) {
		uint8_t hdr[WHACK_REPLY_HDR_LEN];
		rc = read_part(fd, hdr, sizeof(hdr),
			       "connection closed before the final status", err);
		if (rc < 0)
			break;
		uint16_t type = get_be16(hdr);
		uint32_t len = get_be32(hdr + 2);
		/* The header check bounds len before anything is allocated. */
		err_t e = whack_reply_check_header(type, len);
		if (e != NULL) {
			rc = malformed(err, e);
			break;
		}
		if ((size_t)len + 1 > body_cap) {
			body_cap = (size_t)len + 1;
			char *grown = realloc(body, body_cap);
			if (grown == NULL)
				abort();
			body = grown;
		}
		rc = read_part(fd, body, len, "connection closed in the middle of a record", err);
		if (rc < 0)
			break;
		body[len] = '\0';
		int status = 0;
		e = whack_reply_check_body(type, (const uint8_t *)body, len, &status);
		if (e != NULL) {
			rc = malformed(err, e);
			break;
		}
		if (!whack_reply_type_known(type))
			continue;   /* non-critical record from a newer pluto */
		if (type == WHACK_REPLY_STATUS) {
			rc = status;
			break;
		}
		if (cb == NULL)
			continue;
		rc = cb(ctx, (enum whack_reply_type)type, body, len);
		if (rc != 0) {
			/* A positive value would read as a status: make it an error. */
			if (rc > 0)
				rc = -ECANCELED;
			snprintf(err, WHACK_ERR_BUF, "reply handler stopped reading: %s",
				 strerror(-rc));
			break;
		}
	}
	free(body);
	return rc;
}

/* err = "pluto at PATH: WHY"; a very long path may cut WHY short, which
 * beats losing the path. */
static void name_peer(char err[WHACK_ERR_BUF], const char *path, const char *why)
{
	int n = snprintf(err, WHACK_ERR_BUF, "pluto at %s: ", path);
	if (n <= 0 || n >= WHACK_ERR_BUF)
		return;
	size_t at = (size_t)n;
	size_t wlen = strnlen(why, WHACK_ERR_BUF - 1 - at);
	memcpy(err + at, why, wlen);
	err[at + wlen] = '\0';
}

int whack_call(const char *path, const struct whack_msg *m,
	       whack_reply_fn *cb, void *ctx, char err[WHACK_ERR_BUF])
{
	if (path == NULL)
		path = WHACK_CTL_PATH;
	/* A bad request is the tool's fault whether or not pluto runs. */
	err_t e = whack_msg_check(m);
	if (e != NULL) {
		snprintf(err, WHACK_ERR_BUF, "invalid whack request: %s", e);
		return -EINVAL;
	}
	int fd = whack_connect(path, err);
	if (fd < 0)
		return fd;
	char why[WHACK_ERR_BUF];
	int rc = whack_send_request(fd, m, why);
	if (rc == 0) {
		/* One request per connection: let pluto see the end of it. */
		shutdown(fd, SHUT_WR);
		rc = whack_read_replies(fd, cb, ctx, why);
	} else if (rc == -EPIPE || rc == -ECONNRESET) {
		/* pluto may have closed after saying why (too many control
		 * connections): that answer beats "broken pipe" */
		char why2[WHACK_ERR_BUF];
		int rc2 = whack_read_replies(fd, cb, ctx, why2);
		if (rc2 >= 0)
			rc = rc2;
	}
	if (rc < 0)
		name_peer(err, path, why);
	close(fd);
	return rc;
}
