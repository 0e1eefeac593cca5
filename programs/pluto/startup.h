/* Start-up and shutdown of the daemon, in their fixed order. */
#ifndef PLUTO_STARTUP_H
#define PLUTO_STARTUP_H

struct pluto;
struct pluto_options;

/* 0, or the exit status (1) after logging why pluto cannot run. */
int pluto_start(struct pluto *p);
/* Deletes the SAs, removes what pluto installed, closes everything. */
void pluto_stop(struct pluto *p);
/* The --config parse main.c kept for load_config, dropped unused. */
void pluto_config_forget(struct pluto_options *o);
#endif
