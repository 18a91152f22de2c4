package rules

import (
	"strings"
	"testing"
)

// TestContextKeysKeepTheirNames: a .env file that holds the keys of many AI providers, one
// a line, as projects that try several models keep them. Keys without a prefix of their own
// are found by the name they are assigned to, so each is its own provider's, and a key of
// the same shape under another name (DashScope's sk- keys look like DeepSeek's) is none of
// theirs.
func TestContextKeysKeepTheirNames(t *testing.T) {
	set := builtinSet(t)
	lines := []struct{ tmpl, rule string }{
		{"MISTRAL_API_KEY={{alnum 32}}", "mistral-api-key"},
		{"AI21_API_KEY={{alnum 32}}", "ai21-api-key"},
		{"COHERE_API_KEY={{alnum 40}}", "cohere-api-key"},
		{"DEEPSEEK_API_KEY=sk-{{hex 32}}", "deepseek-api-key"},
		{"DASHSCOPE_API_KEY=sk-{{hex 32}}", ""},
		{"STABILITY_API_KEY=sk-{{alnum 48}}", "stability-api-key"},
		{"ASSEMBLYAI_API_KEY={{hex 32}}", "assemblyai-api-key"},
		{"CLARIFAI_PAT={{hex 32}}", "clarifai-pat"},
		{"DEEPGRAM_API_KEY={{hex 40}}", "deepgram-api-key"},
		{"WANDB_API_KEY={{hex 40}}", "wandb-legacy-api-key"},
		{"SERPAPI_API_KEY={{hex 64}}", "serpapi-api-key"},
		{"PINECONE_API_KEY={{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}", "pinecone-legacy-api-key"},
		{"LEONARDO_API_KEY={{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}", "leonardo-api-key"},
		{"GLADIA_API_KEY={{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}", "gladia-api-key"},
		{"VOYAGE_API_KEY=pa-{{b64url 43}}", "voyage-api-key"},
		{"BASETEN_API_KEY={{alnum 8}}.{{alnum 32}}", "baseten-api-key"},
		{"GIT_COMMIT={{hex 40}}", ""},
	}
	for _, seed := range exampleSeeds {
		g := NewGenerator(seed)
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(expand(t, g, l.tmpl) + "\n")
		}
		got := map[int]string{}
		for _, m := range set.Find([]byte(b.String()), ".env") {
			if prev, ok := got[m.Line]; ok {
				t.Errorf("seed %d, line %d: two findings, %s and %s", seed, m.Line, prev, m.Rule.ID)
			}
			got[m.Line] = m.Rule.ID
		}
		for i, l := range lines {
			if got[i+1] != l.rule && (l.rule != "" || !GenericProvider(set.byID[got[i+1]].Provider)) {
				t.Errorf("seed %d, %s: found by %q, want %q", seed, strings.SplitN(l.tmpl, "=", 2)[0], got[i+1], l.rule)
			}
		}
	}
}
