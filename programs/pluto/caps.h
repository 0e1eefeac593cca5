/* Dropping capabilities once the sockets are bound. */
#ifndef PLUTO_CAPS_H
#define PLUTO_CAPS_H
#include <stdbool.h>
#include "log.h"

/* Keeps only what XFRM, the IKE sockets and the updown scripts need
 * (NET_ADMIN, NET_BIND_SERVICE, NET_RAW: caps.c says why each); the
 * bounding set is cut too, so updown children get no more. Acts on the
 * calling thread only: call it before any other thread is started. False
 * (logged) when it could not be done. */
bool caps_drop(const struct logger *lg);
#endif
