# testing/netsh/command-lines.awk: the line numbers of the ipsec and
# portproxy command lines of a netsh script, shell script or page, read
# apart from libnetsh (see corpus-coverage). A logical line is one or more
# physical lines joined by a trailing ^ (cmd) or backtick (PowerShell); its
# number is its first line's. Comments (# :: // -- rem), pushd/popd/exit
# and shell prompts (C:\x>, PS C:\>, ❯, $, >, "7." list numbers) are set
# aside before the test: the line mentions ipsec or portproxy, or starts
# with a netsh command word.
{ sub(/\r$/, "") }
cont { cont = /[\^`][ \t]*$/; next }
{
	cont = /[\^`][ \t]*$/
	s = $0
	sub(/^[ \t@]+/, "", s)
	sub(/^PS [^>]*>[ \t]*/, "", s)
	sub(/^[A-Za-z]:\\[^>]*>[ \t]*/, "", s)
	sub(/^(❯|\$|>)[ \t]+/, "", s)
	sub(/^[0-9]+[.)][ \t]*/, "", s)
	l = tolower(s)
	if (l ~ /^(#|::|\/\/|--|rem([ \t.:]|$))/ || l ~ /^(pushd|popd|exit)([ \t]|$)/)
		next
	if (l ~ /(^|[^a-z])(ipsec|portproxy)([^a-z]|$)/ ||
	    l ~ /^(add|set|delete|del|reset|exportpolicy|importpolicy)[ \t]/)
		print FNR
}
