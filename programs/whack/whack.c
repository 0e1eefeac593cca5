/* ipsec whack: see whack_verbs.c and `ipsec whack --help`. */
#include "whackcli.h"

int main(int argc, char **argv)
{
	static char name[] = "ipsec whack";
	if (argc > 0)
		argv[0] = name;
	return whackcli_main(argc, argv);
}
