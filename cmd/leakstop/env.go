package main

import (
	"os"
	"strings"
)

// credentialVars are the environment variables that hold the operator's credentials:
// leakstop reads them (revoke, issues) and no process it starts needs them.
var credentialVars = []string{
	"OPENAI_ADMIN_KEY", "ANTHROPIC_ADMIN_KEY", "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "CLOUDFLARE_API_TOKEN", "SENDGRID_API_KEY",
}

// credentialSuffixes name, by the convention every provider follows, the variables that
// hold a credential of a provider leakstop may learn later: FOO_ADMIN_KEY, FOO_API_TOKEN.
var credentialSuffixes = []string{"_ADMIN_KEY", "_API_KEY", "_API_TOKEN", "_SECRET_ACCESS_KEY", "_SESSION_TOKEN", "_TOKEN"}

// isCredentialVar reports whether the variable name holds a credential.
func isCredentialVar(name string) bool {
	for _, v := range credentialVars {
		if name == v {
			return true
		}
	}
	for _, s := range credentialSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// processEnv reads the environment for leakstop, then takes the credentials out of the
// process's own environment, so that no child process (git, and what git runs: ssh, a
// credential helper, hooks) inherits an admin key or a token: a child's environment is
// readable by its own hooks and programs, and a process tree is easy to dump. The returned
// getenv still sees them; leakstop reads its environment through it only. main calls it
// once, before anything runs.
func processEnv() func(string) string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
		if isCredentialVar(k) {
			os.Unsetenv(k)
		}
	}
	return func(k string) string { return env[k] }
}
