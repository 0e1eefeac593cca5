# testing/pluto/lib/windows-peer.awk: the swanctl.conf of a strongSwan host
# that plays the Windows peer of a netsh ipsec static policy.
#
#   awk -v me=ADDR -v script_me=ADDR -v conn=NAME -v child=NAME \
#       -f windows-peer.awk POLICY.netsh >swanctl.conf
#
# POLICY.netsh is the script as written for the other end (the host whose
# address "Me" means: script_me, the --me of `ipsec netsh-import`). The
# Windows peer (address me) runs the mirror of that policy: the same tunnel
# rule pair seen from the other gateway, or a transport filter with its ends
# swapped. What it offers is what Windows offers for that policy: the
# mmsecmethods and qmsecmethods in order (Windows' defaults when absent),
# mmlifetime in minutes, the quick mode lifetimes (seconds and kB), qmpfs
# with the main mode groups, and the rule's pre-shared key with the
# addresses as IDs (what Windows sends).
#
# This is the test's own reading of netsh, written apart from libnetsh on
# purpose: a tunnel that comes up between the two is then evidence that
# both read the policy the same way, not that one reading agrees with
# itself. It knows only the commands and tags of the scenarios' policies,
# in their full spelling; anything else is an error naming the line, so a
# policy it cannot mirror fails the scenario's prep.sh instead of producing
# a different peer.

function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

# netsh's documented defaults (Windows Server 2003 netsh ipsec reference)
BEGIN {
	if (me == "" || script_me == "" || conn == "" || child == "") {
		print "usage: awk -v me=ADDR -v script_me=ADDR -v conn=NAME -v child=NAME -f windows-peer.awk POLICY" > "/dev/stderr"
		failed = 1
		exit 2
	}
	MM_DEFAULT = "3DES-SHA1-2 3DES-MD5-2 3DES-SHA1-3"
	QM_DEFAULT = "ESP[3DES,SHA1]:100000k/3600s ESP[3DES,MD5]:100000k/3600s"
	MMLIFE_DEFAULT = 480
	# Windows' names -> strongSwan's; group numbers are Windows' own (3 is
	# the 2048-bit group, not IKE group 3)
	split("3DES=3des AES128=aes128 AES192=aes192 AES256=aes256", t, " ")
	for (i in t) { split(t[i], kv, "="); ENC[kv[1]] = kv[2] }
	split("MD5=md5 SHA1=sha1", t, " ")
	for (i in t) { split(t[i], kv, "="); HASH[kv[1]] = kv[2] }
	split("2=modp1024 3=modp2048", t, " ")
	for (i in t) { split(t[i], kv, "="); GROUP[kv[1]] = kv[2] }
	# the tags each command may have (full spelling only)
	TAGS["policy"] = " name mmsecmethods mmlifetime assign description activatedefaultrule pollinginterval "
	TAGS["filteraction"] = " name action qmsecmethods qmpfs inpass soft description "
	TAGS["filter"] = " filterlist srcaddr srcmask dstaddr dstmask mirrored description protocol srcport dstport "
	TAGS["rule"] = " name policy filterlist filteraction tunnel psk description activate "
}

# split line into NT tokens TOK[1..NT]: blanks separate, "..." quotes
function tokenize(line,    i, c, cur, inq, have) {
	NT = 0; cur = ""; inq = 0; have = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (c == "\"") { inq = !inq; have = 1; continue }
		if (!inq && (c == " " || c == "\t" || c == "\r")) {
			if (have) { TOK[++NT] = cur; cur = ""; have = 0 }
			continue
		}
		cur = cur c; have = 1
	}
	if (inq) fail("unclosed quote")
	if (have) TOK[++NT] = cur
}

# the mask tag's value as a prefix length (a prefix or a dotted mask)
function prefix_of(m,    p, o, i, n, b) {
	if (m == "") return 32
	if (m ~ /^[0-9]+$/ && m + 0 <= 32) return m + 0
	if (split(m, o, ".") != 4) fail("mask " m " is neither a prefix nor a dotted mask")
	n = 0
	for (i = 1; i <= 4; i++)
		for (b = 128; b >= 1; b /= 2)
			if (o[i] + 0 >= b) { o[i] -= b; n++ }
	return n
}

# a filter end as a selector: Me is the script's host
function selector(addr, mask) {
	if (tolower(addr) == "me") return script_me "/32"
	if (tolower(addr) == "any") return "0.0.0.0/0"
	if (addr !~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) fail("address " addr " is not one this helper mirrors")
	return addr "/" prefix_of(mask)
}

