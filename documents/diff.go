package documents

import (
	"bytes"
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around each change, as
// in diff -u.
const diffContext = 3

// Diff returns a unified diff of the lines of a and b, in the format of
// diff -u: "--- oldName" and "+++ newName" headers, then @@ hunks with three
// lines of context. It is empty exactly when a and b are equal. Lines are
// compared byte for byte; a last line without a newline is marked
// "\ No newline at end of file" as diff does (canonical texts always end in
// one). The edit script is a shortest one (Myers' algorithm) unless the two
// texts differ so much that finding it would be too slow, in which case it
// may contain more changed lines than needed, never wrong ones.
func Diff(oldName, newName string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	delA, insB := diffLines(al, bl)

	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(delA, insB) {
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(h.a0, h.a1), hunkRange(h.b0, h.b1))
		i, j := h.a0, h.b0
		for i < h.a1 || j < h.b1 {
			if i < h.a1 && j < h.b1 && !delA[i] && !insB[j] {
				writeLine(&sb, ' ', al[i])
				i, j = i+1, j+1
				continue
			}
			for i < h.a1 && delA[i] {
				writeLine(&sb, '-', al[i])
				i++
			}
			for j < h.b1 && insB[j] {
				writeLine(&sb, '+', bl[j])
				j++
			}
		}
	}
	return sb.String()
}

// splitLines splits b after each LF; a last line without one is kept.
func splitLines(b []byte) []string {
	var lines []string
	for len(b) > 0 {
		n := bytes.IndexByte(b, '\n') + 1
		if n == 0 {
			n = len(b)
		}
		lines = append(lines, string(b[:n]))
		b = b[n:]
	}
	return lines
}

// writeLine writes one diff line: the prefix, the line, and a marker if the
// line has no newline.
func writeLine(sb *strings.Builder, prefix byte, line string) {
	sb.WriteByte(prefix)
	sb.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
		sb.WriteString("\n\\ No newline at end of file\n")
	}
}

// hunk is a range of lines [a0,a1) of the old text and [b0,b1) of the new
// one: one or more changes with their context.
type hunk struct{ a0, a1, b0, b1 int }

// hunks groups the changes into hunks with diffContext lines of context,
// joining changes separated by at most 2*diffContext unchanged lines, as
// diff -u does.
func hunks(delA, insB []bool) []hunk {
	var hs []hunk
	var prev hunk // the last change (without context)
	for i, j := 0, 0; ; {
		// Skip unchanged lines to the next change.
		for i < len(delA) && j < len(insB) && !delA[i] && !insB[j] {
			i, j = i+1, j+1
		}
		if i == len(delA) && j == len(insB) {
			return hs
		}
		c := hunk{a0: i, b0: j}
		for i < len(delA) && delA[i] {
			i++
		}
		for j < len(insB) && insB[j] {
			j++
		}
		c.a1, c.b1 = i, j
		after := func(h *hunk) {
			h.a1, h.b1 = min(c.a1+diffContext, len(delA)), min(c.b1+diffContext, len(insB))
		}
		if len(hs) > 0 && c.a0-prev.a1 <= 2*diffContext {
			after(&hs[len(hs)-1])
		} else {
			back := min(diffContext, c.a0, c.b0)
			h := hunk{a0: c.a0 - back, b0: c.b0 - back}
			after(&h)
			hs = append(hs, h)
		}
		prev = c
	}
}

// hunkRange formats the lines [lo,hi) (from 0) as diff -u does: "start,count"
// from 1, "start" alone for one line, and the line before for none.
func hunkRange(lo, hi int) string {
	switch hi - lo {
	case 0:
		return fmt.Sprintf("%d,0", lo)
	case 1:
		return fmt.Sprintf("%d", lo+1)
	}
	return fmt.Sprintf("%d,%d", lo+1, hi-lo)
}

// diffLines compares the lines a and b and returns which lines of a are
// deleted and which lines of b are inserted. Beyond a cost of about the
// square root of the input size (at least 4096 edits), it gives up on a
// shortest script, as GNU diff does, so the work stays bounded.
func diffLines(a, b []string) (delA, insB []bool) {
	limit := 1
	for d := len(a) + len(b) + 3; d != 0; d >>= 2 {
		limit <<= 1
	}
	return diffLinesLimit(a, b, max(limit, 4096))
}

// diffLinesLimit is diffLines with the cost limit given.
func diffLinesLimit(a, b []string, tooExpensive int) (delA, insB []bool) {
	// Compare small integers rather than strings.
	ids := make(map[string]int)
	id := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			n, ok := ids[l]
			if !ok {
				n = len(ids)
				ids[l] = n
			}
			out[i] = n
		}
		return out
	}
	m := &myers{a: id(a), b: id(b), delA: make([]bool, len(a)), insB: make([]bool, len(b))}
	n := len(a) + len(b) + 3
	m.fd, m.bd = make([]int, n), make([]int, n)
	m.off = len(b) + 1
	m.tooExpensive = tooExpensive
	m.compare(0, len(a), 0, len(b))
	return m.delA, m.insB
}

