package ledger

import (
	"regexp"
	"strconv"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// EntrySubject is what one entry is about, read from the paths it adds:
// a document (and, for an entry about a version, its number), or a roster
// change. Fields that do not apply are "" and 0.
type EntrySubject struct {
	Document string
	Version  int
	Change   string // roster change id
}

var (
	subjectDocRe    = regexp.MustCompile(`^documents/([a-z0-9][a-z0-9-]{0,63})/(?:v([1-9][0-9]{0,5})/)?`)
	subjectChangeRe = regexp.MustCompile(`^roster/changes/([0-9a-f]{16})/`)
)

// LogSubjects returns, for each entry of entries (as Log returns them),
// what it is about. It reads each entry's changed paths and checks nothing:
// 'concord verify' does.
func (l *Ledger) LogSubjects(entries []LogEntry) ([]EntrySubject, error) {
	out := make([]EntrySubject, len(entries))
	parent := ""
	for i, e := range entries {
		if e.subject != nil { // read by Log already
			out[i], parent = *e.subject, e.Commit
			continue
		}
		changes, err := l.repo.Changes(parent, e.Commit)
		if err != nil {
			return nil, err
		}
		parent = e.Commit
		out[i] = subjectOf(changes)
	}
	return out, nil
}

// subjectOf returns what an entry changing changes is about.
func subjectOf(changes []gitstore.Change) EntrySubject {
	var out EntrySubject
	for _, c := range changes {
		if m := subjectDocRe.FindStringSubmatch(c.Path); m != nil {
			out.Document = m[1]
			if n, err := strconv.Atoi(m[2]); err == nil && n > out.Version {
				out.Version = n
			}
		} else if m := subjectChangeRe.FindStringSubmatch(c.Path); m != nil {
			out.Change = m[1]
		}
	}
	return out
}
