/* include patterns of ipsec.conf and ipsec.secrets: a pattern that
 * matches no file in a directory that exists is an empty drop-in
 * directory (ipsec.d/ with no .conf in it yet), not a mistake;
 * one whose directory is missing probably is. */
#ifndef SWAN_INCLUDE_GLOB_H
#define SWAN_INCLUDE_GLOB_H
#include <stdbool.h>

/* Whether the directory part of pattern (before its last '/'; "." when it
 * has none) is missing or not a directory. False when that part has
 * wildcards itself (it cannot be told then: the caller warns). */
bool include_glob_dir_missing(const char *pattern);
#endif
