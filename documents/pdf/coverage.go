package pdf

import "fmt"

// CoverageSamples are the alphabets concord's PDFs must be able to set, by
// name: the letters of every language of the forum's member countries and
// the working languages, lower and upper case, as `concord doctor` checks
// them against the embedded fonts.
var CoverageSamples = []struct{ Name, Text string }{
	{"Latin (English)", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?()[]§%&'\"-–—“”‘’…"},
	{"Russian", "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ№"},
	{"Kazakh", "әғқңөұүһіӘҒҚҢӨҰҮҺІ"},
	{"Kyrgyz", "ңөүҢӨҮ"},
	{"Tajik", "ғӣқӯҳҷҒӢҚӮҲҶ"},
	{"Uzbek (Latin)", "oʻgʻOʻGʻshchng"},
	{"Turkmen (Latin)", "äçňöşüýžÄÇŇÖŞÜÝŽ"},
	{"Chinese", "中华人民共和国哈萨克斯坦乌兹别克吉尔吉斯塔吉克土库曼高等教育合作论坛协议第条。，、：；（）《》"},
}

// MissingGlyphs returns the characters of text, in order and each once,
// that no embedded font can draw (as an export would refuse them), or an
// error if the embedded fonts cannot be read. cjk says the text is in a
// language written in CJK characters (it changes which face draws shared
// punctuation, not what can be drawn).
func MissingGlyphs(text string, cjk bool) ([]rune, error) {
	fs, err := loadFaces()
	if err != nil {
		return nil, fmt.Errorf("loading the embedded fonts: %w", err)
	}
	c := chooser{fs: fs, cjk: cjk}
	var missing []rune
	seen := map[rune]bool{}
	for _, r := range text {
		if r == '\n' || r == '\t' || seen[r] {
			continue
		}
		seen[r] = true
		for _, st := range []style{regular, bold} {
			if _, _, ok := c.pick(r, st); !ok {
				missing = append(missing, r)
				break
			}
		}
	}
	return missing, nil
}
