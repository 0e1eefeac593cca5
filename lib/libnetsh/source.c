/* Reading a script into logical lines (see netsh/source.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/source.h"
#include "netsh/tokens.h"
#include "netsh/util.h"

/* UTF-16LE (Notepad's "Unicode") to UTF-8; unpaired surrogates become
 * U+FFFD so that bad input never stops the reader. */
static char *utf16le_to_utf8(const unsigned char *p, size_t len, size_t *outlen)
{
	struct sbuf b = {0};
	for (size_t i = 0; i + 1 < len; i += 2) {
		uint32_t c = p[i] | (uint32_t)p[i + 1] << 8;
		if (c >= 0xd800 && c < 0xdc00 && i + 3 < len) {
			uint32_t lo = p[i + 2] | (uint32_t)p[i + 3] << 8;
			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;
		}
		char u[4];
		size_t n;
		if (c < 0x80) {
			u[0] = (char)c; n = 1;
		} else if (c < 0x800) {
			u[0] = (char)(0xc0 | c >> 6); u[1] = (char)(0x80 | (c & 0x3f)); n = 2;
		} else if (c < 0x10000) {
			u[0] = (char)(0xe0 | c >> 12); u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f)); n = 3;
		} else {
			u[0] = (char)(0xf0 | c >> 18); u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((c >> 6) & 0x3f)); u[3] = (char)(0x80 | (c & 0x3f)); n = 4;
		}
		sb_putn(&b, u, n);
	}
	*outlen = b.len;
	return b.s ? b.s : xstrdup("");
}

/* UTF-16LE text without a BOM (PowerShell's Out-File -Encoding Unicode
 * through some tools): ASCII characters with a NUL high byte. */
static bool utf16le_without_bom(const unsigned char *u, size_t len)
{
	if (len < 8 || len % 2 != 0)
		return false;
	size_t pairs = len / 2 < 256 ? len / 2 : 256, ascii = 0;
	for (size_t i = 0; i < pairs; i++)
		ascii += u[2 * i] != 0 && u[2 * i + 1] == 0;
	return ascii * 10 >= pairs * 9;
}

bool is_netsh_word(const char *w, size_t len)
{
	/* strip a path: the last \ or / */
	for (size_t i = len; i > 0; i--) {
		if (w[i - 1] == '\\' || w[i - 1] == '/') {
			w += i;
			len -= i;
			break;
		}
	}
	if (len >= 2 && w[0] == '"' && w[len - 1] == '"')
		w++, len -= 2;
	char tmp[16];
	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, w, len);
	tmp[len] = '\0';
	return ieq(tmp, "netsh") || ieq(tmp, "netsh.exe");
}

/* A markdown code fence: a line that is only ``` or ```cmd, ```bat, ... */
bool is_code_fence(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len < 3 || (memcmp(s, "```", 3) != 0 && memcmp(s, "~~~", 3) != 0))
		return false;
	for (size_t i = 3; i < len; i++)
		if (s[i] == ' ' || s[i] == '\t')
			return false;
	return true;
}

/* A physical line continues on the next one when it ends (ignoring
 * trailing blanks) in ^ (cmd) or ` (PowerShell). Returns the length
 * without the mark, or SIZE_MAX when it does not continue. In markdown a
 * fence never continues, and a line with an even number of backticks
 * ends in inline code (`netsh ...`), not in a continuation. */
static size_t continued(const char *s, size_t len, bool markdown)
{
	if (is_code_fence(s, len))
		return SIZE_MAX;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || (s[len - 1] != '^' && s[len - 1] != '`'))
		return SIZE_MAX;
	/* "^^" is an escaped caret in cmd, not a continuation */
	if (s[len - 1] == '^' && len >= 2 && s[len - 2] == '^')
		return SIZE_MAX;
	if (s[len - 1] == '`' && markdown) {
		size_t ticks = 0;
		for (size_t i = 0; i < len; i++)
			ticks += s[i] == '`';
		if (ticks % 2 == 0)
			return SIZE_MAX;
	}
	return len - 1;
}

/* Keeps the bytes of a physical line; a NUL byte marks the whole logical
 * line as spoilt (it is reported, the other lines are read). */
static void put_bytes(struct sbuf *b, const char *p, size_t n, bool *nul)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\0') {
			*nul = true;
			sb_putc(b, ' ');
		} else {
			sb_putc(b, p[i]);
		}
	}
}

/* An interactive prompt in front of a command, as cheat sheets and
 * transcripts show them: "C:\>", "C:\Users\x>", "PS C:\>" (dropped) and
 * "netsh>", "netsh ipsec static>" (the context stays: the '>' goes);
 * also "$ ", "> ", "❯ " and list numbers ("7.", "12)") before netsh (not before a file name: "> log"
 * is a redirection). */
