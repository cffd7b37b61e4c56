#!/bin/sh
c=$(printf '\r'); case $(sed -n 2p "$0") in *"$c") t=$(mktemp) && tr -d '\r' <"$0" >"$t" && CONCORD_VERIFY_HERE=$(dirname "$0") CONCORD_VERIFY_SELF=$t exec sh "$t" "$@" ;; esac #
# concord evidence check, with stock tools only: git, ssh-keygen, sha256sum.
#
#   sh verify.sh [LEDGER-ID]
#
# Give the ledger id your forum publishes to pin the ledger. Exit status:
# 0 every check holds; 3 something does not (invalid or tampered evidence);
# 1 cannot check (a tool is missing or too old: nothing is said of the
# evidence); 2 the argument is not a ledger id. (The line above lets a copy
# whose line endings a checkout converted to CRLF run all the same.) See
# docs/EVIDENCE.md in concord's repository.
set -u
LC_ALL=C
export LC_ALL
readme_sha256=23e2ac46d1b3bfee00357d073197279a4bc136807f1391a8299fdcbdfa729177
here=${CONCORD_VERIFY_HERE:-$(dirname "$0")}
cd "$here" || { printf 'cannot check: cannot enter the folder of verify.sh\n'; exit 1; }

# Text taken from the evidence is printed inertly: printable ASCII but the
# backslash, at most 120 bytes, and always through printf '%s'.
shown() { printf '%s' "$1" | tr -c '[:print:]' '?' | tr '\\' '?' | cut -c1-120; }
say() { printf '%s\n' "$*"; }
cannot() { say "cannot check: $*"; exit 1; }
bad=0
fail() { say "FAIL $*"; bad=1; }
# count N NOUN NOUNS prints "1 approval" or "2 approvals".
count() { if [ "$1" -eq 1 ]; then say "1 $2"; else say "$1 $3"; fi; }

