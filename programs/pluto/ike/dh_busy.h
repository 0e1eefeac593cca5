/* While pluto is short of CPU for crypto, its responders share DH key
 * pairs (crypto/dh_reuse.c, RFC 7296 2.12) for at most --dh-reuse. */
#ifndef PLUTO_IKE_DH_BUSY_H
#define PLUTO_IKE_DH_BUSY_H
#include <stdint.h>

struct pluto;

/* Main thread, as a responder's DH job is submitted: the window its key
 * pair may be shared in (the job calls dh_generate_shared), or 0 (a fresh
 * key pair: not busy, or --dh-reuse 0). Starts the sweep that forgets
 * the shared key pairs once their window is over. */
uint64_t ike_dh_reuse_ms(struct pluto *p);
/* At shutdown: the sweep stopped, every kept key pair forgotten. */
void ike_dh_busy_stop(struct pluto *p);
#endif
