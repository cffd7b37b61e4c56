package cmd

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuilder is a strings.Builder safe for the progress goroutine.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncBuilder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuilder) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestStartProgress(t *testing.T) {
	run := func(terminal, asJSON bool, after string, work time.Duration) string {
		var b syncBuilder
		s := &IO{Err: &b, ErrTerminal: terminal, Getenv: func(k string) string {
			if k == progressAfterEnv {
				return after
			}
			return ""
		}}
		stop := startProgress(s, asJSON, "verifying the ledger")
		time.Sleep(work)
		stop()
		stop() // a second stop is harmless
		return b.String()
	}
	if out := run(true, false, "0s", 400*time.Millisecond); !strings.Contains(out, "verifying the ledger") {
		t.Errorf("no progress shown on a terminal: %q", out)
	} else if !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("the progress line is not cleared at the end: %q", out)
	}
	for name, out := range map[string]string{
		"pipe":       run(false, false, "0s", 300*time.Millisecond),
		"--json":     run(true, true, "0s", 300*time.Millisecond),
		"short work": run(true, false, "", 50*time.Millisecond),
	} {
		if out != "" {
			t.Errorf("%s: progress shown: %q", name, out)
		}
	}
	if out := run(true, false, "soon", 10*time.Millisecond); !strings.Contains(out, "$CONCORD_PROGRESS_AFTER must be a duration") {
		t.Errorf("a bad $%s is not reported: %q", progressAfterEnv, out)
	}
}