static void strip_prompt(char *t)
{
	char *s = t;
	while (*s == ' ' || *s == '\t')
		s++;
	char *p = s;
	/* a numbered list of commands: "7.netsh ...", "12) netsh ..." */
	size_t digits = strspn(s, "0123456789");
	if (digits > 0 && digits < 4 && (s[digits] == '.' || s[digits] == ')')) {
		p = s + digits + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (is_netsh_word(p, strcspn(p, " \t>"))) {
			memmove(t, p, strlen(p) + 1);
			s = t;
		}
		p = s;
	}
	/* one-character shell prompts: "$ ", "> ", "❯ " */
	static const char *const marks[] = { "$ ", "> ", "\xe2\x9d\xaf ", NULL };
	for (size_t i = 0; marks[i]; i++)
		if (strncmp(s, marks[i], strlen(marks[i])) == 0 &&
		    is_netsh_word(s + strlen(marks[i]), strcspn(s + strlen(marks[i]), " \t>"))) {
			p = s + strlen(marks[i]);
			memmove(t, p, strlen(p) + 1);
			s = p = t;
			break;
		}
	if ((p[0] == 'P' || p[0] == 'p') && (p[1] == 'S' || p[1] == 's') && p[2] == ' ')
		p += 3;
	if (((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) && p[1] == ':' &&
	    (p[2] == '\\' || p[2] == '>')) {
		size_t n = strcspn(p, ">\"=");
		if (p[n] == '>') {
			p += n + 1;
			memmove(t, p, strlen(p) + 1);
		}
		return;
	}
	size_t n = strcspn(s, " \t>");
	if (!is_netsh_word(s, n))
		return;
	/* netsh[ CONTEXT...]> : words of letters, then '>' */
	for (p = s + n; *p; p++) {
		if (*p == '>') {
			*p = ' ';
			return;
		}
		if (!(*p == ' ' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return;
	}
}

static void add_line(struct nsource *src, unsigned lineno, struct sbuf *b, bool nul)
{
	struct nline l = { lineno, xstrdup(sb_str(b)), nul };
	strip_prompt(l.text);
	VEC_PUSH(src->v, src->n, src->cap, l);
	sb_reset(b);
}

static void split_lines(struct nsource *src, const char *text, size_t len, bool markdown)
{
	struct sbuf b = {0};
	unsigned lineno = 1, first = 0;
	size_t start = 0;
	bool nul = false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		size_t n = i - start;
		if (n > 0 && text[start + n - 1] == '\r')
			n--;
		/* a fence ends a continued line: it is never part of a command */
		if (first != 0 && is_code_fence(text + start, n)) {
			add_line(src, first, &b, nul);
			first = 0;
			nul = false;
		}
		if (first == 0)
			first = lineno;
		size_t keep = continued(text + start, n, markdown);
		if (keep != SIZE_MAX && i < len) {
			put_bytes(&b, text + start, keep, &nul);
			sb_putc(&b, ' ');
		} else {
			put_bytes(&b, text + start, n, &nul);
			add_line(src, first, &b, nul);
			first = 0;
			nul = false;
		}
		lineno++;
		start = i + 1;
	}
	sb_free(&b);
}

static bool has_netsh_command(const struct nsource *src);

static bool has_extension(const char *name, const char *const *ext)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot != NULL && ext[i]; i++)
		if (ieq(dot, ext[i]))
			return true;
	return false;
}

/* Files of a shell or another language: only lines running netsh count. */
static bool shell_extension(const char *name)
{
	static const char *const ext[] = {
		".bat", ".cmd", ".ps1", ".psm1", ".sh", ".lua", ".md", ".markdown", ".py", ".vbs", NULL,
	};
	return has_extension(name, ext);
}

bool source_load(struct nsource *src, const char *name, const char *buf,
		 size_t len, struct diags *d)
{
	const unsigned char *u = (const unsigned char *)buf;
	*src = (struct nsource){ .name = name };
	if (len >= 4 && memcmp(buf, "regf", 4) == 0) {
		diag_add(d, DIAG_ERROR, name, 0, 0,
			 "binary IPsec policy export (a Windows registry hive, as written by "
			 "'netsh ipsec static exportpolicy'); it cannot be read: re-create the "
			 "policy as a netsh script");
		return false;
	}
	char *owned = NULL;
	if (len >= 2 && u[0] == 0xff && u[1] == 0xfe) {
		owned = utf16le_to_utf8(u + 2, len - 2, &len);
		buf = owned;
	} else if (utf16le_without_bom(u, len)) {
		owned = utf16le_to_utf8(u, len, &len);
		buf = owned;
	} else if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		buf += 3;
		len -= 3;
	}
	/* NUL bytes spoil their lines only, unless there are so many that
	 * this is not text at all */
	size_t nuls = 0;
	for (const char *p = buf; (p = memchr(p, '\0', len - (size_t)(p - buf))) != NULL; p++)
		nuls++;
	if (nuls > len / 8) {
		diag_add(d, DIAG_ERROR, name, 0, 0,
			 "binary data (NUL bytes): not a netsh script");
		free(owned);
		return false;
	}
	static const char *const md[] = { ".md", ".markdown", NULL };
	src->markdown = has_extension(name, md);
	split_lines(src, buf, len, src->markdown);
	free(owned);
	src->shell = shell_extension(name) || has_netsh_command(src);
	return true;
}

/* The first word of a line, skipping blanks and a leading '@'. */
static const char *first_word(const char *s, size_t *len)
{
	while (*s == ' ' || *s == '\t' || *s == '@')
		s++;
	s = skip_leading_redirections(s);
	size_t n = strcspn(s, " \t");
	*len = n;
	return s;
}

/* A file is a shell script (.bat, .cmd, .ps1, ...) when some line runs
 * netsh itself; otherwise it is a script for "netsh -f" / "netsh exec",
 * where every line is a netsh command. */
static bool has_netsh_command(const struct nsource *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const char *t = src->v[i].text;
		size_t n;
		const char *w = first_word(t, &n);
		if (is_netsh_word(w, n))
			return true;
		/* if (...) ( netsh ... ) and for ... do ( netsh ... ) */
		char lw[8] = {0};
		memcpy(lw, w, n < 7 ? n : 7);
		if ((ieq(lw, "if") || ieq(lw, "for")) && strcasestr(t, "netsh") != NULL)
			return true;
	}
	return false;
}

void source_free(struct nsource *src)
{
	for (size_t i = 0; i < src->n; i++)
		free(src->v[i].text);
	free(src->v);
	*src = (struct nsource){0};
}
