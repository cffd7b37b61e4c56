package documents

import "testing"

func TestLangName(t *testing.T) {
	for in, want := range map[string]string{
		"zh": "Chinese", "zh-hans": "Chinese", "zh-hant-tw": "Chinese", "kk": "Kazakh", "kk-cyrl": "Kazakh",
		"yue": "Cantonese", "mn": "Mongolian", "en-gb": "English", "": "", "x1": "",
	} {
		if got := LangName(in); got != want {
			t.Errorf("LangName(%q) = %q, want %q", in, got, want)
		}
	}
}
