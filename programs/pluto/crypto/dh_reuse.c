/* Sharing a responder's Diffie-Hellman key pair while busy (RFC 7296
 * 2.12): one kept key pair per group, handed out to every exchange that
 * asks within max_age_ms of its making, then forgotten. See crypto.h. */
#include <pthread.h>
#include "crypto_nss.h"

#define KEPT_MAX 16   /* groups with a kept key pair at once */

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const struct alg_desc *group;
	struct dh_secret *dh;        /* one reference of its own */
	uint64_t made_ms;
} kept[KEPT_MAX];
static uint64_t shared_count;

struct dh_secret *dh_generate_shared(const struct alg_desc *group, uint64_t max_age_ms,
				     uint64_t now_ms, err_t *e)
{
	pthread_mutex_lock(&kept_lock);
	for (unsigned i = 0; i < KEPT_MAX; i++)
		if (kept[i].dh != NULL && kept[i].group == group && now_ms - kept[i].made_ms < max_age_ms) {
			struct dh_secret *s = dh_share(kept[i].dh);
			shared_count++;
			pthread_mutex_unlock(&kept_lock);
			return s;
		}
	pthread_mutex_unlock(&kept_lock);
	/* made outside the lock: other threads go on sharing meanwhile */
	struct dh_secret *s = dh_generate(group, e);
	if (s == NULL)
		return NULL;
	struct dh_secret *old = NULL;
	pthread_mutex_lock(&kept_lock);
	unsigned slot = KEPT_MAX;
	for (unsigned i = 0; i < KEPT_MAX; i++) {
		if (kept[i].group == group || (kept[i].dh == NULL && slot == KEPT_MAX))
			slot = i;
		if (kept[i].group == group)
			break;
	}
	if (slot < KEPT_MAX) {
		old = kept[slot].dh;
		kept[slot].group = group;
		kept[slot].dh = dh_share(s);
		kept[slot].made_ms = now_ms;
	}
	pthread_mutex_unlock(&kept_lock);
	dh_free(&old);
	return s;
}

unsigned dh_reuse_expire(uint64_t max_age_ms, uint64_t now_ms)
{
	struct dh_secret *gone[KEPT_MAX];
	unsigned n_gone = 0, left = 0;
	pthread_mutex_lock(&kept_lock);
	for (unsigned i = 0; i < KEPT_MAX; i++) {
		if (kept[i].dh == NULL)
			continue;
		if (now_ms - kept[i].made_ms >= max_age_ms) {
			gone[n_gone++] = kept[i].dh;
			kept[i].dh = NULL;
			kept[i].group = NULL;
		} else {
			left++;
		}
	}
	pthread_mutex_unlock(&kept_lock);
	for (unsigned i = 0; i < n_gone; i++)
		dh_free(&gone[i]);
	return left;
}

uint64_t dh_reuse_count(void)
{
	pthread_mutex_lock(&kept_lock);
	uint64_t n = shared_count;
	pthread_mutex_unlock(&kept_lock);
	return n;
}
