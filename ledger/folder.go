package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// claimFolder checks that dir, which a command is about to fill, is absent
// or empty, and returns undo, which removes what the command made in it: the
// folder itself if it was absent, its contents if it was empty. A command
// that fails half way calls undo, so nothing is left behind.
func claimFolder(dir string) (undo func(), err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return nil, refused("choose a new folder", "%s exists and is not empty", dir)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	created := err != nil
	return func() {
		if created {
			os.RemoveAll(dir)
			return
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}, nil
}

// ClaimFolder checks that dir, which the caller is about to fill, is absent
// or empty: an export never mixes its files with others. A folder that is
// not empty is a *RefusedError.
func ClaimFolder(dir string) error {
	_, err := claimFolder(dir)
	return err
}
