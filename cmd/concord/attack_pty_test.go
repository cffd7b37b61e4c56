//go:build !windows

package main

import (
	"net"
	"strings"
	"testing"
)

// TestProgressHidesCredentials: the spinner a clone shows on a terminal
// names the remote with its credentials masked, as every other line does.
// The remote here accepts the connection and never answers, so the clone
// runs until --timeout and the spinner shows.
func TestProgressHidesCredentials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	dir := t.TempDir()
	env := []string{"CONCORD_PROGRESS_AFTER=0", "CONCORD_CACHE_DIR=off"}
	url := "https://alice:tok3n-s3cret@" + ln.Addr().String() + "/ledger.git"
	term := startTerminal(t, dir, env, "clone", "--timeout", "2s", url, "copy")
	term.expect("concord: ")
	if code := term.wait(); code != 1 {
		t.Errorf("clone: exit %d, want 1\n%s", code, term.screen())
	}
	s := term.screen()
	if !strings.Contains(s, "fetching and verifying") {
		t.Errorf("no progress shown:\n%q", s)
	}
	if strings.Contains(s, "tok3n-s3cret") {
		t.Errorf("the terminal shows the token:\n%q", s)
	}
}
