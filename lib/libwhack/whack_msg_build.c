/* struct whack_msg as a value: building one, freeing it, and the rules
 * about its contents that both the encoder and the decoder enforce. */
#include <stdlib.h>
#include <string.h>
#include "whack_internal.h"

char *whack_copy_n(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c == NULL)
		abort();
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

void whack_msg_init(struct whack_msg *m, enum whack_command command)
{
	*m = (struct whack_msg){ .command = command };
}

void whack_msg_set_name(struct whack_msg *m, const char *name)
{
	free(m->name);
	m->name = whack_copy_n(name, strlen(name));
}

void whack_kvs_add_n(struct whack_kvs *kvs, const char *key, size_t klen,
		     const char *value, size_t vlen)
{
	if (kvs->n == kvs->cap) {
		size_t cap = kvs->cap ? kvs->cap * 2 : 16;
		struct whack_kv *v = realloc(kvs->v, cap * sizeof(*v));
		if (v == NULL)
			abort();
		kvs->v = v;
		kvs->cap = cap;
	}
	kvs->v[kvs->n++] = (struct whack_kv){ whack_copy_n(key, klen), whack_copy_n(value, vlen) };
}

void whack_msg_add_conn(struct whack_msg *m, const char *key, const char *value)
{
	whack_kvs_add_n(&m->conn, key, strlen(key), value, strlen(value));
}

void whack_msg_add_option(struct whack_msg *m, const char *key, const char *value)
{
	whack_kvs_add_n(&m->options, key, strlen(key), value, strlen(value));
}

static void kvs_free(struct whack_kvs *kvs)
{
	for (size_t i = 0; i < kvs->n; i++) {
		free(kvs->v[i].key);
		free(kvs->v[i].value);
	}
	free(kvs->v);
	*kvs = (struct whack_kvs){ 0 };
}

void whack_msg_free(struct whack_msg *m)
{
	free(m->name);
	m->name = NULL;
	kvs_free(&m->conn);
	kvs_free(&m->options);
}

const char *whack_kvs_get(const struct whack_kvs *kvs, const char *key)
{
	for (size_t i = 0; i < kvs->n; i++)
		if (strcmp(kvs->v[i].key, key) == 0)
			return kvs->v[i].value;
	return NULL;
}

/* ---- checks ---- */

/* Control characters in a name would let a peer forge log lines. */
static err_t check_name(const char *name)
{
	if (name[0] == '\0')
		return "empty connection name";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "connection name contains a control character";
	return NULL;
}

static err_t check_key(const char *key)
{
	if (key[0] == '\0')
		return "empty key";
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '=')
			return "key contains a space, '=' or a character that is not printable ASCII";
	return NULL;
}

static int cmp_key_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorting copies of the key pointers keeps this O(n log n) for the
 * ~100k pairs a 1 MiB message can hold. */
static err_t check_kvs(const struct whack_kvs *kvs)
{
	for (size_t i = 0; i < kvs->n; i++) {
		err_t e = check_key(kvs->v[i].key);
		if (e != NULL)
			return e;
	}
	if (kvs->n < 2)
		return NULL;
	char **keys = malloc(kvs->n * sizeof(*keys));
	if (keys == NULL)
		abort();
	for (size_t i = 0; i < kvs->n; i++)
		keys[i] = kvs->v[i].key;
	qsort(keys, kvs->n, sizeof(*keys), cmp_key_ptr);
	err_t e = NULL;
	for (size_t i = 1; i < kvs->n && e == NULL; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			e = "duplicate key";
	free(keys);
	return e;
}

err_t whack_msg_check(const struct whack_msg *m)
{
	const struct whack_command_desc *cmd = whack_command_by_code(m->command);
	if (cmd == NULL)
		return "unknown command code";
	if (m->flags & ~(uint32_t)WHACK_FLAGS_KNOWN)
		return "unknown flag bits";
	if (m->name == NULL && cmd->name_use == WHACK_NAME_REQUIRED)
		return "the command needs a connection name";
	if (m->name != NULL && cmd->name_use == WHACK_NAME_NONE)
		return "the command takes no connection name";
	if (m->name != NULL) {
		err_t e = check_name(m->name);
		if (e != NULL)
			return e;
	}
	if (m->conn.n > 0 && !cmd->takes_conn)
		return "the command takes no ipsec.conf keywords";
	err_t e = check_kvs(&m->conn);
	if (e == NULL)
		e = check_kvs(&m->options);
	return e;
}
