package evidence

// VerifyScript is the verify.sh that a PDF embeds and an audit kit holds:
// POSIX sh (tested under dash and bash) that checks the evidence beside it
// with stock tools only: git (2.34 or later, for SSH-signed commits),
// ssh-keygen (OpenSSH 8.1 or later, for -Y) and sha256sum. What it checks
// and what it cannot is in docs/EVIDENCE.md.
//
// It reads everything it checks from git's objects (the embedded
// ledger.bundle), never from a checkout, so line-ending conversion (Git for
// Windows' core.autocrlf) cannot change what it hashes; every other file in
// its folder must be a regular file that is a copy of a blob in that
// history. It prints text taken from the evidence inertly (printable ASCII,
// cut short). Exit status: 0 every check holds; 3 the evidence is invalid;
// 1 it cannot check (a tool is missing or too old), which says nothing of
// the evidence.
const VerifyScript = `#!/bin/sh
# concord evidence check, with stock tools only: git, ssh-keygen, sha256sum.
#
#   sh verify.sh [LEDGER-ID]
#
# Give the ledger id your forum publishes to pin the ledger. Exit status:
# 0 every check holds; 3 something does not (invalid or tampered evidence);
# 1 cannot check (a tool is missing or too old: nothing is said of the
# evidence). See docs/EVIDENCE.md in concord's repository.
set -u
LC_ALL=C
export LC_ALL
pin=${1-}
cd "$(dirname "$0")" || { echo "cannot check: cannot enter the folder of verify.sh"; exit 1; }

cannot() { echo "cannot check: $*"; exit 1; }
bad=0
fail() { echo "FAIL $*"; bad=1; }
# shown prints text from the evidence inertly: printable ASCII, at most 120 bytes.
shown() { printf '%s' "$1" | tr -c '[:print:]' '?' | cut -c1-120; }
# count N NOUN NOUNS prints "1 approval" or "2 approvals".
count() { if [ "$1" -eq 1 ]; then echo "1 $2"; else echo "$1 $3"; fi; }

for tool in git ssh-keygen sha256sum cmp mktemp sed tr cut find; do
	command -v "$tool" >/dev/null 2>&1 || cannot "$tool is not installed"
done
tmp=$(mktemp -d 2>/dev/null) || cannot "mktemp -d failed"
trap 'rm -rf "$tmp"' EXIT
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

if [ -f manifest.json ]; then layout=pdf; else layout=kit; fi
for f in ledger.bundle allowed_signers; do
	if [ -L "$f" ] || [ ! -f "$f" ]; then
		echo "FAIL $f is missing or not a regular file"
		echo "FAILED: the evidence is incomplete"
		exit 3
	fi
done
# allowed_signers is the one file checked that git's objects do not hold:
# its line endings are normalized, as a checkout may have converted them.
tr -d '\r' <allowed_signers >"$tmp/allowed_signers"
if ! git clone -q --bare --no-local ledger.bundle "$tmp/l.git" >/dev/null 2>"$tmp/err"; then
	echo "FAIL ledger.bundle is not a git bundle git can read: $(shown "$(sed -n 1p "$tmp/err")")"
	echo "FAILED: the evidence is invalid"
	exit 3
fi
g() { git --git-dir="$tmp/l.git" -c core.autocrlf=false "$@"; }
head=$(g rev-parse -q --verify refs/heads/main) || { echo "FAIL the bundle has no main branch"; exit 3; }
[ -z "$(g rev-list --merges "$head")" ] || fail "the history has merge commits: a ledger's history is one line"
root=$(g rev-list --max-parents=0 "$head")
g cat-file blob "$root:genesis.json" >"$tmp/genesis.json" 2>/dev/null || { echo "FAIL the first entry has no genesis.json"; exit 3; }
ledger=$(sha256sum <"$tmp/genesis.json" | cut -c1-64)
echo "ledger $ledger"
echo "head $head"
if [ -n "$pin" ]; then
	if [ "$pin" = "$ledger" ]; then
		echo "trust anchor: the ledger id you pinned"
	else
		fail "the ledger id is $ledger, not the $(shown "$pin") you pinned: this is another ledger, whatever its names say"
	fi
else
	echo "trust anchor: ledger id $ledger and the genesis stewards below, from this evidence itself; compare the id with the one your forum publishes, or run: sh verify.sh LEDGER-ID"
fi
sed -n 's/^      "key": "\(ssh-ed25519 [A-Za-z0-9+/=]*\)",$/\1/p' "$tmp/genesis.json" >"$tmp/stewards"
while read -r k; do
	printf '%s\n' "$k" >"$tmp/k.pub"
	echo "  genesis steward key $(ssh-keygen -l -f "$tmp/k.pub" | cut -d' ' -f2)"
done <"$tmp/stewards"

# Every key allowed_signers lists must be one the roster's own files enrol
# (genesis.json, or a roster change); what the roster says of it by ledger
# position and threshold, only 'concord verify' judges.
g ls-tree -r --name-only "$head" >"$tmp/files"
cp "$tmp/genesis.json" "$tmp/enrolled"
sed -n '/^roster\/changes\/[0-9a-f]*\/change\.json$/p' "$tmp/files" >"$tmp/changes"
while read -r c; do g cat-file blob "$head:$c" >>"$tmp/enrolled"; done <"$tmp/changes"
keys=0
while read -r principal opts kt kb rest; do
	keys=$((keys + 1))
	grep -qF "$kt $kb" "$tmp/enrolled" || fail "allowed_signers lists a key for $(shown "$principal") that no roster entry enrols"
done <"$tmp/allowed_signers"
[ "$keys" -gt 0 ] || fail "allowed_signers lists no key"

# Every commit is signed by a key allowed_signers lists.
commits=0
for c in $(g rev-list --reverse "$head"); do
	commits=$((commits + 1))
	g -c gpg.ssh.allowedSignersFile="$tmp/allowed_signers" verify-commit "$c" >/dev/null 2>&1 ||
		fail "commit $c (entry $((commits - 1))) is not signed by a key allowed_signers lists"
done

# Every signed statement, read from git's objects at the head.
approvals=0
withdrawals=0
rapprovals=0
sed -n '/\.statement$/p' "$tmp/files" >"$tmp/statements"
while read -r p; do
	g cat-file blob "$head:$p" >"$tmp/st" 2>/dev/null || { fail "$(shown "$p") cannot be read"; continue; }
	g cat-file blob "$head:${p%.statement}.sig" >"$tmp/sig" 2>/dev/null || { fail "$(shown "$p") has no signature"; continue; }
	who=$(sed -n 's/^signatory //p; s/^steward //p' "$tmp/st" | sed -n 1p)
	case "$who" in '' | *[!a-z0-9-]*) fail "$(shown "$p") names no signatory or steward"; continue ;; esac
	if ! ssh-keygen -Y verify -f "$tmp/allowed_signers" -I "$who" -n concord -s "$tmp/sig" <"$tmp/st" >/dev/null 2>&1; then
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

# Every other file here is a regular file, a copy of a blob of the history
# (its ledger path: the file's own in a kit, the manifest's in a PDF's
# evidence).
find . ! -type d >"$tmp/here"
while read -r f; do
	f=${f#./}
	if [ -L "$f" ] || [ ! -f "$f" ]; then
		fail "$(shown "$f") is not a regular file"
		continue
	fi
	case "$layout:$f" in
	*:verify.sh | *:allowed_signers | *:ledger.bundle | kit:README.txt | pdf:manifest.json) continue ;;
	kit:*) path=$f ;;
	pdf:*/*) fail "$(shown "$f") is in a folder: a PDF embeds no folders"; continue ;;
	pdf:*)
		path=$(sed -n '/^      "name": "'"$f"'",$/{n;s/^      "path": "\(.*\)",$/\1/p;}' manifest.json | sed -n 1p)
		[ -n "$path" ] || { fail "$(shown "$f") is not a file the manifest places in the ledger"; continue; }
		;;
	esac
	if ! grep -qxF "$path" "$tmp/files"; then
		fail "$(shown "$f") is not a file of the ledger's history"
		continue
	fi
	g cat-file blob "$head:$path" >"$tmp/blob"
	if cmp -s "$tmp/blob" "$f"; then
		continue
	fi
	# A checkout that converted line endings (core.autocrlf) changes the
	# copy, never the blob every check above read.
	tr -d '\r' <"$tmp/blob" >"$tmp/blob.lf"
	tr -d '\r' <"$f" >"$tmp/copy.lf"
	if cmp -s "$tmp/blob.lf" "$tmp/copy.lf"; then
		echo "note: $(shown "$f") differs from the ledger's only in line endings (converted by a checkout); every check read git's own blob"
	else
		fail "$(shown "$f") differs from the ledger's $(shown "$path")"
	fi
done <"$tmp/here"

echo "checked: $(count "$commits" "signed commit" "signed commits"); $(count "$approvals" approval approvals), $(count "$withdrawals" withdrawal withdrawals), $(count "$rapprovals" "roster approval" "roster approvals"), each signature and text hash"
[ "$commits" -gt 0 ] || fail "the history has no commit"
if [ "$bad" -ne 0 ]; then
	echo "FAILED: some checks did not hold: the evidence is invalid or was tampered with"
	exit 3
fi
echo "OK: every commit and statement signature, every text hash and every file holds"
echo "not checked here (run concord verify-pdf or concord verify): each key's validity at its ledger position, the steward threshold of roster changes, ratification"
exit 0
`
