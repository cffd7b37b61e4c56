package cmd

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func init() { register(newManCmd) }

func newManCmd(s *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write concord's man pages (section 1) into a folder",
		Long: `Write a man page for concord and each of its commands into DIR (made if
missing): concord.1, concord-sign.1, concord-roster-add.1, … Existing pages
of the same names are replaced. The pages are dated $SOURCE_DATE_EPOCH if set
(for reproducible packages), else today.`,
		Args: argsNamed("DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			return runMan(s, c.Root(), args[0])
		},
	}
}

// runMan writes the man pages of root's command tree into dir.
func runMan(s *IO, root *cobra.Command, dir string) error {
	date := s.Now()
	if e := s.Getenv("SOURCE_DATE_EPOCH"); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			return usagef("$SOURCE_DATE_EPOCH %q is not a whole number of seconds", e)
		}
		date = time.Unix(n, 0).UTC()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("making %s: %w", dir, err)
	}
	release, _, _ := strings.Cut(root.Version, ",")
	header := &doc.GenManHeader{
		Section: "1",
		Date:    &date,
		Source:  "concord " + release,
		Manual:  "concord manual",
	}
	root.DisableAutoGenTag = true
	if err := doc.GenManTree(root, header, dir); err != nil {
		return fmt.Errorf("writing the man pages to %s: %w", dir, err)
	}
	fmt.Fprintf(s.Err, "wrote the man pages to %s\n", dir)
	return nil
}