# mmsecmethods -> strongSwan IKE proposals, in order; MMGROUPS gets the
# groups in order of first use (for qmpfs)
function mm_proposals(s,    n, o, i, p, out, seen) {
	n = split(s, o, " ")
	out = ""; MMGROUPS = ""
	for (i = 1; i <= n; i++) {
		if (split(toupper(o[i]), p, "-") != 3 || !(p[1] in ENC) || !(p[2] in HASH) || !(p[3] in GROUP))
			fail("main mode method " o[i] " is not one this helper mirrors")
		out = out (out == "" ? "" : ", ") ENC[p[1]] "-" HASH[p[2]] "-" GROUP[p[3]]
		if (!(GROUP[p[3]] in seen)) { seen[GROUP[p[3]]] = 1; MMGROUPS = MMGROUPS "-" GROUP[p[3]] }
	}
	return out
}

# qmsecmethods -> ESP proposals in order; QM_SECS and QM_KB get the
# lifetimes, which must be one for all offers (one per CHILD_SA here)
function qm_proposals(s, pfs,    n, o, i, m, alg, life, secs, kb, out) {
	n = split(s, o, " ")
	out = ""; QM_SECS = ""; QM_KB = ""
	for (i = 1; i <= n; i++) {
		m = toupper(o[i]); life = ""
		if (index(m, ":")) { life = substr(m, index(m, ":") + 1); m = substr(m, 1, index(m, ":") - 1) }
		if (m !~ /^ESP\[[A-Z0-9]+,[A-Z0-9]+\]$/) fail("quick mode method " o[i] " is not one this helper mirrors (ESP[ENC,HASH] only)")
		split(substr(m, 5, length(m) - 5), alg, ",")
		if (!(alg[1] in ENC) || !(alg[2] in HASH)) fail("quick mode method " o[i] " is not one this helper mirrors")
		secs = 3600; kb = 100000   # netsh's defaults for an offer without them
		if (life != "") {
			secs = ""; kb = ""
			if (life ~ /^[0-9]+K\/[0-9]+S$/) { kb = life + 0; secs = substr(life, index(life, "/") + 1) + 0 }
			else if (life ~ /^[0-9]+S$/) secs = life + 0
			else if (life ~ /^[0-9]+K$/) kb = life + 0
			else fail("quick mode lifetime " life " is not kB/seconds")
		}
		if (i > 1 && (secs != QM_SECS || kb != QM_KB)) fail("quick mode offers with different lifetimes")
		QM_SECS = secs; QM_KB = kb
		out = out (out == "" ? "" : ", ") ENC[alg[1]] "-" HASH[alg[2]] (pfs ? MMGROUPS : "")
	}
	return out
}

