/* The netsh word splitter (see netsh/tokens.h). */
#include <stdlib.h>
#include <string.h>
#include "netsh/tokens.h"
#include "netsh/util.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* ">x", "2>x", "1>>x", "2>&1": a shell redirection word. */
static bool is_redirection(const char *w)
{
	if (*w >= '0' && *w <= '9')
		w++;
	return *w == '>' || *w == '<';
}

static void push_word(struct nwords *out, struct sbuf *b, bool quoted, size_t eq)
{
	struct nword w = { xstrdup(sb_str(b)), quoted, eq };
	VEC_PUSH(out->v, out->n, out->cap, w);
	sb_reset(b);
}

const char *tokenize(const char *s, bool shell, struct nwords *out)
{
	struct sbuf b = {0};
	const char *err = NULL;
	*out = (struct nwords){0};
	while (*s) {
		while (blank(*s))
			s++;
		if (*s == '\0')
			break;
		if (shell && (*s == '&' || *s == '|'))
			break;
		bool quoted = *s == '"', inq = false, redir = shell && !quoted && is_redirection(s);
		size_t eq = NO_EQ;
		for (; *s && (inq || !blank(*s)); s++) {
			if (*s == '"') {
				inq = !inq;
				continue;
			}
			if (!inq && shell && (*s == '&' || *s == '|') && !redir)
				break;
			if (!inq && *s == '=' && eq == NO_EQ)
				eq = b.len;
			sb_putc(&b, *s);
		}
		if (inq) {
			err = "unterminated quote";
			break;
		}
		if (redir)
			sb_reset(&b);
		else
			push_word(out, &b, quoted, eq);
		if (shell && (*s == '&' || *s == '|'))
			break;
	}
	sb_free(&b);
	return err;
}

void words_free(struct nwords *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].text);
	free(w->v);
	*w = (struct nwords){0};
}
