/* ipsec setup: see setup_ops.c and `ipsec setup --help`. */
#include "setup.h"

int main(int argc, char **argv)
{
	static char name[] = "ipsec setup";
	if (argc > 0)
		argv[0] = name;
	return setup_main(argc, argv);
}
