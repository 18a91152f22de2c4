package main

import (
	"errors"
	"net/url"

	"github.com/leakstop/leakstop/scanner"
	gitsrc "github.com/leakstop/leakstop/scanner/git"
	"github.com/leakstop/leakstop/scanner/web"
)

// The libraries say what went wrong, and what to do, in their own words; only the command
// knows its flags. These functions add the flag to change, in one place.

// chunkHint says which flag lets a scan read what a source skipped or could not read.
func chunkHint(c scanner.Chunk) string {
	switch c.Limit {
	case scanner.LimitFileSize:
		return "raise --max-file-size to read it"
	case scanner.LimitTotalBytes:
		return "raise --max-bytes to read more"
	case scanner.LimitPages:
		return "raise --max-pages to crawl further"
	case scanner.LimitDepth:
		return "raise --max-depth to read deeper"
	case scanner.LimitHost:
		if u, err := url.Parse(c.Location.URL); err == nil && u.Host != "" {
			return "add --allow-host " + u.Host + " to fetch it"
		}
		return "add --allow-host HOST to fetch it"
	}
	var he *web.HTTPError
	var te *web.TimeoutError
	var fe *web.ForbiddenAddressError
	switch {
	case errors.As(c.Err, &fe):
		return "pass --allow-private to scan a site on your own network"
	case errors.As(c.Err, &he) && (he.StatusCode == 401 || he.StatusCode == 403):
		return "the site may want a login: pass its cookie or token with --header"
	case errors.As(c.Err, &he) && he.StatusCode == 429:
		return "the site limits the request rate: lower --concurrency"
	case errors.As(c.Err, &te):
		return "the site is slow: raise --timeout"
	}
	return ""
}

// scanHint says which flag to check when a scan could not start.
func scanHint(err error) []string {
	var rev *gitsrc.RevisionError
	if errors.As(err, &rev) {
		return []string{"check --since and --range"}
	}
	return nil
}
