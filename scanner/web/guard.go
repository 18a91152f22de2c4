package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// ForbiddenAddressError is a connection the crawl refused to make: the address is
// loopback, link-local (cloud metadata among them), private, shared (CGNAT), unique-local
// or otherwise not on the public internet, and the crawl was not allowed such addresses. It
// is checked on the address each connection is made to, after the name is resolved, so a
// redirect or a name that resolves to such an address (DNS rebinding) is refused as surely
// as a URL that names it.
type ForbiddenAddressError struct {
	// Host is the name that was resolved, or the address itself.
	Host string
	// Addr is the address refused.
	Addr netip.Addr
	// Kind says what the address is: "loopback", "link-local", "private"….
	Kind string
}

func (e *ForbiddenAddressError) Error() string {
	what := e.Addr.String() + " is " + article(e.Kind) + " " + e.Kind + " address"
	if e.Host != "" && e.Host != e.Addr.String() {
		what = e.Host + " resolves to " + e.Addr.String() + ", " + article(e.Kind) + " " + e.Kind + " address"
	}
	return what + ": not fetched"
}

// Hint says why, and what to do for a site on one's own network.
func (e *ForbiddenAddressError) Hint() string {
	return "leakstop does not fetch loopback, private or link-local addresses unless told to: allow private addresses to scan a site on your own network"
}

func article(kind string) string {
	switch kind[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an"
	}
	return "a"
}

var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	nat64       = netip.MustParsePrefix("64:ff9b::/96")
	metadataV4  = netip.MustParseAddr("169.254.169.254")
	metadataV6  = netip.MustParseAddr("fd00:ec2::254")
)

// addressKind says what kind of address a is when it is not one on the public internet, or
// "" when it is.
func addressKind(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() && nat64.Contains(a) {
		// A NAT64 address carries an IPv4 address in its last 32 bits.
		b := a.As16()
		if k := addressKind(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); k != "" {
			return k
		}
	}
	switch {
	case a == metadataV4 || a == metadataV6:
		return "cloud metadata"
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsPrivate() && a.Is6():
		return "unique-local"
	case a.IsPrivate():
		return "private"
	case cgnat.Contains(a):
		return "shared (CGNAT)"
	case a.IsUnspecified(), a.Is4() && thisNetwork.Contains(a):
		return "unspecified"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	return ""
}

// guard makes the crawl's connections: it resolves a host, refuses the addresses the crawl
// may not reach, and connects to an address it checked, so that what is checked is what is
// reached. A proxy the environment names is the user's own choice: it is connected to as it
// is, and the host asked of it is checked on its addresses as resolved here.
type guard struct {
	allowPrivate bool
	resolve      func(ctx context.Context, host string) ([]netip.Addr, error)
	// dial connects to a checked address; dialProxy to a proxy of the environment.
	dial, dialProxy func(ctx context.Context, network, addr string) (net.Conn, error)
	// useProxy says whether the environment's proxy is used: not when the connections are
	// the caller's (Source.Dial, Source.Resolve), which route every name themselves.
	useProxy bool

	proxies sync.Map // host:port of the proxies named by the environment
}

func newGuard(s *Source) *guard {
	g := &guard{allowPrivate: s.AllowPrivate, resolve: s.Resolve, dial: s.Dial, dialProxy: s.Dial,
		useProxy: s.Dial == nil && s.Resolve == nil}
	if g.resolve == nil {
		g.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if g.dial == nil {
		checked := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
		plain := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		g.dial, g.dialProxy = checked.DialContext, plain.DialContext
	}
	return g
}

// check refuses an address the crawl may not reach; host is the name it was resolved from.
func (g *guard) check(host string, a netip.Addr) error {
	if g.allowPrivate {
		return nil
	}
	if k := addressKind(a); k != "" {
		return &ForbiddenAddressError{Host: host, Addr: a.Unmap(), Kind: k}
	}
	return nil
}

// lookup returns the addresses of host: itself when it is an address.
func (g *guard) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%s has no address", host)
	}
	return addrs, nil
}

// DialContext connects to addr (host:port) through an address of host that the crawl may
// reach, trying each in turn; when none may be reached, the first refusal is the error.
func (g *guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, ok := g.proxies.Load(addr); ok {
		return g.dialProxy(ctx, network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	addrs, err := g.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var first error
	for _, a := range addrs {
		if err := g.check(host, a); err != nil {
			first = cmpErr(first, err)
			continue
		}
		conn, err := g.dial(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		first = cmpErr(first, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// cmpErr keeps the first error, and a refusal over any other: it says more.
func cmpErr(first, err error) error {
	var fe *ForbiddenAddressError
	if first == nil || (errors.As(err, &fe) && !errors.As(first, &fe)) {
		return err
	}
	return first
}

// control checks the address a socket connects to, once more, as the kernel is given it:
// whatever path led there, a forbidden address is not connected to.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("connecting to %s: not an address", address)
	}
	return g.check("", ap.Addr())
}

// proxy is the transport's Proxy: the environment's proxy for req, if any, remembered as
// one to connect to; the host asked of it is checked as a connection to it would be.
func (g *guard) proxy(req *http.Request) (*url.URL, error) {
	if !g.useProxy {
		return nil, nil
	}
	p, err := http.ProxyFromEnvironment(req)
	if err != nil || p == nil {
		return p, err
	}
	g.proxies.Store(proxyAddr(p), true)
	if !g.allowPrivate {
		addrs, err := g.lookup(req.Context(), req.URL.Hostname())
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if err := g.check(req.URL.Hostname(), a); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// proxyAddr is the host:port a proxy URL is connected to, as net/http makes it.
func proxyAddr(p *url.URL) string {
	port := p.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[p.Scheme]
	}
	return net.JoinHostPort(p.Hostname(), port)
}
