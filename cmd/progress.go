package cmd

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressAfterEnv names the environment variable that sets how long work
// runs before its progress is shown (a Go duration; default 1s, 0 at once).
const progressAfterEnv = "CONCORD_PROGRESS_AFTER"

// defaultProgressAfter: work shorter than this shows no progress.
const defaultProgressAfter = time.Second

// progressAfter returns the delay before progress is shown; a malformed
// $CONCORD_PROGRESS_AFTER is a usage error.
func progressAfter(s *IO) (time.Duration, error) {
	v := s.Getenv(progressAfterEnv)
	if v == "" {
		return defaultProgressAfter, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, usagef("$%s must be a duration such as 500ms or 2s, not %q", progressAfterEnv, v)
	}
	return d, nil
}

// startProgress shows, on stderr, a spinner with desc and the time elapsed
// while long work runs, and returns the func that stops and clears it. It
// shows nothing when stderr is not a terminal (a pipe, a file, CI), when
// asJSON (scripts), or when the work ends within progressAfter. The
// spinner says only that the work is alive: the library calls it wraps
// report no counts.
func startProgress(s *IO, asJSON bool, desc string) (stop func()) {
	if !s.ErrTerminal || asJSON {
		return func() {}
	}
	after, err := progressAfter(s)
	if err != nil {
		fmt.Fprintf(s.Err, "concord: warning: %v; showing no progress\n", err)
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
			return
		case <-time.After(after):
		}
		bar := progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(s.Err),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetWidth(10),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetRenderBlankState(true),
			// No ticker of the library's own: it reads the bar's state
			// without its lock (a data race); this goroutine ticks instead.
			progressbar.OptionSetSpinnerChangeInterval(0),
		)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				bar.Finish()
				fmt.Fprint(s.Err, "\r\033[K")
				return
			case <-tick.C:
				bar.Add(1)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
		})
	}
}
