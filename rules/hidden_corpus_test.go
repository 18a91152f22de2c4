package rules

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// plant is a secret written into a file of the hidden-secrets corpus: the rule that must
// find it, how it is written (Match.Encoding), and at, the text where the finding must start
// (its first occurrence after the file's previous plant).
type plant struct {
	rule, encoding, at string
}

// corpusFile is a file of the corpus: its text and the secrets planted in it, in order.
// Everything else in it is ordinary code or a decoy that must stay quiet.
type corpusFile struct {
	path   string
	text   string
	plants []plant
}

// hiddenCorpus builds a tree of realistic files in the languages and formats people
// commit, with secrets planted in every form the matcher knows (plain, base64, percent-
// encoded, escaped, concatenated, in shell pieces, assigned to names that mean a secret)
// and decoys beside them: digests, UUIDs, integrity fields, images, placeholders, CSRF
// tokens, host names, Maven coordinates, string building, encoded text that is no secret.
func hiddenCorpus(g *Generator) []corpusFile {
	r := func(n int) string { return g.Chars(setAlnum, n-1) + "7" }
	upper := "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	uuid := func() string {
		return g.Chars(setHex, 8) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 12)
	}
	gh1, gh2, gh3, gh4 := g.GitHubToken("ghp_"), g.GitHubToken("ghp_"), g.GitHubToken("ghp_"), g.GitHubToken("ghp_")
	oai1, oai2, oai3, oai4, oai5, oai6 := g.OpenAIKey("sk-proj-", 74), g.OpenAIKey("sk-proj-", 74), g.OpenAIKey("sk-proj-", 74), g.OpenAIKey("sk-proj-", 74), g.OpenAIKey("sk-proj-", 74), g.OpenAIKey("sk-proj-", 74)
	hook := func() string {
		return "https://hooks.slack.com/services/T" + g.Chars(upper, 8) + "/B" + g.Chars(upper, 10) + "/" + g.Chars(setAlnum, 24)
	}
	hook1, hook2 := hook(), hook()
	aws := "AKIA" + g.Chars(setBase32, 16)
	awsSecret := g.Chars(setB64, 40)
	png := b64("\x89PNG\r\n\x1a\n" + g.Chars(setAlnum+"\x00\x01\xff\xfe", 240))
	djangoKey := "django-insecure-" + g.Chars(setAlnum+"!@#$%^&*(-_=+)", 50)
	railsKey := g.Chars(setHex, 128)
	laravelKey := b64(g.Chars("\x00\x01\x02\x7f\x80\xfe\xff"+setAlnum, 32))
	nextauth, tfDefault, tfState, csKey, javaKey, ktKey, rbKey, wpKey := r(32), r(20), r(24), r(30), r(30), r(30), r(30), g.Chars(setAlnum+"!@#%^*()-_[]{}<>~+=,.;:/?|", 64)
	propsPw, xmlPw, helmTok, composePw, iniPw, nbTok := r(20), r(20), r(30), r(20), r(20), r(30)
	csvTok1, csvTok2 := r(32), r(40)
	esc := func(s string) string { return strings.ReplaceAll(s, "/", `\/`) }
	half := func(s string, at int) (string, string) { return s[:at], s[at:] }
	o2a, o2b := half(oai2, 30)
	o3a, o3b := half(oai3, 20)
	o4a, o4b := half(oai4, 15)
	o5a, o5b := half(oai5, 12)
	o6a, o6b := half(oai6, 40)

	return []corpusFile{
		{"k8s/secret.yaml", `apiVersion: v1
kind: Secret
metadata:
  name: ci-credentials
  labels:
    uid: "` + uuid() + `"
type: Opaque
data:
  GITHUB_TOKEN: ` + b64(gh1) + `
  DB_PASSWORD: ` + b64("changeme-please-123") + `
  README: ` + b64("this value is only a note about tokens and secrets") + `
`, []plant{{"github-pat", "base64", b64(gh1)}}},

		{".docker/config.json", `{
  "auths": {
    "ghcr.io": {"auth": "` + b64("octocat-bot:"+gh2) + `"},
    "registry.example.com": {"auth": "` + b64("deploy:${REGISTRY_PASSWORD}") + `"}
  }
}
`, []plant{{"github-pat", "base64", b64("octocat-bot:" + gh2)[16:24]}}},

		{"scripts/release.sh", `#!/bin/sh
set -eu
PREFIX=/usr/local
BIN="${PREFIX}/bin"
export PATH="$BIN:$PATH"
curl -fsS -H "Authorization: Basic ` + b64("x-access-token:"+gh3) + `" https://api.github.com/user
P1=` + o4a + `
P2=` + o4b + `
export OPENAI_API_KEY="${P1}${P2}"
echo "done: $(date -u)"
`, []plant{
			{"github-pat", "base64", b64("x-access-token:" + gh3)[20:28]},
			{"openai-project-key", "shell", o4a},
		}},

		{"logs/access.log", `127.0.0.1 - - [01/Dec/2026:10:00:00 +0000] "GET /health HTTP/1.1" 200 2
127.0.0.1 - - [01/Dec/2026:10:00:01 +0000] "GET /login?redirect_uri=https%3A%2F%2Fexample.com%2Foauth%2Fcallback%3Fstate%3Dabc HTTP/1.1" 302 0
127.0.0.1 - - [01/Dec/2026:10:00:02 +0000] "GET /notify?hook=` + url.QueryEscape(hook1) + ` HTTP/1.1" 204 0
`, []plant{{"slack-webhook-url", "url", url.QueryEscape(hook1)}}},

		{"web/public/settings.json", `{
  "name": "storefront",
  "version": "4.2.1",
  "integrity": "sha512-` + b64(g.Chars("\x00\x10\x80\xff"+setAlnum, 64)) + `",
  "alerts": {"webhook": "` + esc(hook2) + `"},
  "logo": "data:image/png;base64,` + png + `",
  "docs": "https:\/\/example.com\/docs\/start"
}
`, []plant{{"slack-webhook-url", "escape", "https:"}}},

		{"src/client.js", `import { api } from "./api.js";

const greeting = "Hello, " + user.name + "!";
const path = "/api/" + "v1/" + "items";
const key = "` + o5a + `" + "` + o5b + `";
const parts = ["` + oai1[:10] + `", "` + oai1[10:40] + `", "` + oai1[40:] + `"].join("");
var s="caf\u00e9 \u002f men\u00fa",t="a\/b\/c";
export const client = api({ key, parts, s, t, greeting, path });
`, []plant{
			{"openai-project-key", "concat", o5a},
			{"openai-project-key", "concat", oai1[:10]},
		}},

		{"app/settings.py", `import os

DEBUG = False
SECRET_KEY = '` + djangoKey + `'
CSRF_COOKIE_NAME = "csrftoken"
csrf_token = "` + r(40) + `"
OPENAI_KEY = ("` + o2a + `"
              "` + o2b + `")
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
API_KEY = "not-a-valid-key"
`, []plant{
			{"generic-api-key", "", djangoKey},
			{"openai-project-key", "concat", o2a},
		}},

		{"config/secrets.yml", `development:
  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>
production:
  secret_key_base: ` + railsKey + `
`, []plant{{"generic-framework-secret", "", railsKey}}},

		{".env.production", `APP_NAME=Shop
APP_ENV=production
APP_KEY=base64:` + laravelKey + `
APP_URL=https://shop.example.com
NEXTAUTH_URL=https://shop.example.com/api/auth
NEXTAUTH_SECRET=` + nextauth + `
SESSION_ID=` + uuid() + `
`, []plant{
			{"generic-framework-secret", "", "base64:" + laravelKey},
			{"generic-api-key", "", nextauth},
		}},

		{"infra/variables.tf", `variable "region" {
  default = "eu-west-1"
}

variable "db_password" {
  description = "Password of the database's admin user"
  type        = string
  sensitive   = true
  default     = "` + tfDefault + `"
}

variable "api_token" {
  type      = string
  sensitive = true
}
`, []plant{{"generic-terraform-variable", "", tfDefault}}},

		{"infra/terraform.tfstate", `{
  "version": 4,
  "terraform_version": "1.9.5",
  "lineage": "` + uuid() + `",
  "resources": [
    {
      "type": "aws_db_instance",
      "instances": [
        {"attributes": {"id": "db-prod", "password": "` + tfState + `", "port": 5432, "arn": "arn:aws:rds:eu-west-1:123456789012:db:db-prod"}}
      ]
    }
  ]
}
`, []plant{{"generic-api-key", "", tfState}}},

		{"src/Settings.cs", `namespace Shop;

public static class Settings
{
    public const string ApiKey = "` + csKey + `";
    public const string ApiKeyHeader = "X-Api-Key";
    public static readonly Guid InstanceId = new("` + uuid() + `");
}
`, []plant{{"generic-api-key", "", csKey}}},

		{"src/main/java/shop/Config.java", `package shop;

public final class Config {
    private static final String API_TOKEN = "` + javaKey + `";
    private static final String OPENAI_KEY = "` + o3a + `"
        + "` + o3b + `";
    private static final String COMMIT = "` + g.Chars(setHex, 40) + `";
}
`, []plant{
			{"generic-api-key", "", javaKey},
			{"openai-project-key", "concat", o3a},
		}},

		{"app/src/main/kotlin/Keys.kt", `package shop

const val API_SECRET = "` + ktKey + `"
const val TOKEN_PREFIX = "Bearer "
`, []plant{{"generic-api-key", "", ktKey}}},

		{"internal/keys/keys.go", `package keys

const openAIKey = "` + o6a + `" +
	"` + o6b + `"

var githubToken = "` + gh4 + `"

const apiTokenHeader = "Authorization"
`, []plant{
			{"openai-project-key", "concat", o6a},
			{"github-pat", "", gh4},
		}},

		{"src/lib.rs", `pub const AWS_ACCESS_KEY_ID: &str = "` + aws + `";
pub const AWS_SECRET_ACCESS_KEY: &str = "` + awsSecret + `";
pub const VERSION: &str = concat!("1.", "2.", "3");
`, []plant{{"aws-access-key-id", "", aws}}},

		{"config/initializers/keys.rb", `API_TOKEN = '` + rbKey + `'.freeze
ASSET_HOST = 'cdn-prod-7x9k2.eu-west-1.example.net'
`, []plant{{"generic-api-key", "", rbKey}}},

		{"wp-config.php", `<?php
define( 'DB_NAME', 'wordpress' );
define( 'AUTH_KEY',         '` + wpKey + `' );
define( 'SECURE_AUTH_KEY',  'put your unique phrase here' );
`, []plant{{"generic-api-key", "", wpKey}}},

		{"src/main/resources/application.properties", `server.port=8080
spring.datasource.url=jdbc:postgresql://db:5432/shop
spring.datasource.password=` + propsPw + `
spring.datasource.password.file=/run/secrets/db
`, []plant{{"generic-api-key", "", propsPw}}},

		{"conf/context.xml", `<?xml version="1.0" encoding="UTF-8"?>
<Context>
  <Resource name="jdbc/shop" auth="Container" type="javax.sql.DataSource"
            username="shop" password="` + xmlPw + `" url="jdbc:postgresql://db/shop"/>
</Context>
`, []plant{{"generic-api-key", "", xmlPw}}},

		{"pom.xml", `<project>
  <dependencies>
    <dependency><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version></dependency>
  </dependencies>
  <properties><token>org.apache.maven.plugins:maven-surefire-plugin:3.2.5</token></properties>
</project>
`, nil},

		{"charts/shop/values.yaml", `image:
  repository: ghcr.io/acme/shop
  tag: "4.2.1"
auth:
  apiToken: ` + helmTok + `
  existingSecret: ""
`, []plant{{"generic-api-key", "", helmTok}}},

		{"docker-compose.yml", `services:
  db:
    image: postgres:16
    environment:
      - POSTGRES_USER=shop
      - POSTGRES_PASSWORD=` + composePw + `
      - POSTGRES_PASSWORD_FILE=/run/secrets/db
`, []plant{{"generic-api-key", "", composePw}}},

		{"config/app.ini", `[server]
host = 0.0.0.0
port = 8080

[database]
user = shop
password = ` + iniPw + `
`, []plant{{"generic-api-key", "", iniPw}}},

		{"notebooks/explore.ipynb", `{
 "cells": [
  {
   "cell_type": "code",
   "source": [
    "API_TOKEN = \"` + nbTok + `\"\n",
    "print(\"ready\")\n"
   ]
  }
 ],
 "nbformat": 4
}
`, []plant{{"generic-api-key", "", nbTok}}},

		{"exports/service-accounts.csv", "id,name,api_token,token_type,password_hash,created\r\n" +
			uuid() + ",billing,\"" + csvTok1 + "\",bearer,$2b$12$" + g.Chars(setAlnum+"./", 53) + ",2026-01-02\r\n" +
			uuid() + ",search,,bearer,,2026-01-03\r\n" +
			uuid() + ",mailer," + csvTok2 + ",bearer,$2b$12$" + g.Chars(setAlnum+"./", 53) + ",2026-01-04\r\n",
			[]plant{{"generic-api-key", "", csvTok1}, {"generic-api-key", "", csvTok2}}},

		{"exports/metrics.csv", "date,page,views\n2026-01-01,/pricing," + g.Chars("0123456789", 5) + "\n", nil},

		{"templates/base.html", `<!doctype html>
<meta name="csrf-token" content="` + r(40) + `">
<input type="hidden" name="authenticity_token" value="` + r(40) + `">
<img src="data:image/png;base64,` + png + `">
`, nil},
	}
}

