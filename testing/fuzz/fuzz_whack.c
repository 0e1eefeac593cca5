/* libFuzzer target: the control-socket codec (lib/libwhack) on arbitrary
 * bytes, as pluto reads a request and as the tools read pluto's replies.
 * A request that decodes must encode again and decode to the same
 * message; a reply stream is parsed record by record to its end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "whack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_kvs(const struct whack_kvs *a, const struct whack_kvs *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, b->v[i].key) != 0 || strcmp(a->v[i].value, b->v[i].value) != 0)
			return 0;
	return 1;
}

static void request(const uint8_t *data, size_t size)
{
	size_t total;
	if (size >= WHACK_HDR_LEN)
		(void)whack_request_length(data, size, &total);
	struct whack_msg m;
	if (whack_decode(data, size, &m) != NULL)
		return;
	struct whack_buf b;
	whack_buf_init(&b, WHACK_MSG_MAX);
	if (whack_encode(&m, &b) != NULL)
		abort();   /* what decodes must encode */
	struct whack_msg again;
	if (whack_decode(b.data, b.len, &again) != NULL)
		abort();
	if (again.command != m.command || again.flags != m.flags ||
	    (again.name == NULL) != (m.name == NULL) ||
	    (m.name != NULL && strcmp(again.name, m.name) != 0) ||
	    !same_kvs(&again.conn, &m.conn) || !same_kvs(&again.options, &m.options))
		abort();   /* the round trip changed the message */
	whack_msg_free(&again);
	whack_buf_free(&b);
	whack_msg_free(&m);
}

static void replies(const uint8_t *data, size_t size)
{
	for (int records = 0; size > 0 && records < 10000; records++) {
		struct whack_reply r;
		size_t used = 0;
		if (whack_reply_parse(data, size, &r, &used) != NULL)
			return;
		if (used == 0 || used > size)
			abort();   /* no progress, or past the end */
		data += used;
		size -= used;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	request(data, size);
	replies(data, size);
	return 0;
}
