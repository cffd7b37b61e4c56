package documents

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LangName returns the English name of the language of a stored tag (its
// first subtag), as the Unicode CLDR names it through
// golang.org/x/text/language/display: "Chinese" for zh-hans, "Kazakh" for
// kk, "Cantonese" for yue; "" if the tag does not parse or CLDR has no name
// for it. Scripts and regions are left to the tag (DisplayLang), which is
// always shown beside the name.
func LangName(stored string) string {
	first, _, _ := strings.Cut(stored, "-")
	base, err := language.ParseBase(first)
	if err != nil {
		return ""
	}
	return display.English.Languages().Name(base)
}
