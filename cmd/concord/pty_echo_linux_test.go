//go:build linux

package main

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// echoOff waits, up to 5 s, until the terminal whose controlling side is
// f no longer echoes what is typed, and reports whether it came to that.
// On Linux the settings read through a pseudo-terminal's controlling side
// are those of the terminal concord reads (tty_mode_ioctl takes the other
// end of a pty master).
func echoOff(f *os.File) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		if err != nil {
			return false
		}
		if tio.Lflag&unix.ECHO == 0 {
			return true
		}
	}
	return false
}
