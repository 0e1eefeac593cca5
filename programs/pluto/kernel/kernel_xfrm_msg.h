/* XFRM netlink messages, built and parsed without any I/O, so that unit
 * tests can check every message against what they parse back.
 *
 * Builders write one request into buf (size bytes, aligned for struct
 * nlmsghdr; XFRM_MSG_BUF is always enough) with NLM_F_REQUEST | NLM_F_ACK
 * and sequence number 0 (the sender sets it). They return the message, or
 * NULL with d filled when the request does not fit or cannot be
 * expressed. Parsers check the framing (lengths) before copying anything
 * out and return false on a malformed or unexpected message. */
#ifndef PLUTO_KERNEL_XFRM_MSG_H
#define PLUTO_KERNEL_XFRM_MSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include "kernel/kernel.h"

#define XFRM_MSG_BUF 8192

/* XFRM_MSG_NEWSA or XFRM_MSG_UPDSA: struct xfrm_usersa_info, then
 * XFRMA_ALG_AEAD or XFRMA_ALG_CRYPT (+ XFRMA_ALG_AUTH_TRUNC), XFRMA_ENCAP,
 * XFRMA_REPLAY_ESN_VAL (for ESN or a window over 32). */
struct nlmsghdr *xfrm_msg_sa(void *buf, size_t size, uint16_t type,
			     const struct kernel_sa *sa, struct kernel_diag *d);
/* XFRM_MSG_DELSA or XFRM_MSG_GETSA: struct xfrm_usersa_id. */
struct nlmsghdr *xfrm_msg_sa_id(void *buf, size_t size, uint16_t type,
				const struct kernel_sa_id *id, struct kernel_diag *d);
/* XFRM_MSG_ALLOCSPI: struct xfrm_userspi_info with the range [min, max]. */
struct nlmsghdr *xfrm_msg_allocspi(void *buf, size_t size, const struct kernel_spi_req *r,
				   uint32_t min, uint32_t max, struct kernel_diag *d);
/* XFRM_MSG_NEWPOLICY or XFRM_MSG_UPDPOLICY: struct xfrm_userpolicy_info,
 * then XFRMA_TMPL for the ipsec and trap actions. */
struct nlmsghdr *xfrm_msg_policy(void *buf, size_t size, uint16_t type,
				 const struct kernel_policy *p, struct kernel_diag *d);
/* XFRM_MSG_DELPOLICY: struct xfrm_userpolicy_id (selector + direction). */
struct nlmsghdr *xfrm_msg_policy_id(void *buf, size_t size, const struct kernel_policy *p,
				    struct kernel_diag *d);

/* NLMSG_ERROR: *error is the positive errno (0 for an ACK); extack gets
 * the kernel's NLMSGERR_ATTR_MSG text or "". */
bool xfrm_parse_error(const struct nlmsghdr *nlh, int *error, char *extack, size_t size);
/* XFRM_MSG_NEWSA (the answer to GETSA and ALLOCSPI): the fixed part. */
bool xfrm_parse_sa_info(const struct nlmsghdr *nlh, struct xfrm_usersa_info *out);
void xfrm_sa_info_counters(const struct xfrm_usersa_info *info, struct kernel_sa_counters *c);
/* XFRM_MSG_ACQUIRE or XFRM_MSG_EXPIRE into ev; false for anything else. */
bool xfrm_parse_event(const struct nlmsghdr *nlh, struct kernel_event *ev);

/* Conversions between Cygnet's values and XFRM's. */
uint16_t xfrm_family(uint8_t ip_family);            /* AF_INET, AF_INET6, 0 */
void xfrm_addr_from(xfrm_address_t *x, const ip_address *a);
ip_address xfrm_addr_to(const xfrm_address_t *x, uint16_t family);
void xfrm_sel_from(struct xfrm_selector *x, const struct kernel_selector *s);
void xfrm_sel_to(struct kernel_selector *s, const struct xfrm_selector *x);
#endif
