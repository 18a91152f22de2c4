package main

import (
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/web"
)

// urlOptions are the flags of leakstop url beyond the shared ones.
type urlOptions struct {
	AllowHosts  []string
	Headers     []string
	MaxDepth    int
	MaxPages    int
	MaxBytes    string
	Timeout     time.Duration
	Concurrency int

	header   http.Header // parsed Headers
	maxBytes int64       // parsed MaxBytes
}

func (u *urlOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&u.AllowHosts, "allow-host", nil, "also fetch scripts and source maps from `HOST` (a CDN; host or host:port; repeatable)")
	f.StringArrayVar(&u.Headers, "header", nil, "send `'NAME: VALUE'` with every request (a cookie or token for a site behind a login; repeatable; never logged)")
	f.IntVar(&u.MaxDepth, "max-depth", web.DefaultMaxDepth, "follow links between pages this many `LEVELS` from the start URLs (0: the start pages only)")
	f.IntVar(&u.MaxPages, "max-pages", web.DefaultMaxPages, "fetch at most `N` URLs in all: pages, scripts and source maps")
	f.StringVar(&u.MaxBytes, "max-bytes", files.FormatSize(web.DefaultMaxBytes), "read at most `SIZE` in all (each response is limited by --max-file-size)")
	f.DurationVar(&u.Timeout, "timeout", web.DefaultTimeout, "give up on a request after `DURATION`, body included")
	f.IntVar(&u.Concurrency, "concurrency", web.DefaultConcurrency, "at most `N` requests in flight at once")
}

// validate checks the flags and the URLs before any request is sent. Header values are
// never repeated in messages: they may hold a token.
func (u *urlOptions) validate(urls []string) error {
	for _, raw := range urls {
		if _, err := web.ParseURL(raw); err != nil {
			return usageError("%v", err)
		}
	}
	u.header = http.Header{}
	for _, h := range u.Headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok {
			return usageError("--header wants 'NAME: VALUE', and one given has no colon")
		}
		if !validHeaderName(name) {
			return usageError("--header %q is not a valid header name", name)
		}
		value = strings.TrimSpace(value)
		if strings.ContainsAny(value, "\r\n\x00") {
			return usageError("--header %s: the value holds characters a header cannot carry", name)
		}
		u.header.Add(textproto.CanonicalMIMEHeaderKey(name), value)
	}
	for _, h := range u.AllowHosts {
		if h = strings.TrimSpace(h); h == "" || strings.ContainsAny(h, "/ ") {
			return usageError("--allow-host %q is not a host: give a name such as cdn.example.com, or host:port", h)
		}
	}
	if u.MaxDepth < 0 {
		return usageError("--max-depth must be 0 or more")
	}
	if u.MaxPages < 1 {
		return usageError("--max-pages must be at least 1")
	}
	n, err := files.ParseSize(u.MaxBytes)
	if err != nil || n < 1 {
		return usageError("--max-bytes: want a size such as 256MiB")
	}
	u.maxBytes = n
	if u.Timeout <= 0 {
		return usageError("--timeout must be more than 0 (for example 30s)")
	}
	if u.Concurrency < 1 {
		return usageError("--concurrency must be at least 1")
	}
	return nil
}

func (a *app) urlCommand() *cobra.Command {
	o := &scanOptions{}
	u := &urlOptions{}
	cmd := &cobra.Command{
		Use:   "url URL...",
		Short: "Scan deployed sites: pages, their scripts and lazy chunks, and source maps",
		Long: `Scan deployed sites the way a visitor's browser loads them: each page, its scripts
(<script src>, inline scripts, modulepreload links), the chunks they load (import and
dynamic import(), webpack's chunk URLs, Next.js's build manifest) and their source maps.
A finding in a bundle is traced through its source map to the original file and line,
and named with the public variable (VITE_, NEXT_PUBLIC_, REACT_APP_…) that put it there.

Only the start URLs' origins are fetched unless --allow-host names more hosts (a CDN);
links between pages are followed to --max-depth. Everything a site serves is public: every
finding is marked as exposed.`,
		Example: `  leakstop url https://app.example.com/
  leakstop url https://app.example.com/ --allow-host cdn.example.com
  leakstop url https://staging.example.com/ --header 'Cookie: session=…' -f json -o leaks.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if err := u.validate(args); err != nil {
				return err
			}
			depth := u.MaxDepth
			if depth == 0 {
				depth = -1 // the start pages only
			}
			src := &web.Source{
				URLs: args, AllowHosts: u.AllowHosts, Header: u.header,
				MaxDepth: depth, MaxPages: u.MaxPages, MaxBytes: u.maxBytes, MaxResponse: o.maxFileSize,
				Timeout: u.Timeout, Concurrency: u.Concurrency,
				UserAgent: "leakstop/" + version + " (+https://github.com/leakstop/leakstop)",
				Logger:    a.logger(o),
			}
			return a.runScan(cmd.Context(), scanRun{opts: o, source: src})
		},
	}
	o.bind(cmd)
	u.bind(cmd)
	return cmd
}

// validHeaderName reports whether name is an HTTP token (RFC 9110, section 5.6.2).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
