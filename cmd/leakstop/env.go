package main

import (
	"os"
	"slices"
	"strings"

	"github.com/leakstop/leakstop/revoke"
)

// tokenVars are the credentials leakstop reads beside the providers' operator credentials
// (the variables each provider file names, revoke.OperatorCredentials): the GitHub tokens of
// issues and org scans, and the ones git hosting tools set.
var tokenVars = []string{"GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

// credentialSuffixes name, by the convention every provider follows, the variables that
// hold a credential of a provider leakstop may learn later: FOO_ADMIN_KEY, FOO_API_TOKEN.
var credentialSuffixes = []string{"_ADMIN_KEY", "_API_KEY", "_API_TOKEN", "_SECRET_ACCESS_KEY", "_SESSION_TOKEN", "_TOKEN"}

// isCredentialVar reports whether the variable name holds a credential.
func isCredentialVar(name string) bool {
	if slices.Contains(tokenVars, name) || slices.Contains(revoke.OperatorCredentials(), name) {
		return true
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
