package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/net/http/httpguts"

	"github.com/leakstop/leakstop/scanner/web"
)

// urlOptions are the flags and arguments of `leakstop url`.
type urlOptions struct {
	app *app
	scanOptions
	crawlFlags
	URLs []string
}

// crawlFlags are the flags of a crawl beyond those every scan shares.
type crawlFlags struct {
	AllowHosts   []string
	Headers      []string
	HeaderHosts  []string
	AllowPrivate bool
	MaxDepth     int
	MaxPages     int
	MaxBytes     string
	Timeout      time.Duration
	Concurrency  int

	header   http.Header // parsed Headers
	maxBytes int64       // parsed MaxBytes
}

func (u *crawlFlags) bind(f *pflag.FlagSet) {
	f.StringArrayVar(&u.AllowHosts, "allow-host", nil, "also fetch scripts and source maps from `HOST` (a CDN; host or host:port; repeatable)")
	f.StringArrayVar(&u.Headers, "header", nil, "send `'NAME: VALUE'` with the requests to the start URLs' sites (a cookie or token for a site behind a login; repeatable; never logged)")
	f.StringArrayVar(&u.HeaderHosts, "header-host", nil, "also send the --header values to `HOST` (one of the start URLs' or --allow-host hosts; repeatable)")
	f.BoolVar(&u.AllowPrivate, "allow-private", false, "allow fetching from loopback, private and link-local addresses (a site on your own network; refused by default)")
	f.IntVar(&u.MaxDepth, "max-depth", web.DefaultMaxDepth, "follow links between pages this many `LEVELS` from the start URLs (0: the start pages only)")
	f.IntVar(&u.MaxPages, "max-pages", web.DefaultMaxPages, "fetch at most `N` URLs in all: pages, scripts and source maps")
	f.StringVar(&u.MaxBytes, "max-bytes", sizeText(web.DefaultMaxBytes), "read at most `SIZE` in all (each response is limited by --max-file-size)")
	f.DurationVar(&u.Timeout, "timeout", web.DefaultTimeout, "give up on a request after `DURATION`, body included")
	f.IntVar(&u.Concurrency, "concurrency", web.DefaultConcurrency, "at most `N` requests in flight at once")
}

// validate checks the flags and the URLs before any request is sent. Header values are
// never repeated in messages: they may hold a token.
func (u *crawlFlags) validate(urls []string) error {
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
		if !httpguts.ValidHeaderFieldName(name) {
			return usageError("--header %q is not a valid header name", name)
		}
		value = strings.TrimSpace(value)
		if !httpguts.ValidHeaderFieldValue(value) {
			return usageError("--header %s: the value holds characters a header cannot carry", name)
		}
		u.header.Add(textproto.CanonicalMIMEHeaderKey(name), value)
	}
	for _, h := range u.AllowHosts {
		if h = strings.TrimSpace(h); h == "" || strings.ContainsAny(h, "/ ") {
			return usageError("--allow-host %q is not a host: give a name such as cdn.example.com, or host:port", h)
		}
	}
	if len(u.HeaderHosts) > 0 && len(u.Headers) == 0 {
		return usageError("--header-host names where the --header values go, and no --header is given")
	}
	for _, h := range u.HeaderHosts {
		if h = strings.TrimSpace(h); h == "" || strings.ContainsAny(h, "/ ") {
			return usageError("--header-host %q is not a host: give a name such as api.example.com, or host:port", h)
		}
		if !crawled(h, urls, u.AllowHosts) {
			return usageError("--header-host %s is not a host the crawl fetches from", h).
				withHint("add --allow-host %s too, or give one of the start URLs' hosts", h)
		}
	}
	if u.MaxDepth < 0 {
		return usageError("--max-depth must be 0 or more")
	}
	if u.MaxPages < 1 {
		return usageError("--max-pages must be at least 1")
	}
	n, err := parseSize("--max-bytes", u.MaxBytes)
	if err != nil {
		return err
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

// crawled reports whether host (a name, or host:port) is one the crawl fetches from: a start
// URL's host or an --allow-host.
func crawled(host string, urls, allowed []string) bool {
	host = strings.ToLower(strings.TrimSpace(host))
	for _, h := range allowed {
		if h = strings.ToLower(strings.TrimSpace(h)); h == host {
			return true
		}
		if name, _, err := net.SplitHostPort(host); err == nil && name == h {
			return true
		}
	}
	for _, raw := range urls {
		if u, err := web.ParseURL(raw); err == nil && (strings.EqualFold(u.Hostname(), host) || strings.EqualFold(u.Host, host)) {
			return true
		}
	}
	return false
}

func (a *app) urlCommand() *cobra.Command {
	o := &urlOptions{app: a}
	cmd := &cobra.Command{
		Use:   "url URL...",
		Short: "Scan deployed sites: pages, their scripts and lazy chunks, and source maps",
		Long: `Scan deployed sites the way a visitor's browser loads them: each page, its scripts
(<script src>, inline scripts, modulepreload links), the chunks they load (import and
dynamic import(), webpack's chunk URLs, Next.js's build manifest) and their source maps.
A finding in a bundle is traced through its source map to the original file and line,
and named with the public variable (VITE_, NEXT_PUBLIC_, REACT_APP_…) that put it there.

Only the start URLs' origins are fetched unless --allow-host names more hosts (a CDN);
links between pages are followed to --max-depth. A start URL that redirects to another host
of its own site (example.com to www.example.com) is followed there; to another site, it is
an error. --header values go to the start URLs' sites only, unless --header-host names more.
Loopback, private and link-local addresses (cloud metadata among them) are refused on every
connection, redirects included, unless --allow-private is given. Everything a site serves is
public: every finding is marked as exposed, and query values in the URLs shown are hidden.`,
		Example: `  leakstop url https://app.example.com/
  leakstop url https://app.example.com/ --allow-host cdn.example.com
  leakstop url https://staging.example.com/ --header 'Cookie: session=…' -f json -o leaks.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.URLs = args
			return runURL(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.scanOptions.bind(cmd.Flags())
	o.crawlFlags.bind(cmd.Flags())
	return cmd
}

func runURL(ctx context.Context, o *urlOptions, stdout, stderr io.Writer) error {
	if err := o.scanOptions.validate(); err != nil {
		return err
	}
	if err := o.crawlFlags.validate(o.URLs); err != nil {
		return err
	}
	a := o.app
	loaded, log, err := a.start(&o.scanOptions, stderr)
	if err != nil {
		return err
	}
	depth := o.MaxDepth
	if depth == 0 {
		depth = -1 // the start pages only
	}
	src := &web.Source{
		URLs: o.URLs, AllowHosts: o.AllowHosts, Header: o.header, HeaderHosts: o.HeaderHosts, AllowPrivate: o.AllowPrivate,
		MaxDepth: depth, MaxPages: o.MaxPages, MaxBytes: o.maxBytes, MaxResponse: o.scan.maxFileSize,
		Timeout: o.Timeout, Concurrency: o.Concurrency,
		UserAgent: "leakstop/" + version + " (+https://github.com/leakstop/leakstop)",
		Logger:    log,
	}
	return a.runScan(ctx, scanRun{opts: &o.scanOptions, rules: loaded, source: src, log: log}, stdout)
}