{ sub(/\r$/, "") }
/^[ \t]*(#|$)/ { next }
{
	tokenize($0)
	i = 1
	if (tolower(TOK[i]) == "netsh") i++
	if (tolower(TOK[i]) != "ipsec" || tolower(TOK[i + 1]) != "static" || tolower(TOK[i + 2]) != "add")
		fail("not an \"ipsec static add\" command")
	kind = tolower(TOK[i + 3])
	if (!(kind in TAGS)) fail("\"add " TOK[i + 3] "\" is not a command this helper mirrors")
	delete V
	for (i += 4; i <= NT; i++) {
		eq = index(TOK[i], "=")
		tag = tolower(substr(TOK[i], 1, eq - 1))
		if (eq < 2 || index(TAGS[kind], " " tag " ") == 0) fail("tag " TOK[i] " is not one this helper mirrors")
		V[tag] = substr(TOK[i], eq + 1)
	}
	if (kind == "policy") {
		if (tolower(V["assign"]) ~ /^y(es)?$/) {
			if (assigned != "") fail("a second assigned policy")
			assigned = V["name"]
			mmsec = ("mmsecmethods" in V) ? V["mmsecmethods"] : MM_DEFAULT
			mmlife = ("mmlifetime" in V) ? V["mmlifetime"] : MMLIFE_DEFAULT
		}
	} else if (kind == "filteraction") {
		a = V["name"]
		ACTION[a] = tolower(("action" in V) ? V["action"] : "negotiate")
		QMSEC[a] = ("qmsecmethods" in V) ? V["qmsecmethods"] : QM_DEFAULT
		PFS[a] = tolower(V["qmpfs"]) ~ /^y(es)?$/
	} else if (kind == "filter") {
		l = V["filterlist"]
		if (l in FSRC) fail("filter list " l " has more than one filter")
		if (("protocol" in V && toupper(V["protocol"]) != "ANY") || V["srcport"] + 0 || V["dstport"] + 0)
			fail("filters with a protocol or ports are not mirrored by this helper")
		FSRC[l] = selector(V["srcaddr"], V["srcmask"])
		FDST[l] = selector(V["dstaddr"], V["dstmask"])
		FMIRROR[l] = tolower(V["mirrored"]) !~ /^no?$/
	} else {
		if (V["psk"] == "") fail("rule " V["name"] " has no psk= (only pre-shared keys are mirrored)")
		n_rules++
		RPOL[n_rules] = V["policy"]; RLIST[n_rules] = V["filterlist"]
		RACT[n_rules] = V["filteraction"]; RTUN[n_rules] = V["tunnel"]
		RPSK[n_rules] = V["psk"]; RLINE[n_rules] = FNR
	}
}

END {
	if (failed) exit 1
	if (assigned == "") { print FILENAME ": no assigned policy" > "/dev/stderr"; exit 1 }
	FNR = 0
	# the assigned policy's negotiate rules: a tunnel pair or one transport rule
	n = 0
	for (r = 1; r <= n_rules; r++) {
		if (RPOL[r] != assigned) continue
		FNR = RLINE[r]
		if (!(RACT[r] in ACTION)) fail("filter action " RACT[r] " is not defined")
		if (!(RLIST[r] in FSRC)) fail("filter list " RLIST[r] " is not defined")
		if (ACTION[RACT[r]] != "negotiate") continue
		if (n && (RACT[r] != RACT[pick[1]] || RPSK[r] != RPSK[pick[1]]))
			fail("rules with different filter actions or keys (one conn only here)")
		pick[++n] = r
	}
	if (n == 0) fail("the assigned policy " assigned " has no negotiate rule")
	act = RACT[pick[1]]; psk = RPSK[pick[1]]
	if (psk ~ /["\\]/) fail("a key with a quote or backslash")
	if (n == 1 && RTUN[pick[1]] == "") {
		# transport: the filter with its ends swapped (the peer's Me is its
		# destination)
		l = RLIST[pick[1]]
		if (!FMIRROR[l]) fail("a transport filter with mirrored=no")
		if (FDST[l] != me "/32" || FSRC[l] != script_me "/32")
			fail("the transport filter is not Me -> " me)
		mode = "transport"; remote = script_me; lts = FDST[l]; rts = FSRC[l]
	} else if (n == 2 && RTUN[pick[1]] != "" && RTUN[pick[2]] != "") {
		# tunnel: the peer's outbound rule is the one whose tunnel ends at
		# the other gateway, its inbound rule the one that ends at the peer
		out = RTUN[pick[1]] == me ? pick[2] : pick[1]
		in_ = out == pick[1] ? pick[2] : pick[1]
		if (RTUN[in_] != me || RTUN[out] != script_me)
			fail("the tunnel rules do not end at " me " and " script_me)
		lo = RLIST[out]; li = RLIST[in_]
		if (FMIRROR[lo] || FMIRROR[li]) fail("a tunnel filter with mirrored=yes")
		if (FSRC[lo] != FDST[li] || FDST[lo] != FSRC[li]) fail("the two tunnel rules' filters are not each other's mirror")
		mode = "tunnel"; remote = script_me; lts = FSRC[lo]; rts = FDST[lo]
	} else
		fail("the negotiate rules are neither one transport rule nor one tunnel pair")

	proposals = mm_proposals(mmsec)
	esp = qm_proposals(QMSEC[act], PFS[act])
	if (mmlife !~ /^[0-9]+$/) fail("mmlifetime " mmlife " is not a number of minutes")

	printf "# swanctl.conf of the Windows peer (%s) of policy \"%s\" in %s,\n", me, assigned, FILENAME
	printf "# derived by testing/pluto/lib/windows-peer.awk: do not edit\n"
	printf "connections {\n\t%s {\n", conn
	printf "\t\tversion = 1\n\t\taggressive = no\n"
	printf "\t\tlocal_addrs = %s\n\t\tremote_addrs = %s\n", me, remote
	printf "\t\tproposals = %s\n", proposals
	# Windows re-authenticates (a new main mode) when mmlifetime ends
	printf "\t\treauth_time = %dm\n\t\trekey_time = 0\n\t\tover_time = 0\n", mmlife
	printf "\t\tlocal {\n\t\t\tauth = psk\n\t\t\tid = %s\n\t\t}\n", me
	printf "\t\tremote {\n\t\t\tauth = psk\n\t\t\tid = %s\n\t\t}\n", remote
	printf "\t\tchildren {\n\t\t\t%s {\n", child
	printf "\t\t\t\tlocal_ts = %s\n\t\t\t\tremote_ts = %s\n", lts, rts
	printf "\t\t\t\tesp_proposals = %s\n\t\t\t\tmode = %s\n", esp, mode
	if (QM_SECS != "")
		printf "\t\t\t\tlife_time = %ds\n\t\t\t\trekey_time = %ds\n", QM_SECS, QM_SECS * 9 / 10
	if (QM_KB != "")
		printf "\t\t\t\tlife_bytes = %d\n", QM_KB * 1024
	printf "\t\t\t}\n\t\t}\n\t}\n}\n"
	printf "secrets {\n\tike-%s {\n\t\tid-a = %s\n\t\tid-b = %s\n\t\tsecret = \"%s\"\n\t}\n}\n", conn, me, remote, psk
}
