package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
)

// plantedFile is a file of the planted-secrets folder: a template (rules.Generator syntax)
// whose secrets leakstop must find, beside decoys it must not report.
type plantedFile struct {
	path string
	tmpl string
}

// plantedFolder has real-looking secrets in many file types and decoys beside them: a
// GitHub token with a wrong checksum, placeholders, documented example keys, hashes, UUIDs,
// lockfile integrity fields.
var plantedFolder = []plantedFile{
	{".env", `# local settings
OPENAI_API_KEY={{openai "sk-proj-" 74}}
ANTHROPIC_API_KEY=sk-ant-api03-{{b64url 93}}AA
# decoys
OPENAI_API_KEY_EXAMPLE=sk-proj-{{repeat "x" 74}}T3BlbkFJ{{repeat "x" 74}}
BAD_GITHUB_TOKEN=ghp_{{alnum 30}}000000
SESSION_ID={{hex 8}}-{{hex 4}}-4{{hex 3}}-a{{hex 3}}-{{hex 12}}
`},
	{"deploy/config.yaml", `slack:
  channel: "#alerts"
  bot_token: xoxb-{{digits 12}}-{{digits 12}}-{{alnum 24}}
database:
  password: ${DB_PASSWORD}
  url: postgres://app:${DB_PASSWORD}@db:5432/app
`},
	{"settings.json", `{
  "stripe": {"secret": "sk_live_{{alnum 24}}"},
  "checksum": "{{hex 64}}",
  "commit": "{{hex 40}}",
  "id": "{{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}"
}
`},
	{"app.py", `import os
import openai

openai.api_key = "{{openai "sk-" 20}}"
fallback = os.environ["OPENAI_API_KEY"]
placeholder = "your-key-here"
`},
	{"dist/bundle.min.js", `!function(){var e={apiKey:"<OPENAI_API_KEY>"};` + `{{repeat "var a=1;" 4000}}` + `var c={k:"{{openai "sk-svcacct-" 74}}"};}();
`},
	{"Dockerfile", `FROM golang:1.26
ARG NPM_TOKEN
ENV GITHUB_TOKEN={{ghtoken "ghp_"}}
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc
`},
	{"notebooks/explore.ipynb", `{
 "cells": [
  {
   "cell_type": "code",
   "source": [
    "import openai\n",
    "client = openai.OpenAI(api_key=\"{{openai "sk-proj-" 74}}\")\n"
   ]
  }
 ],
 "nbformat": 4
}
`},
	{"infra/main.tf", `provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIA{{base32 16}}"
  secret_key = "{{b64 40}}"
}
# the documented example key
# access_key = "AKIAIOSFODNN7EXAMPLE"
`},
	{"package-lock.json", `{
  "packages": {
    "node_modules/left-pad": {
      "integrity": "sha512-{{b64 86}}=="
    }
  }
}
`},
	{"logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR api_key=\"{{alnum 32}}\""},
}

type reportJSON struct {
	Version  int `json:"version"`
	Findings []struct {
		Rule      string `json:"rule"`
		Provider  string `json:"provider"`
		Secret    string `json:"secret"`
		Locations []struct {
			Path   string `json:"path"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"locations"`
	} `json:"findings"`
	Stats struct {
		Files int64 `json:"files"`
	} `json:"stats"`
}

func writePlanted(t *testing.T, dir string) []string {
	t.Helper()
	g := rules.NewGenerator(2026)
	var secrets []string
	for _, f := range plantedFolder {
		text, err := g.Expand(f.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, text)
	}
	return secrets
}

func TestDirPlantedSecrets(t *testing.T) {
	dir := t.TempDir()
	writePlanted(t, dir)
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := Main([]string{"dir", "-f", "json", "-c", os.DevNull, "."}, nil, &stdout, &stderr, func(string) string { return "" })
	if code != exitLeaks {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", code, exitLeaks, stderr.String())
	}
	var rep reportJSON
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	var got []string
	for _, f := range rep.Findings {
		for _, l := range f.Locations {
			got = append(got, f.Provider+" "+l.Path+":"+strconv.Itoa(l.Line)+":"+strconv.Itoa(l.Column))
		}
	}
	sort.Strings(got)
	want := []string{
		"anthropic .env:3:19",
		"aws infra/main.tf:3:17",
		"github Dockerfile:3:18",
		"openai .env:2:16",
		"openai app.py:4:19",
		"openai dist/bundle.min.js:1:32057",
		"openai notebooks/explore.ipynb:7:39",
		"slack deploy/config.yaml:3:14",
		"stripe settings.json:2:25",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr.String(), "binary file") {
		t.Errorf("no log line for the skipped binary file; stderr:\n%s", stderr.String())
	}
}
