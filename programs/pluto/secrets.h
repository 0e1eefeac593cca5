/* ipsec.secrets: pre-shared keys, XAUTH passwords and RSA private keys,
 * each for a list of IDs. Read with include (globs) and looked up by the
 * pair of IDs a negotiation uses. */
#ifndef PLUTO_SECRETS_H
#define PLUTO_SECRETS_H
#include <stdbool.h>
#include "chunk.h"
#include "swan/diag.h"
#include "swan/id.h"

enum secret_kind { SECRET_PSK, SECRET_XAUTH, SECRET_RSA };

/* Openswan's raw RSA private key block, field by field (big-endian bytes). */
struct rsa_private_fields {
	chunk_t modulus, public_exponent, private_exponent;
	chunk_t prime1, prime2, exponent1, exponent2, coefficient;
};

struct secret {
	enum secret_kind kind;
	ip_id *ids;                 /* the IDs before ':'; none means %any %any */
	unsigned n_ids;
	chunk_t value;              /* PSK or XAUTH password bytes */
	struct rsa_private_fields rsa;   /* SECRET_RSA with a { } block */
	char *nickname;             /* SECRET_RSA NICKNAME: the key of that
				     * certificate in the NSS database */
	const char *file;           /* where it was written */
	unsigned line;
};

struct secrets {
	struct secret *v;
	unsigned n, cap;
	char **files;               /* owned file names the secrets point to */
	unsigned n_files;
};

/* Reads path (and what it includes) into s, replacing nothing: call
 * secrets_free() first to reread. Errors go to d as FILE:LINE messages;
 * a bad entry is skipped, the others are kept. Returns false when the
 * file itself cannot be read. */
bool secrets_load(struct secrets *s, const char *path, struct diags *d);
void secrets_free(struct secrets *s);

/* The best secret of that kind for the pair (local ID, peer ID): a line
 * naming both beats one naming one of them with %any (or a lone ID), which
 * beats a line of only %any / no IDs. NULL when nothing applies. */
const struct secret *secrets_find(const struct secrets *s, enum secret_kind kind,
				  const ip_id *local, const ip_id *peer);
#endif
