package protocol

// CleanLang keeps a language tag such as "fr" or "pt-BR" (letters, digits and '-',
// at most 35 characters), as a visitor's hello sends it and a site's labels are
// keyed by, and returns "" for anything else.
func CleanLang(s string) string {
	if len(s) == 0 || len(s) > 35 {
		return ""
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return s
}