// myers finds a shortest edit script with the linear-space divide and
// conquer variant of Myers' O(ND) algorithm ("An O(ND) Difference Algorithm
// and Its Variations", 1986), as in GNU diff.
type myers struct {
	a, b         []int
	delA, insB   []bool
	fd, bd       []int // furthest x reached on each diagonal k = x-y, at index k+off
	off          int
	tooExpensive int
}

// compare marks the changes between a[xlo:xhi] and b[ylo:yhi].
func (m *myers) compare(xlo, xhi, ylo, yhi int) {
	for xlo < xhi && ylo < yhi && m.a[xlo] == m.b[ylo] {
		xlo, ylo = xlo+1, ylo+1
	}
	for xlo < xhi && ylo < yhi && m.a[xhi-1] == m.b[yhi-1] {
		xhi, yhi = xhi-1, yhi-1
	}
	switch {
	case xlo == xhi:
		for ; ylo < yhi; ylo++ {
			m.insB[ylo] = true
		}
	case ylo == yhi:
		for ; xlo < xhi; xlo++ {
			m.delA[xlo] = true
		}
	default:
		x, y := m.split(xlo, xhi, ylo, yhi)
		m.compare(xlo, x, ylo, y)
		m.compare(x, xhi, y, yhi)
	}
}

// split finds a point (x, y) on a shortest edit path from (xlo, ylo) to
// (xhi, yhi) that splits it into two non-empty parts, searching forward from
// the start and backward from the end until the searches meet. The texts
// must differ at both ends of the ranges.
func (m *myers) split(xlo, xhi, ylo, yhi int) (int, int) {
	fd, bd, o := m.fd, m.bd, m.off
	dmin, dmax := xlo-yhi, xhi-ylo // diagonals in range
	fmid, bmid := xlo-ylo, xhi-yhi // start diagonals of the two searches
	fmin, fmax, bmin, bmax := fmid, fmid, bmid, bmid
	odd := (fmid-bmid)&1 != 0
	fd[fmid+o] = xlo
	bd[bmid+o] = xhi
	for c := 1; ; c++ {
		// One more edit forward on each diagonal.
		if fmin > dmin {
			fmin--
			fd[fmin-1+o] = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			fd[fmax+1+o] = -1
		} else {
			fmax--
		}
		for k := fmax; k >= fmin; k -= 2 {
			lo, hi := fd[k-1+o], fd[k+1+o]
			x := hi
			if lo >= hi {
				x = lo + 1
			}
			y := x - k
			for x < xhi && y < yhi && m.a[x] == m.b[y] {
				x, y = x+1, y+1
			}
			fd[k+o] = x
			if odd && bmin <= k && k <= bmax && bd[k+o] <= x {
				return x, y
			}
		}
		// One more edit backward on each diagonal.
		if bmin > dmin {
			bmin--
			bd[bmin-1+o] = maxInt
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			bd[bmax+1+o] = maxInt
		} else {
			bmax--
		}
		for k := bmax; k >= bmin; k -= 2 {
			lo, hi := bd[k-1+o], bd[k+1+o]
			x := lo
			if lo >= hi {
				x = hi - 1
			}
			y := x - k
			for x > xlo && y > ylo && m.a[x-1] == m.b[y-1] {
				x, y = x-1, y-1
			}
			bd[k+o] = x
			if !odd && fmin <= k && k <= fmax && x <= fd[k+o] {
				return x, y
			}
		}
		if c >= m.tooExpensive {
			return m.bestSoFar(xlo, xhi, ylo, yhi, fmin, fmax, bmin, bmax)
		}
	}
}

// maxInt stands for "not reached yet" in the backward search.
const maxInt = int(^uint(0) >> 1)

// bestSoFar gives up on a shortest path and splits at the point the
// forward or backward search got furthest, so the work stays bounded.
func (m *myers) bestSoFar(xlo, xhi, ylo, yhi, fmin, fmax, bmin, bmax int) (int, int) {
	fd, bd, o := m.fd, m.bd, m.off
	fxy, fx := -1, 0
	for k := fmax; k >= fmin; k -= 2 {
		x := min(fd[k+o], xhi)
		y := x - k
		if y > yhi {
			x, y = yhi+k, yhi
		}
		if x+y > fxy {
			fxy, fx = x+y, x
		}
	}
	bxy, bx := maxInt, 0
	for k := bmax; k >= bmin; k -= 2 {
		x := max(bd[k+o], xlo)
		y := x - k
		if y < ylo {
			x, y = ylo+k, ylo
		}
		if x+y < bxy {
			bxy, bx = x+y, x
		}
	}
	if (xhi+yhi)-bxy < fxy-(xlo+ylo) {
		return fx, fxy - fx
	}
	return bx, bxy - bx
}
