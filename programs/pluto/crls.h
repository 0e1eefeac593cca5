/* CRLs as pluto runs them (the NSS side is crypto/crl.c): the policy set
 * at start, the CRLs of the database logged then and reread every
 * crlcheckinterval= and on whack --rereadcrls (ipsec crls), listings. */
#ifndef PLUTO_CRLS_H
#define PLUTO_CRLS_H
#include <stdbool.h>
struct pluto;
struct ctl_client;

/* strictcrlpolicy= into crypto, the CRLs logged, the timer armed. */
void crls_start(struct pluto *p);
void crls_stop(struct pluto *p);
/* ocsp-enable= and its companions into NSS (logged); false when they
 * cannot be (logged). */
bool ocsp_start(struct pluto *p);
/* Rereads the CRLs, logs them (and warns about out-of-date ones), and
 * tells cl (may be NULL); returns how many there are. */
unsigned crls_reread(struct pluto *p, struct ctl_client *cl);
/* The CRLs as whack --listall shows them. */
void crls_list(struct ctl_client *cl);
#endif
