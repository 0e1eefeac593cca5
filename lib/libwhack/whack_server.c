/* pluto's side of a request: read exactly one message from a connected
 * fd, learning its size from the header and refusing anything over the
 * caller's bound before reading (or allocating for) the body. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "whack_internal.h"

static int fail(char err[WHACK_ERR_BUF], int rc, const char *what, const char *why)
{
	snprintf(err, WHACK_ERR_BUF, "%s: %s", what, why);
	return rc;
}

/* Read len bytes; a short read means the client went away: say so with
 * cut_short. */
static int read_exactly(int fd, void *buf, size_t len, const char *cut_short,
			char err[WHACK_ERR_BUF])
{
	ssize_t n = whack_read_full(fd, buf, len);
	if (n < 0)
		return fail(err, (int)n, "cannot read whack request", strerror((int)-n));
	if ((size_t)n < len)
		return fail(err, -EPROTO, "bad whack request", cut_short);
	return 0;
}

int whack_read_request(int fd, size_t max, struct whack_msg *out,
		       char err[WHACK_ERR_BUF])
{
	*out = (struct whack_msg){ 0 };
	if (max > WHACK_MSG_MAX)
		max = WHACK_MSG_MAX;
	if (max < WHACK_HDR_LEN)
		return fail(err, -EINVAL, "whack_read_request", "bound smaller than a header");

	uint8_t hdr[WHACK_HDR_LEN];
	int rc = read_exactly(fd, hdr, sizeof(hdr),
			      "connection closed before a whole header", err);
	if (rc < 0)
		return rc;
	size_t total;
	err_t e = whack_request_length(hdr, sizeof(hdr), &total);
	if (e == NULL && total > max)
		e = "declared length exceeds the bound for requests";
	if (e != NULL)
		return fail(err, -EPROTO, "bad whack request", e);

	uint8_t *buf = malloc(total);
	if (buf == NULL)
		abort();
	memcpy(buf, hdr, sizeof(hdr));
	rc = read_exactly(fd, buf + WHACK_HDR_LEN, total - WHACK_HDR_LEN,
			  "connection closed mid-request", err);
	if (rc == 0) {
		e = whack_decode(buf, total, out);
		if (e != NULL)
			rc = fail(err, -EPROTO, "bad whack request", e);
	}
	free(buf);
	return rc;
}
