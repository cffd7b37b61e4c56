package pdf

import (
	"fmt"

	"rsc.io/qr"
)

// qrCode draws text as a QR code (error correction level M) of side size
// points at (x, y), as vector rectangles: one per horizontal run of dark
// modules. The code's quiet zone is left blank around it.
func (l *layout) qrCode(text string, x, y, size float64) {
	if l.err != nil {
		return
	}
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		l.err = fmt.Errorf("making the QR code: %w", err)
		return
	}
	const quiet = 4 // modules of white margin the standard asks for
	m := size / float64(code.Size+2*quiet)
	ox, oy := x+quiet*m, y+quiet*m
	for row := range code.Size {
		for col := 0; col < code.Size; {
			if !code.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < code.Size && code.Black(col, row) {
				col++
			}
			l.rect(ox+float64(start)*m, oy+float64(row)*m, float64(col-start)*m, m, rgb{0, 0, 0})
		}
	}
}
