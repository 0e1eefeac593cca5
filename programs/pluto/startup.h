/* Start-up and shutdown of the daemon, in their fixed order. */
#ifndef PLUTO_STARTUP_H
#define PLUTO_STARTUP_H

struct pluto;

/* 0, or the exit status (1) after logging why pluto cannot run. */
int pluto_start(struct pluto *p);
/* Deletes the SAs, removes what pluto installed, closes everything. */
void pluto_stop(struct pluto *p);
#endif
