/* Splitting one netsh command line into words, and finding the shell
 * noise around it: redirections and chained commands (cut off), and
 * unexpanded variables (which make the command untranslatable). */
#ifndef NETSH_TOKENS_H
#define NETSH_TOKENS_H
#include <stdbool.h>
#include <stddef.h>

#define NO_EQ ((size_t)-1)

struct nword {
	char *text;      /* with the double quotes removed */
	bool quoted;     /* the word began with a double quote */
	size_t eq;       /* offset in text of the first '=' outside quotes, or NO_EQ */
};

struct nwords {
	struct nword *v;
	size_t n, cap;
};

/* Splits s into words at blanks outside double quotes. Redirections
 * outside quotes are dropped with their target, in every cmd form: ">nul",
 * "> nul", "2> nul", "1>nul", "2>&1", ">> file", "< file", also glued to a
 * word ("assign=y>nul"). With shell set, an unquoted '&' or '|' ends the
 * command. Returns NULL, or a message
 * (static text) when a quote is not closed. */
const char *tokenize(const char *s, bool shell, struct nwords *out);
void words_free(struct nwords *w);
/* s after the redirections it starts with (">nul 2>&1 netsh ..."). */
const char *skip_leading_redirections(const char *s);

/* The first unexpanded variable or template placeholder in s ("%1",
 * "%%i", "%NAME%", "!v!", "$name" when shell, "<HOST>", "[lport]"), copied
 * into buf; NULL when there is none. */
const char *find_variable(const char *s, bool shell, char *buf, size_t size);
#endif