pin=
if [ $# -gt 1 ]; then
	say "usage: sh verify.sh [LEDGER-ID]" >&2
	exit 2
fi
if [ $# -eq 1 ]; then
	pin=$(printf '%s' "$1" | tr 'A-F' 'a-f' | tr -d ' \t\r\n')
	case "$pin" in *[!0-9a-f]* | '') pin=x ;; esac
	if [ ${#pin} -ne 64 ]; then
		say "usage: $(shown "$1") is not a ledger id (64 hex digits, as concord verify prints it)" >&2
		exit 2
	fi
fi

for tool in git ssh-keygen sha256sum cmp mktemp sed tr cut find awk sort; do
	command -v "$tool" >/dev/null 2>&1 || cannot "$tool is not installed"
done
tmp=$(mktemp -d 2>/dev/null) || cannot "mktemp -d failed"
trap 'rm -rf "$tmp" ${CONCORD_VERIFY_SELF:+"$CONCORD_VERIFY_SELF"}' EXIT
trap 'exit 1' HUP INT TERM
# ssh-keygen must sign and verify with -Y (OpenSSH 8.1 or later): try it
# with a throwaway key.
ssh-keygen -q -t ed25519 -N '' -C probe -f "$tmp/probe" </dev/null >/dev/null 2>&1 ||
	cannot "ssh-keygen cannot make an ed25519 key"
printf 'probe\n' >"$tmp/probe.txt"
printf 'probe %s\n' "$(cat "$tmp/probe.pub")" >"$tmp/probe.allowed"
{ ssh-keygen -Y sign -f "$tmp/probe" -n probe "$tmp/probe.txt" &&
	ssh-keygen -Y verify -f "$tmp/probe.allowed" -I probe -n probe -s "$tmp/probe.txt.sig" <"$tmp/probe.txt"; } >/dev/null 2>&1 ||
	cannot "this ssh-keygen cannot sign and verify with -Y (OpenSSH 8.1 or later is needed)"
gv=$(git --version | sed -n 's/^git version \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p')
set -- $gv
if [ "${1:-0}" -lt 2 ] || { [ "${1:-0}" -eq 2 ] && [ "${2:-0}" -lt 34 ]; }; then
	cannot "$(shown "$(git --version)") cannot verify SSH-signed commits (git 2.34 or later is needed)"
fi

if [ -f manifest.json ] && [ ! -L manifest.json ]; then layout=pdf; else layout=kit; fi
for f in ledger.bundle allowed_signers; do
	if [ -L "$f" ] || [ ! -f "$f" ]; then
		say "FAIL $f is missing or not a regular file"
		say "FAILED: the evidence is incomplete"
		exit 3
	fi
done
# git reads only what the bundle holds: no configuration, no environment
# of the caller's can change what it shows.
unset GIT_DIR GIT_WORK_TREE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_INDEX_FILE GIT_NAMESPACE GIT_REPLACE_REF_BASE GIT_GRAFT_FILE GIT_SHALLOW_FILE GIT_CONFIG GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_NO_REPLACE_OBJECTS=1
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_NO_REPLACE_OBJECTS
if ! git clone -q --bare --no-local ledger.bundle "$tmp/l.git" >/dev/null 2>"$tmp/err"; then
	say "FAIL ledger.bundle is not a git bundle git can read: $(shown "$(sed -n 1p "$tmp/err")")"
	say "FAILED: the evidence is invalid"
	exit 3
fi
g() { git --git-dir="$tmp/l.git" -c core.autocrlf=false "$@"; }
head=$(g rev-parse -q --verify 'refs/heads/main^{commit}') || { say "FAIL the bundle has no main branch"; exit 3; }
[ "$(g for-each-ref --format='%(refname)' | grep -vx 'refs/heads/main' | sed -n 1p)" = "" ] ||
	fail "the bundle holds references besides refs/heads/main"
[ -z "$(g rev-list --merges "$head")" ] || fail "the history has merge commits: a ledger's history is one line"
root=$(g rev-list --max-parents=0 "$head")
g cat-file blob "$root:genesis.json" >"$tmp/genesis.json" 2>/dev/null || { say "FAIL the first entry has no genesis.json"; exit 3; }
ledger=$(sha256sum <"$tmp/genesis.json" | cut -c1-64)
entries=$(g rev-list --count "$head")
say "ledger $ledger"
say "head $head (entry $((entries - 1)))"
if [ -n "$pin" ]; then
	if [ "$pin" = "$ledger" ]; then
		say "trust anchor: the ledger id you pinned"
	else
		fail "the ledger id is $ledger, not the $pin you pinned: this is another ledger, whatever its names say"
	fi
else
	say "trust anchor: ledger id $ledger and the genesis stewards below, from this evidence itself; compare the id with the one your forum publishes, or run: sh verify.sh LEDGER-ID"
fi

# roster_keys TREE prints "ID ssh-ed25519 KEY" for every key that the
# roster's own files at TREE enrol: genesis.json's stewards, and every
# roster change (a member added, a key rotated). Both are concord's
# canonical JSON: each "key" follows its member's "id".
roster_keys() {
	{
		g cat-file blob "$1:genesis.json" 2>/dev/null
		g ls-tree -r --name-only "$1" -- roster/changes 2>/dev/null | sed -n '/\/change\.json$/p' | while read -r f; do
			printf '{\n'
			g cat-file blob "$1:$f"
		done
	} | awk -F'"' '
		/^{$/ { id = "" }
		/^ *"id": "[a-z0-9][a-z0-9-]*",$/ { id = $4 }
		/^ *"key": "ssh-ed25519 [A-Za-z0-9+\/]+=*",?$/ { if (id != "") print id, $4 }'
}
roster_keys "$root" | while read -r id kt kb; do
	printf '%s\n' "$kt $kb" >"$tmp/k.pub"
	say "  genesis steward $id: $(ssh-keygen -l -f "$tmp/k.pub" | cut -d' ' -f2)"
done

# Every commit is signed by a key the roster's files enrolled before it
# (the genesis entry: by a genesis steward), for the member the commit
# names as its author and committer.
commits=0
last=
for c in $(g rev-list --reverse "$head"); do
	commits=$((commits + 1))
	if [ "$c" = "$root" ]; then base=$c; else base=$c^; fi
	state=$(g rev-parse -q --verify "$base:roster" 2>/dev/null || echo none)$(g rev-parse -q --verify "$base:genesis.json")
	if [ "$state" != "$last" ]; then
		roster_keys "$base" | awk '{ print $1 " namespaces=\"git\" " $2 " " $3 }' >"$tmp/allowed.git"
		last=$state
	fi
	out=$(g -c gpg.ssh.allowedSignersFile="$tmp/allowed.git" verify-commit "$c" 2>&1) ||
		{ fail "commit $c (entry $((commits - 1))) is not signed by a key the roster had enrolled"; continue; }
	signer=$(printf '%s\n' "$out" | sed -n 's/^Good "git" signature for \([a-z0-9-]*\) with .*/\1/p' | sed -n 1p)
	who=$(g show -s --format='%ae %ce' "$c")
	[ "$who" = "$signer $signer" ] || fail "commit $c (entry $((commits - 1))) is signed by $(shown "$signer")'s key but names $(shown "$who")"
done

# allowed_signers (the one checked file git's objects do not hold; a
# checkout may have converted its line endings) lists keys the roster's
# files enrol, for their members, in the form concord writes, and nothing
# else.
roster_keys "$head" >"$tmp/enrolled"
keys=0
tr -d '\r' <allowed_signers >"$tmp/allowed_signers"
while IFS= read -r line; do
	keys=$((keys + 1))
	case "$line" in
	*[!a-zA-Z0-9\ =\"+/,-]*) fail "allowed_signers line $keys is not in the form concord writes"; continue ;;
	esac
	set -- $line
	if [ $# -ne 4 ] || [ "$2" != 'namespaces="concord,git"' ] || [ "$3" != ssh-ed25519 ]; then
		fail "allowed_signers line $keys is not in the form concord writes"
		continue
	fi
	grep -qxF "$1 $3 $4" "$tmp/enrolled" || fail "allowed_signers lists a key for $(shown "$1") that no roster entry enrols for $(shown "$1")"
done <"$tmp/allowed_signers"
[ "$keys" -gt 0 ] || fail "allowed_signers lists no key"
awk '{ print $1 " namespaces=\"concord\" " $2 " " $3 }' "$tmp/enrolled" >"$tmp/allowed.concord"

# Every signed statement, read from git's objects at the head.
approvals=0
withdrawals=0
rapprovals=0
g ls-tree -r --name-only "$head" >"$tmp/files"
sed -n '/\.statement$/p' "$tmp/files" >"$tmp/statements"
while read -r p; do
	g cat-file blob "$head:$p" >"$tmp/st" 2>/dev/null || { fail "$(shown "$p") cannot be read"; continue; }
	g cat-file blob "$head:${p%.statement}.sig" >"$tmp/sig" 2>/dev/null || { fail "$(shown "$p") has no signature"; continue; }
	who=$(sed -n 's/^signatory //p; s/^steward //p' "$tmp/st" | sed -n 1p)
	case "$who" in '' | *[!a-z0-9-]*) fail "$(shown "$p") names no signatory or steward"; continue ;; esac
	if ! ssh-keygen -Y verify -f "$tmp/allowed.concord" -I "$who" -n concord -s "$tmp/sig" <"$tmp/st" >/dev/null 2>&1; then
		fail "$(shown "$p"): the signature does not verify for $who"
		continue
	fi
	[ "$(sed -n 's/^ledger //p' "$tmp/st")" = "$ledger" ] || fail "$(shown "$p") names another ledger"
	case "$p" in
	documents/*/decisions/*)
		vdir=${p%/decisions/*}
		sed -n 's/^text //p' "$tmp/st" >"$tmp/texts"
		[ -s "$tmp/texts" ] || fail "$(shown "$p") names no text"
		while read -r lang hash; do
			case "$lang" in '' | *[!A-Za-z0-9-]*) fail "$(shown "$p") names a text of no valid language"; continue ;; esac
			got=$(g cat-file blob "$head:$vdir/text/$lang.txt" 2>/dev/null | sha256sum | cut -c1-64)
			[ "$got" = "$hash" ] || fail "$(shown "$vdir/text/$lang.txt") does not have the SHA-256 $(shown "$p") names"
		done <"$tmp/texts"
		case "$(sed -n 's/^decision //p' "$tmp/st")" in
		approve) approvals=$((approvals + 1)) ;;
		withdraw) withdrawals=$((withdrawals + 1)) ;;
		*) fail "$(shown "$p") holds no decision" ;;
		esac
		;;
	roster/changes/*/approvals/*)
		cdir=${p%/approvals/*}
		got=$(g cat-file blob "$head:$cdir/change.json" 2>/dev/null | sha256sum | cut -c1-64)
		[ "$got" = "$(sed -n 's/^change-sha256 //p' "$tmp/st")" ] || fail "$(shown "$cdir/change.json") does not have the SHA-256 $(shown "$p") names"
		rapprovals=$((rapprovals + 1))
		;;
	*) fail "$(shown "$p") is a statement where the ledger holds none" ;;
	esac
done <"$tmp/statements"

# same NAME PATH: the file NAME here must be a regular file and a copy of
# the blob at PATH (a copy converted to CRLF by a checkout is noted).
same() {
	if [ -L "$1" ] || [ ! -f "$1" ]; then
		fail "$(shown "$1") is missing or not a regular file"
		return
	fi
	g cat-file blob "$head:$2" >"$tmp/blob" 2>/dev/null || { fail "$(shown "$2") is not a file of the ledger"; return; }
	cmp -s "$tmp/blob" "$1" && return
	tr -d '\r' <"$tmp/blob" >"$tmp/blob.lf"
	tr -d '\r' <"$1" >"$tmp/copy.lf"
	if cmp -s "$tmp/blob.lf" "$tmp/copy.lf"; then
		say "note: $(shown "$1") differs from the ledger's only in line endings (converted by a checkout); every check read git's own blob"
	else
		fail "$(shown "$1") differs from the ledger's $(shown "$2")"
	fi
}

if [ "$layout" = pdf ]; then
	# The manifest holds nothing but what this script checks: which ledger,
	# entry, document and version, and every file with its path and SHA-256.
	tr -d '\r' <manifest.json >"$tmp/manifest"
	grep -vxE '\{|\}|  "format": "concord-pdf-evidence-v2",|  "ledger": "[0-9a-f]{64}",|  "head": "[0-9a-f]{40}",|  "document": "[a-z0-9][a-z0-9-]*",|  "version": [1-9][0-9]*,|  "files": \[|  \]|    \{|    \},?|      "name": "[A-Za-z0-9._-]+",|      "path": "[A-Za-z0-9._/-]+",|      "sha256": "[0-9a-f]{64}"' "$tmp/manifest" >"$tmp/odd"
	[ -s "$tmp/odd" ] && fail "manifest.json is not in the form concord writes"
	doc=$(sed -n 's/^  "document": "\([a-z0-9-]*\)",$/\1/p' "$tmp/manifest")
	ver=$(sed -n 's/^  "version": \([0-9]*\),$/\1/p' "$tmp/manifest")
	[ "$(sed -n 's/^  "ledger": "\(.*\)",$/\1/p' "$tmp/manifest")" = "$ledger" ] || fail "manifest.json names another ledger"
	[ "$(sed -n 's/^  "head": "\(.*\)",$/\1/p' "$tmp/manifest")" = "$head" ] || fail "manifest.json names another head than the history's"
	vdir=documents/$doc/v$ver
	if [ -z "$doc" ] || [ -z "$ver" ] || ! g cat-file -e "$head:$vdir/version.json" 2>/dev/null; then
		say "FAIL manifest.json names no version the history holds"
		say "FAILED: the evidence is invalid"
		exit 3
	fi
	say "the evidence of $doc version $ver"
	# What concord embeds for that version, name and ledger path.
	{
		say "genesis.json genesis.json"
		say "document.json documents/$doc/document.json"
		say "version.json $vdir/version.json"
		grep -qx "$vdir/ratified.json" "$tmp/files" && say "ratified.json $vdir/ratified.json"
		sed -n "s#^$vdir/text/\\([A-Za-z0-9-]*\\)\\.txt\$#text-\\1.txt $vdir/text/\\1.txt#p" "$tmp/files"
		sed -n "s#^$vdir/decisions/\\([0-9]*-[a-z0-9-]*\\.[a-z]*\\)\$#decision-\\1 $vdir/decisions/\\1#p" "$tmp/files"
	} >"$tmp/expected"
	while read -r name path; do
		same "$name" "$path"
	done <"$tmp/expected"
	# The manifest lists exactly those, and the three files that are not
	# the ledger's, each with its SHA-256.
	{
		while read -r name path; do
			[ -f "$name" ] && say "$name $path $(sha256sum <"$name" | cut -c1-64)"
		done <"$tmp/expected"
		for name in allowed_signers verify.sh ledger.bundle; do
			say "$name - $(sha256sum <"$name" | cut -c1-64)"
		done
	} | sort >"$tmp/want"
	awk -F'"' '/^      "name": / { n = $4; p = "-" } /^      "path": / { p = $4 } /^      "sha256": / { print n, p, $4 }' "$tmp/manifest" | sort >"$tmp/listed"
	cmp -s "$tmp/want" "$tmp/listed" || fail "manifest.json does not list the evidence's files as they are"
	grep -qx "$vdir/ratified.json" "$tmp/files" && say "a ratification is recorded for this version (concord verify-pdf checks it)"
	evidence='^(genesis\.json|document\.json|version\.json|ratified\.json|text-.*\.txt|decision-.*|manifest\.json|allowed_signers|verify\.sh|ledger\.bundle)$'
else
	# Every file of the ledger at the head is here, as the ledger holds it.
	while read -r path; do
		same "$path" "$path"
	done <"$tmp/files"
	if [ -L README.txt ] || [ ! -f README.txt ] || [ "$(tr -d '\r' <README.txt | sha256sum | cut -c1-64)" != "$readme_sha256" ]; then
		fail "README.txt is missing or is not the one concord writes"
	fi
	evidence='^(genesis\.json|documents/.*|roster/.*|witnesses/.*|README\.txt|allowed_signers|verify\.sh|ledger\.bundle)$'
fi
# Anything else here is not evidence: a file named as evidence but not
# the ledger's is FAIL; any other (a browser's .DS_Store, the PDF itself)
# is only noted.
find . ! -type d ! -path './.git/*' | sed 's#^\./##' | sort >"$tmp/here"
while IFS= read -r f; do
	case "$layout" in
	pdf) grep -qE '^[^ ]+ ' "$tmp/expected" && awk '{ print $1 }' "$tmp/expected" | grep -qxF -- "$f" && continue ;;
	kit) grep -qxF -- "$f" "$tmp/files" && continue ;;
	esac
	case "$f" in manifest.json | allowed_signers | verify.sh | ledger.bundle | README.txt) continue ;; esac
	case "/$f" in */.DS_Store | */Thumbs.db | */desktop.ini | */._*)
		say "note: $(shown "$f") is a file a file browser makes, not part of the evidence; not checked"
		continue
		;;
	esac
	if printf '%s\n' "$f" | grep -qE "$evidence"; then
		fail "$(shown "$f") is named as evidence but is not the ledger's"
	else
		say "note: $(shown "$f") is not part of the evidence; not checked"
	fi
done <"$tmp/here"

say "checked: $(count "$commits" "signed commit" "signed commits"); $(count "$approvals" approval approvals), $(count "$withdrawals" withdrawal withdrawals), $(count "$rapprovals" "roster approval" "roster approvals"), each signature and text hash"
[ "$commits" -gt 0 ] || fail "the history has no commit"
if [ "$bad" -ne 0 ]; then
	say "FAILED: some checks did not hold: the evidence is invalid or was tampered with"
	exit 3
fi
say "OK: every commit and statement signature, every text hash and every file holds"
say "not checked here (run concord verify-pdf or concord verify): each key's validity at its ledger position, the steward threshold of roster changes, ratification"
exit 0
