package cmd

import (
	"fmt"
	"runtime/debug"
)

// versionString returns what 'concord --version' prints after "concord ":
// the module version (a release tag such as v1.2.0, or "(devel)" for a
// build from a work tree), then the VCS revision, its commit time and
// whether the tree had uncommitted changes, as the go command recorded them
// (absent when built with -buildvcs=false). info is
// runtime/debug.ReadBuildInfo's answer; ok false gives "unknown".
func versionString(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "unknown (no build information in this binary)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return fmt.Sprintf("%s, %s, revision unknown (built without VCS information)", v, info.GoVersion)
	}
	out := fmt.Sprintf("%s, %s, revision %s", v, info.GoVersion, rev)
	if when != "" {
		out += " of " + when
	}
	if modified {
		out += ", with uncommitted changes"
	}
	return out
}
