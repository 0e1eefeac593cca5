/* The control-plane tools' shared code is programs/auto/client.c; every
 * programs/NAME directory is built on its own, so whack compiles it too. */
#include "../auto/client.c"
