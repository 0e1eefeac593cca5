/* ipsec auto: see auto_ops.c and `ipsec auto --help`. */
#include "auto.h"

int main(int argc, char **argv)
{
	static char name[] = "ipsec auto";
	if (argc > 0)
		argv[0] = name;
	return auto_main(argc, argv);
}
