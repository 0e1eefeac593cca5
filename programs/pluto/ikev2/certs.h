/* Certificates in IKEv2 exchanges: CERTREQ (IKE_SA_INIT response,
 * IKE_AUTH request), our CERT (leftsendcert=), the peer's certificate
 * verified and matched against its ID (RFC 7296 3.6, 3.7). */
#ifndef PLUTO_IKEV2_CERTS_H
#define PLUTO_IKEV2_CERTS_H
#include <stdbool.h>
#include "ike/sa.h"
#include "ikev2/ikev2_msg.h"

/* Do we authenticate the peer by certificate (a signature authby=
 * without rightrsasigkey=)? */
bool certs_want_peer(struct connection *c);
/* Notes a CERTREQ from the peer, or a CERT (for leftsendcert=ifasked). */
void certs_note_certreq(struct ike_sa *ike, const struct ikev2_payloads *pl);
/* A CERTREQ with the trusted CAs' hashes (rightca= only, when given),
 * if we want the peer's certificate. */
void certs_build_certreq(struct ike_sa *ike, struct ikev2_builder *b);
/* Our CERT payload, as leftsendcert= says. */
void certs_build_cert(struct ike_sa *ike, struct ikev2_builder *b);
/* The ID payload of our ID: a DN that is our certificate's subject goes
 * as the certificate's own DER. False as id_to_payload. */
bool certs_id_payload(struct ike_sa *ike, const ip_id *me, struct ikev2_id *out, uint8_t *buf,
		      size_t size);
/* ipsec.secrets ": RSA NICKNAME" for the pair of IDs: that certificate
 * (*cert owned; its private key signs) and its key's kind and size. False
 * when there is none. */
bool certs_secret_cert(struct ike_sa *ike, const ip_id *me, const ip_id *peer, chunk_t *cert,
		       bool *ecdsa, unsigned *bits);
/* The peer's certificate, whose key checks its AUTH: the first CERT
 * payload it sent, verified by NSS (rightca=), or rightcert= pinned; its
 * ID must be in the certificate. *cert is borrowed (from pl or the conn).
 * NULL or why not. */
err_t certs_peer_cert(struct ike_sa *ike, const struct ikev2_payloads *pl, const ip_id *peer,
		      chunk_t *cert);
/* The same for either IKE version, given the certificates the peer sent
 * (ee: its own, empty when none; chain: the CAs after it). */
err_t certs_check_peer(struct ike_sa *ike, chunk_t ee, const chunk_t *chain, size_t n,
		       const ip_id *peer, chunk_t *cert);
#endif
