package gitstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	formatcfg "github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// readableExtensions are the repository extensions (git-config(1),
// extensions.*) stock git sets that change nothing concord reads or
// writes, lower-cased. go-git refuses them: worktreeConfig (which git
// sparse-checkout sets in a checkout; it names per-worktree config files)
// and preciousObjects (no object may be deleted: concord deletes none of
// the repository's, and git's repack, which concord runs, honours it)
// always; in a repository of format 0 (where git reads them) go-git
// compares their names case-sensitively and refuses every one.
var readableExtensions = map[string]bool{
	"noop": true, "noop-v1": true, "worktreeconfig": true, "preciousobjects": true,
}

// isExtensionError reports whether err is go-git refusing a repository
// for its extensions.
func isExtensionError(err error) bool {
	return errors.Is(err, git.ErrUnknownExtension) || errors.Is(err, git.ErrUnsupportedExtensionRepositoryFormatVersion)
}

// onlyReadableExtensions reports whether the config file in gitDir sets
// extensions, and only readable ones.
func onlyReadableExtensions(gitDir string) bool {
	data, err := os.ReadFile(filepath.Join(gitDir, "config"))
	if err != nil {
		return false
	}
	cfg := formatcfg.New()
	if err := formatcfg.NewDecoder(bytes.NewReader(data)).Decode(cfg); err != nil || !cfg.HasSection("extensions") {
		return false
	}
	opts := cfg.Section("extensions").Options
	for _, o := range opts {
		if !readableExtensions[strings.ToLower(o.Key)] {
			return false
		}
	}
	return len(opts) > 0
}

// openWithReadableExtensions opens the repository in gitDir (its git
// folder) for go-git with the readable extensions hidden from go-git's
// check; the config file on disk keeps them.
func openWithReadableExtensions(gitDir string) (*git.Repository, error) {
	sto := filesystem.NewStorage(&extensionsFS{Filesystem: osfs.New(gitDir)}, cache.NewObjectLRUDefault())
	return git.Open(sto, nil)
}

// extensionsFS is a file system whose config file reads without the
// readable extensions.
type extensionsFS struct {
	billy.Filesystem
}

// Open opens name; the config file is read without the readable
// extensions.
func (fs *extensionsFS) Open(name string) (billy.File, error) {
	if name != "config" {
		return fs.Filesystem.Open(name)
	}
	data, err := readWhole(fs.Filesystem, name)
	if err != nil {
		return nil, err
	}
	cfg := formatcfg.New()
	if err := formatcfg.NewDecoder(bytes.NewReader(data)).Decode(cfg); err != nil {
		return nil, err
	}
	for _, s := range cfg.Sections {
		if !s.IsName("extensions") {
			continue
		}
		kept := s.Options[:0]
		for _, o := range s.Options {
			if !readableExtensions[strings.ToLower(o.Key)] {
				kept = append(kept, o)
			}
		}
		s.Options = kept
	}
	var out bytes.Buffer
	if err := formatcfg.NewEncoder(&out).Encode(cfg); err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(out.Bytes()), name: name}, nil
}
