package pdf

import "testing"

func TestCoverageSamplesAreCovered(t *testing.T) {
	for _, s := range CoverageSamples {
		missing, err := MissingGlyphs(s.Text, s.Name == "Chinese")
		if err != nil || len(missing) != 0 {
			t.Errorf("%s: missing %q, %v", s.Name, string(missing), err)
		}
	}
}

func TestMissingGlyphsReportsEachOnce(t *testing.T) {
	// Devanagari and Georgian are in no embedded font; an emoji is beyond
	// U+FFFF, which the PDF writer cannot encode.
	missing, err := MissingGlyphs("aकbक\nა😀c", false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(missing), "कა😀"; got != want {
		t.Errorf("missing %q, want %q", got, want)
	}
}
