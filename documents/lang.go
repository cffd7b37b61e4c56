package documents

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// LangError is a language tag concord does not accept for a text.
type LangError struct {
	Input   string // the tag as given
	Problem string // why it is refused
	Suggest string // the tag the user probably meant, or ""
}

// Error says what is wrong with the tag.
func (e *LangError) Error() string {
	return fmt.Sprintf("language tag %q: %s", e.Input, e.Problem)
}

// Hint suggests a tag.
func (e *LangError) Hint() string {
	if e.Suggest != "" {
		return fmt.Sprintf("did you mean %s? a text's language is a BCP 47 tag (ISO 639 language code), e.g. zh, kk, ru, en, zh-Hans", e.Suggest)
	}
	return "a text's language is a BCP 47 tag (ISO 639 language code), e.g. zh, kk, ru, en, zh-Hans"
}

// countryLanguage maps country codes (ISO 3166) that are often written for
// a language code (ISO 639) to the language meant; where a code is not
// listed, the suggestion is the country's most likely language per CLDR.
var countryLanguage = map[string]string{
	"kz": "kk", "cn": "zh", "kg": "ky", "tj": "tg", "tm": "tk", "ua": "uk",
	"by": "be", "ge": "ka", "am": "hy", "jp": "ja", "kr": "ko", "gb": "en",
	"us": "en", "se": "sv", "dk": "da", "cz": "cs", "gr": "el", "ee": "et",
	"il": "he", "ir": "fa", "vn": "vi", "rs": "sr", "at": "de", "pk": "ur",
	"in": "hi", "my": "ms", "tw": "zh-Hant", "hk": "zh-Hant",
}

// ParseLang parses a text's language tag by BCP 47 (RFC 5646) with
// golang.org/x/text/language, in any letter case, and returns the form the
// ledger stores: the canonical tag (deprecated codes replaced, e.g. iw →
// he, kaz → kk) in lower case, since BCP 47 tags are case-insensitive and
// the ledger's paths and statements hold lower case (docs/LEDGER.md), e.g.
// "zh-Hans" → "zh-hans". The language must be a known one (not und, not a
// private-use code), and the ledger's grammar allows at most one subtag
// after it (a script, region or variant) and no extensions. Errors are
// *LangError, with a suggestion where a country code was given for a
// language (kz → kk).
func ParseLang(s string) (string, error) {
	bad := func(problem, suggest string) error {
		return &LangError{Input: s, Problem: problem, Suggest: suggest}
	}
	tag, err := language.Parse(s)
	if err != nil || tag == language.Und {
		return "", bad("not a known language", suggestFor(s))
	}
	base, conf := tag.Base()
	if conf != language.Exact || base.String() == "und" {
		return "", bad("no known language in it", suggestFor(s))
	}
	if b := base.String(); len(b) == 3 && b >= "qaa" && b <= "qtz" {
		return "", bad("a private-use language code", "")
	}
	canon := tag.String()
	if strings.Contains(canon, "-u-") || strings.Contains(canon, "-x-") || strings.Contains(canon, "-t-") {
		return "", bad("extensions (-u-, -t-, -x-) cannot be part of a text's language", "")
	}
	if strings.Count(canon, "-") > 1 {
		return "", bad(fmt.Sprintf("%s has more than one subtag after the language; the ledger takes a language and at most one script, region or variant", canon), "")
	}
	return strings.ToLower(canon), nil
}

// suggestFor returns the language code meant by s when s is a country
// code, else "".
func suggestFor(s string) string {
	code := strings.ToLower(s)
	if l, ok := countryLanguage[code]; ok {
		return l
	}
	r, err := language.ParseRegion(code)
	if err != nil || len(code) != 2 {
		return ""
	}
	t, err := language.Compose(r)
	if err != nil {
		return ""
	}
	if b, conf := t.Base(); conf >= language.High {
		return b.String()
	}
	return ""
}

// DisplayLang returns a stored language tag in the letter case BCP 47
// recommends (RFC 5646 section 2.1.1): a four-letter script subtag in
// title case, a two-letter region subtag in upper case, the rest in lower
// case; zh-hans → zh-Hans. Nothing else is changed.
func DisplayLang(stored string) string {
	parts := strings.Split(strings.ToLower(stored), "-")
	for i := 1; i < len(parts); i++ {
		switch p := parts[i]; {
		case len(p) == 4 && p[0] >= 'a' && p[0] <= 'z':
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		case len(p) == 2:
			parts[i] = strings.ToUpper(p)
		}
	}
	return strings.Join(parts, "-")
}
