package rules

import (
	"strings"
	"testing"
)

// TestIsPlaceholder covers the stand-ins that every rule ignores. Documented keys are put
// together at run time.
func TestIsPlaceholder(t *testing.T) {
	g := NewGenerator(16)
	tests := []checkCase{
		{"openai xxxx", "sk-" + strings.Repeat("x", 48), true},
		{"openai project xxxx", "sk-proj-xxxxxxxxxxxx" + openAIMarker + "xxxxxxxx", true},
		{"your-key-here", "your-key-here", true},
		{"your_api_key", "YOUR_API_KEY", true},
		{"shell variable", "${OPENAI_API_KEY}", true},
		{"bare variable", "$OPENAI_API_KEY", true},
		{"angle brackets", "<OPENAI_API_KEY>", true},
		{"template", "{{ .Values.apiKey }}", true},
		{"os.environ", `os.environ["OPENAI_API_KEY"]`, true},
		{"os.getenv", `os.getenv("TOKEN")`, true},
		{"process.env", "process.env.OPENAI_API_KEY", true},
		{"aws documented id", "AKIA" + "IOSFODNN7" + "EXAMPLE", true},
		{"aws documented secret", "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY" + "EXAMPLEKEY", true},
		{"stripe documented key 1", "sk_test_" + "4eC39HqLyjWD" + "arjtT1zdp7dc", true},
		{"stripe documented key 2", "sk_test_" + "BQokikJOvBiI" + "2HlWgH4olfQ2", true},
		{"one character", strings.Repeat("a", 32), true},
		{"mostly one character", "ghp_" + strings.Repeat("A", 36), true},
		{"repeated pattern", strings.Repeat("ab12", 8), true},
		{"stars", "sk-****************", true},
		{"ellipsis", "sk-proj-…", true},
		{"redacted", "REDACTED", true},
		{"random", g.Chars(setAlnum, 40), false},
		{"random stripe test key", "sk_test_" + g.Chars(setAlnum, 24), false},
		{"random key id", "AKIA" + g.Chars(setBase32, 16), false},
	}
	testCheck(t, "isPlaceholder", isPlaceholder, tests)
}
