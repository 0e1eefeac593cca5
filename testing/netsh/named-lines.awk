# testing/netsh/named-lines.awk: the line numbers of script NAME (-v
# name=NAME) that netsh-import's output names: every "NAME:LINE" in the
# files given (messages, ipsec.conf, secrets, rinetd.conf, --json), and in
# messages about NAME, "of line N" (a command a later one undid) and
# "(lines A-B)" (the messages beyond a cap). Used by corpus-coverage.
function digits(s,    i) {
	for (i = 1; substr(s, i, 1) ~ /[0-9]/; i++) ;
	return substr(s, 1, i - 1)
}
{
	rest = $0
	while ((i = index(rest, name ":")) > 0) {
		rest = substr(rest, i + length(name) + 1)
		if ((d = digits(rest)) != "") print d
	}
	if (index($0, name ":") != 1)
		next
	rest = $0
	while ((i = index(rest, "of line ")) > 0) {
		rest = substr(rest, i + 8)
		if ((d = digits(rest)) != "") print d
	}
	if ((i = index($0, "more like this (lines ")) > 0) {
		rest = substr($0, i + 22)
		a = digits(rest); rest = substr(rest, length(a) + 2); b = digits(rest)
		for (k = a + 0; k <= b + 0 && k - a < 100000; k++) print k
	}
}
