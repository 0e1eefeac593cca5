/* The netsh word splitter (see netsh/tokens.h). */
#include <stdlib.h>
#include <string.h>
#include "netsh/tokens.h"
#include "netsh/util.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* Skips a cmd redirection starting at s ('>' or '<'; a leading handle
 * digit is already consumed): ">", ">>", "<", then ">&N" or a target
 * word, with or without blanks before it ("> nul", ">nul", ">> %LOG%"). */
static const char *skip_redirection(const char *s)
{
	if (*s == '>' && s[1] == '>')
		s++;
	s++;
	if (*s == '&' && s[1] >= '0' && s[1] <= '9')
		return s + 2;
	while (blank(*s))
		s++;
	bool inq = false;
	for (; *s && (inq || (!blank(*s) && *s != '&' && *s != '|' && *s != '>' && *s != '<')); s++)
		if (*s == '"')
			inq = !inq;
	return s;
}

/* A redirection starts here: "N>" or ">" anywhere outside quotes, "<" at
 * the start of a word that is not a <PLACEHOLDER>. */
static bool redirection_at(const char *s, bool word_start)
{
	if (*s == '>')
		return true;
	if (*s == '<')
		return word_start && strchr(s, '>') == NULL;
	return word_start && *s >= '0' && *s <= '9' && s[1] == '>';
}

const char *skip_leading_redirections(const char *s)
{
	for (;;) {
		while (blank(*s))
			s++;
		if (!redirection_at(s, true))
			return s;
		s = skip_redirection(*s == '<' || *s == '>' ? s : s + 1);
	}
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
		if (redirection_at(s, true)) {
			s = skip_redirection(*s == '<' || *s == '>' ? s : s + 1);
			continue;
		}
		bool quoted = *s == '"', inq = false, angle = false;
		size_t eq = NO_EQ;
		for (; *s && (inq || !blank(*s)); s++) {
			/* \" is a literal quote (rootca="CN=\"A, B\""), as Windows
			 * splits a command line */
			if (s[0] == '\\' && s[1] == '"') {
				sb_putn(&b, s, 2);
				s++;
				continue;
			}
			if (*s == '"') {
				inq = !inq;
				continue;
			}
			if (!inq && shell && (*s == '&' || *s == '|'))
				break;
			if (!inq && *s == '<')
				angle = true;   /* a <PLACEHOLDER>, not a redirection */
			if (!inq && !angle && *s == '>')
				break;
			if (!inq && *s == '=' && eq == NO_EQ)
				eq = b.len;
			sb_putc(&b, *s);
		}
		if (inq) {
			err = "unterminated quote";
			break;
		}
		if (b.len > 0 || quoted)
			push_word(out, &b, quoted, eq);
		if (*s == '>')
			s = skip_redirection(s);
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
