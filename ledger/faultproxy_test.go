package ledger

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// faultKind is what a faultProxy does to a connection it was told to harm.
type faultKind int

const (
	// passThrough forwards both ways, unchanged.
	passThrough faultKind = iota
	// hangAtStart accepts the connection, reads what the client sends and
	// never answers nor dials the server: a remote that times out.
	hangAtStart
	// stallUp forwards until `after` bytes past the start of the pack the
	// client sends, then stops forwarding either way, keeping the
	// connection open: a push that times out mid-pack.
	stallUp
	// corruptDown flips bytes of the server's pack, from `after` bytes past
	// its start: a corrupt pack on fetch.
	corruptDown
	// dropUp closes the connection `after` bytes past the start of the
	// pack the client sends: dropped mid-push.
	dropUp
	// dropDown closes the connection `after` bytes past the start of the
	// pack the server sends: dropped mid-fetch.
	dropDown
)

// fault says what to do to which connections: those of service
// ("git-upload-pack" for fetches, "git-receive-pack" for pushes; "" for
// every one).
type fault struct {
	kind    faultKind
	service string
	after   int
}

// faultProxy is a TCP proxy on 127.0.0.1 in front of a git daemon that
// harms connections as its current fault says. It closes itself, and every
// connection, when the test ends.
type faultProxy struct {
	t      testing.TB
	ln     net.Listener
	target string

	mu     sync.Mutex
	fault  fault
	conns  map[net.Conn]bool
	harmed int // connections the fault applied to
	closed bool
	wg     sync.WaitGroup
}

// newFaultProxy starts a proxy to target (host:port), passing through.
func newFaultProxy(t testing.TB, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// addr is the proxy's host:port.
func (p *faultProxy) addr() string { return p.ln.Addr().String() }

// set makes f apply to the connections accepted from now on.
func (p *faultProxy) set(f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault, p.harmed = f, 0
}

// harmedConns returns how many connections the current fault applied to.
func (p *faultProxy) harmedConns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.harmed
}

// close stops the proxy and closes every connection; it waits for its
// goroutines, but not for ever.
func (p *faultProxy) close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.t.Errorf("fault proxy: connections still open 5s after close")
	}
}

// track records c so that close closes it; it reports false (and closes c)
// if the proxy is closed already.
func (p *faultProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *faultProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *faultProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.handle(c)
		}()
	}
}

// firstPktLine reads from c until it holds the first pkt-line of the git
// protocol (the request naming the service), and returns all it read.
func firstPktLine(c net.Conn) ([]byte, error) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	var buf []byte
	tmp := make([]byte, 512)
	for {
		if len(buf) >= 4 {
			n, err := strconv.ParseUint(string(buf[:4]), 16, 16)
			if err != nil || len(buf) >= int(n) {
				return buf, nil
			}
		}
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if err != nil {
			return buf, err
		}
	}
}

func (p *faultProxy) handle(client net.Conn) {
	first, err := firstPktLine(client)
	if err != nil {
		return
	}
	p.mu.Lock()
	f := p.fault
	if f.kind != passThrough && f.service != "" && !bytes.Contains(first, []byte(f.service)) {
		f = fault{}
	}
	if f.kind != passThrough {
		p.harmed++
	}
	p.mu.Unlock()
	if f.kind == hangAtStart {
		io.Copy(io.Discard, client) // until the client or close gives up
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	if _, err := server.Write(first); err != nil {
		return
	}
	// stop ends both directions: the connection is dropped, or (stall) no
	// byte more is forwarded until the client or close gives up.
	var once sync.Once
	stall := make(chan struct{})
	stop := func(drop bool) {
		once.Do(func() {
			if drop {
				client.Close()
				server.Close()
			} else {
				close(stall)
			}
		})
	}
	up, down := fault{}, fault{}
	switch f.kind {
	case stallUp, dropUp:
		up = f
	case corruptDown, dropDown:
		down = f
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pump(server, client, up, stop, stall)
	}()
	pump(client, server, down, stop, stall)
	<-done
}

var packSignature = []byte("PACK")

// pump copies src to dst, applying f (counted from the start of the pack in
// the stream), until either side ends. A stalled pump keeps reading and
// drops what it reads.
func pump(dst, src net.Conn, f fault, stop func(drop bool), stall chan struct{}) {
	defer func() {
		// Let the other direction end too when this one does.
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}()
	var seen []byte // the stream, until the pack starts
	packAt, total := -1, 0
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		chunk := buf[:n]
		if n > 0 && f.kind != passThrough {
			if packAt < 0 {
				seen = append(seen, chunk...)
				if i := bytes.Index(seen, packSignature); i >= 0 {
					packAt, seen = i, nil
				}
			}
			if packAt >= 0 {
				cut := packAt + f.after - total // where in chunk the fault starts
				switch {
				case cut >= n:
				case f.kind == corruptDown:
					for i := max(cut, 0); i < n && i < cut+8; i++ {
						chunk[i] ^= 0xff
					}
				default:
					dst.Write(chunk[:max(cut, 0)])
					stop(f.kind != stallUp)
					chunk = nil
				}
			}
			total += n
		}
		select {
		case <-stall:
			chunk = nil
		default:
		}
		if len(chunk) > 0 {
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
