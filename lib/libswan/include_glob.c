/* See swan/include_glob.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "swan/include_glob.h"

bool include_glob_dir_missing(const char *pattern)
{
	const char *slash = strrchr(pattern, '/');
	if (slash == NULL)
		return false;   /* the including file's own directory */
	size_t len = slash == pattern ? 1 : (size_t)(slash - pattern);
	if (memchr(pattern, '*', len) != NULL || memchr(pattern, '?', len) != NULL ||
	    memchr(pattern, '[', len) != NULL)
		return false;
	char *dir = strndup(pattern, len);
	if (dir == NULL)
		return false;
	struct stat st;
	bool missing = stat(dir, &st) != 0 || !S_ISDIR(st.st_mode);
	free(dir);
	return missing;
}
