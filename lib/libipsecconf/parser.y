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
	struct conf_toklist list;
}

%code {
int conf_yylex(CONF_YYSTYPE *lval, CONF_YYLTYPE *lloc, yyscan_t scanner);
static void conf_yyerror(CONF_YYLTYPE *loc, yyscan_t scanner,
			 struct conf_reader *reader, const char *msg);

static void list_add(struct conf_toklist *l, const struct conf_tok *t)
{
	if (l->n < CONF_TOKLIST_MAX)
		l->t[l->n] = *t;
	l->n++;
}
}

%token <tok> WORD
%token INDENT EOL BADTOKEN
%nterm <list> items values

%%

file
	: %empty
	| file line
	;

line
	: items EOL			{ reader_header(reader, &$1); }
	| INDENT WORD '=' values EOL	{ reader_keyline(reader, &$2, &$4, true); }
	| INDENT WORD '=' EOL		{ struct conf_toklist none = {0};
					  reader_keyline(reader, &$2, &none, true); }
	| INDENT WORD values EOL	{ reader_keyline(reader, &$2, &$3, false); }
	| INDENT WORD EOL		{ struct conf_toklist none = {0};
					  reader_keyline(reader, &$2, &none, false); }
	| INDENT '=' values EOL		{ reader_error(reader, (unsigned)@2.first_line, (unsigned)@2.first_column,
						       "missing keyword before '=' (a key line is 'keyword=value')"); }
	| INDENT '=' EOL		{ reader_error(reader, (unsigned)@2.first_line, (unsigned)@2.first_column,
						       "missing keyword before '=' (a key line is 'keyword=value')"); }
	| EOL				{ }
	| INDENT EOL			{ }
	| error EOL			{ yyerrok; }
	;

items
	: WORD				{ $$ = (struct conf_toklist){0}; list_add(&$$, &$1); }
	| '='				{ $$ = (struct conf_toklist){0}; $$.has_eq = true; }
	| items WORD			{ $$ = $1; list_add(&$$, &$2); }
	| items '='			{ $$ = $1; $$.has_eq = true; }
	;

values
	: WORD				{ $$ = (struct conf_toklist){0}; list_add(&$$, &$1); }
	| values WORD			{ $$ = $1; list_add(&$$, &$2); }
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
