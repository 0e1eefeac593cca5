/* Large growing buffers of a loaded config: the file text, the key-line
 * array and the arena's blocks. A 50,000-conn config touches about 40 MiB
 * of them, and taking a page fault for every 4 KiB page was a fifth of the
 * compile time (faults are dear in a VM). From BIGMEM_MIN up each buffer is
 * its own mapping with transparent huge pages asked for (madvise), and
 * grows by moving its pages (mremap) instead of copying them. Smaller
 * sizes stay with malloc. The caller keeps the size: both calls need it. */
#ifndef IPSECCONF_BIGMEM_H
#define IPSECCONF_BIGMEM_H
#include <stddef.h>

#define BIGMEM_MIN (1024 * 1024)

/* Like realloc (p may be NULL with old_size 0); aborts when out of memory. */
void *big_realloc(void *p, size_t old_size, size_t new_size);
void big_free(void *p, size_t size);
#endif