// TestHiddenCorpus writes the corpus to a folder, reads each file back and wants exactly
// its planted secrets: each once, by its rule, where it starts in the file (line and
// column), with its encoding; nothing on the decoys.
func TestHiddenCorpus(t *testing.T) {
	set := builtinSet(t)
	for _, seed := range exampleSeeds {
		dir := t.TempDir()
		files := hiddenCorpus(NewGenerator(seed))
		for _, f := range files {
			p := filepath.Join(dir, filepath.FromSlash(f.path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(f.text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.path)))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			from := 0
			for _, p := range f.plants {
				i := strings.Index(f.text[from:], p.at)
				if p.at == "" || i < 0 {
					t.Fatalf("%s: plant %s: %q is not in the text", f.path, p.rule, p.at)
				}
				line, col := position(data, from+i)
				want = append(want, fmt.Sprintf("%s:%d:%d %s %s", f.path, line, col, p.rule, p.encoding))
				from += i + len(p.at)
			}
			var got []string
			for _, m := range set.Find(data, f.path) {
				if m.Rule.Companion != nil && m.Companion == "" {
					t.Errorf("seed %d, %s: %s found without the other half of its pair", seed, f.path, m.Rule.ID)
				}
				got = append(got, fmt.Sprintf("%s:%d:%d %s %s", f.path, m.Line, m.Column, m.Rule.ID, m.Encoding))
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("seed %d, %s (-want +got):\n%s", seed, f.path, diff)
			}
		}
	}
}
