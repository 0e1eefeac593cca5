/* err_t: a parse or check result. NULL means success; otherwise a static
 * or caller-buffer string describing what is wrong, without the bad value
 * itself (the caller quotes the value and names the keyword). */
#ifndef SWAN_ERR_H
#define SWAN_ERR_H
typedef const char *err_t;
#endif
