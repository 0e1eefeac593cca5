/* ipsec.conf grammar: a sequence of lines. The grammar only frames lines
 * into a header or a key line; reader_header() and reader_keyline() give
 * them meaning, so that every message can say exactly what is wrong. */
%code requires {
#include "internal.h"
typedef void *yyscan_t;
}

%define api.pure full
%define api.prefix {conf_yy}
%define parse.error verbose
%locations
%lex-param { yyscan_t scanner }
%parse-param { yyscan_t scanner } { struct conf_reader *reader }

%union {
	struct conf_tok tok;
}

%code {
int conf_yylex(CONF_YYSTYPE *lval, CONF_YYLTYPE *lloc, yyscan_t scanner);
static void conf_yyerror(CONF_YYLTYPE *loc, yyscan_t scanner,
			 struct conf_reader *reader, const char *msg);

/* Lists of words live in the reader, not on the parser stack: copying a
 * list with every shift would cost more than the rest of the parse. */
static void list_start(struct conf_toklist *l)
{
	l->n = 0;
	l->has_eq = false;
}

static void list_add(struct conf_toklist *l, const struct conf_tok *t)
{
	if (l->n < CONF_TOKLIST_MAX)
		l->t[l->n] = *t;
	l->n++;
}
}

%token <tok> WORD
%token INDENT EOL BADTOKEN

%%

file
	: %empty
	| file line
	;

line
	: items EOL			{ reader_header(reader, &reader->list); }
	| INDENT WORD '=' values EOL	{ reader_keyline(reader, &$2, &reader->list, true); }
	| INDENT WORD '=' EOL		{ list_start(&reader->list);
					  reader_keyline(reader, &$2, &reader->list, true); }
	| INDENT WORD values EOL	{ reader_keyline(reader, &$2, &reader->list, false); }
	| INDENT WORD EOL		{ list_start(&reader->list);
					  reader_keyline(reader, &$2, &reader->list, false); }
	| INDENT '=' values EOL		{ reader_error(reader, (unsigned)@2.first_line, (unsigned)@2.first_column,
						       "missing keyword before '=' (a key line is 'keyword=value')"); }
	| INDENT '=' EOL		{ reader_error(reader, (unsigned)@2.first_line, (unsigned)@2.first_column,
						       "missing keyword before '=' (a key line is 'keyword=value')"); }
	| EOL				{ }
	| INDENT EOL			{ }
	| error EOL			{ yyerrok; reader_bad_line(reader); }
	;

items
	: WORD				{ list_start(&reader->list); list_add(&reader->list, &$1); }
	| '='				{ list_start(&reader->list); reader->list.has_eq = true; }
	| items WORD			{ list_add(&reader->list, &$2); }
	| items '='			{ reader->list.has_eq = true; }
	;

values
	: WORD				{ list_start(&reader->list); list_add(&reader->list, &$1); }
	| values WORD			{ list_add(&reader->list, &$2); }
	;

%%

static void conf_yyerror(CONF_YYLTYPE *loc, yyscan_t scanner,
			 struct conf_reader *reader, const char *msg)
{
	(void)scanner;
	/* The lexer has already explained a bad token on this line. */
	if (reader->reported_line == (unsigned)loc->first_line)
		return;
	reader_error(reader, (unsigned)loc->first_line, (unsigned)loc->first_column,
		     "cannot parse this line (%s)", msg);
}
