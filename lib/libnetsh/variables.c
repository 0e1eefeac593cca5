/* Unexpanded shell variables and template placeholders: a command that
 * still has one cannot be translated, because its real value is unknown. */
#include <ctype.h>
#include <string.h>
#include "netsh/tokens.h"

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Length of the variable starting at s (0: none). */
static size_t cmd_variable(const char *s)
{
	if (s[0] != '%')
		return 0;
	if (s[1] == '%' && isalpha((unsigned char)s[2]))
		return 3;                                   /* %%i */
	if ((s[1] >= '0' && s[1] <= '9') || s[1] == '*')
		return 2;                                   /* %1 %* */
	if (s[1] == '~') {                                  /* %~dp0 %~1 */
		size_t n = 2;
		while (isalpha((unsigned char)s[n]))
			n++;
		return isdigit((unsigned char)s[n]) ? n + 1 : 0;
	}
	if (ident_start(s[1])) {                            /* %NAME% */
		size_t n = 2;
		while (ident(s[n]) || s[n] == ':' || s[n] == '~' || s[n] == ',')
			n++;
		return s[n] == '%' ? n + 1 : 0;
	}
	return 0;
}

static size_t delayed_variable(const char *s)
{
	if (s[0] != '!' || !ident_start(s[1]))
		return 0;
	size_t n = 2;
	while (ident(s[n]))
		n++;
	return s[n] == '!' ? n + 1 : 0;
}

static size_t dollar_variable(const char *s)
{
	if (s[0] != '$')
		return 0;
	if (s[1] == '{' || s[1] == '(') {
		const char *e = strchr(s, s[1] == '{' ? '}' : ')');
		return e ? (size_t)(e - s) + 1 : 2;
	}
	if (!ident_start(s[1]))
		return 0;
	size_t n = 2;
	while (ident(s[n]))
		n++;
	return n;
}

/* <HOST>, and [lport] at the start of a value (not AH[MD5]). */
static size_t placeholder(const char *s, char prev)
{
	char close = s[0] == '<' ? '>' : s[0] == '[' ? ']' : 0;
	if (close == 0 || !ident_start(s[1]))
		return 0;
	if (close == ']' && prev != '=' && prev != ' ' && prev != '"' && prev != '\t')
		return 0;
	size_t n = 2;
	while (ident(s[n]) || s[n] == '-')
		n++;
	return s[n] == close ? n + 1 : 0;
}

const char *find_variable(const char *s, bool shell, char *buf, size_t size)
{
	char prev = ' ';
	for (const char *p = s; *p; prev = *p++) {
		size_t n = cmd_variable(p);
		if (n == 0)
			n = delayed_variable(p);
		if (n == 0 && shell)
			n = dollar_variable(p);
		if (n == 0)
			n = placeholder(p, prev);
		if (n == 0)
			continue;
		if (n >= size)
			n = size - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}
