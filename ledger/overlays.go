package ledger

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
)

// withOverlays completes the audit of repo at head (rep and err, from
// verifyRepo) with what the repository holds besides the ledger: every
// overlay that changes what stock git shows (refs/replace, grafts, a
// shallow file, HEAD or main pointing elsewhere) is a problem (exit 3),
// any other (another ref, objects read from elsewhere) a note. A head that
// cannot be read because main is symbolic or its commit is missing is
// invalid evidence too, not a failure to read.
func withOverlays(repo *gitstore.Repo, head string, rep *Report, err error) (*Report, error) {
	var problems []Problem
	var notes []string
	for _, o := range repo.Overlays() {
		if o.ChangesGit {
			problems = append(problems, Problem{Code: CodeOverlay, Entry: -1, What: "git overlay: " + o.What})
		} else {
			notes = append(notes, o.What)
		}
	}
	if err == nil && rep != nil && rep.state != nil {
		problems = append(problems, allowedSignersOverlays(repo, rep.state)...)
	}
	if err != nil {
		if _, rerr := repo.ReadCommit(head); !errors.Is(rerr, gitstore.ErrNotFound) && len(problems) == 0 {
			return nil, err
		} else if rerr != nil {
			problems = append(problems, Problem{Code: CodeHeadUnreadable, Entry: -1, Commit: head, What: fmt.Sprintf("the head commit cannot be read: %v", rerr)})
		}
		rep = newReport(head)
	}
	rep.Problems = append(append([]Problem{}, problems...), rep.Problems...)
	rep.Notes = append(rep.Notes, notes...)
	return rep, nil
}

// allowedSignersOverlays returns a problem for each allowed-signers file
// the repository's own config gives stock git (gpg.ssh.allowedSignersFile)
// that holds a line concord's own allowed signers for st do not: a key
// under another name, or another key, makes git verify-commit and log
// --show-signature name other signers. A file of concord's own lines (as
// 'concord roster allowed-signers' prints them), comments and blank lines
// is none; a file that cannot be read changes nothing git says.
func allowedSignersOverlays(repo *gitstore.Repo, st *rules.State) []Problem {
	files := repo.AllowedSignersFiles()
	if len(files) == 0 {
		return nil
	}
	own := map[string]bool{}
	for _, line := range strings.Split(string(allowedSigners(st)), "\n") {
		own[strings.TrimSpace(line)] = true
	}
	var out []Problem
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") || own[line] {
				continue
			}
			out = append(out, Problem{Code: CodeOverlay, Entry: -1, What: fmt.Sprintf(
				"git overlay: gpg.ssh.allowedSignersFile (%q) holds signers other than the roster's (%q): stock git verify-commit and log --show-signature name them", f, line)})
			break
		}
	}
	return out
}
