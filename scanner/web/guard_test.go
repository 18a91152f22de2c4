package web

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"testing"
)

// TestAddressKind checks which addresses the crawl refuses, one row per range.
func TestAddressKind(t *testing.T) {
	tests := []struct {
		addr, kind string
	}{
		{"127.0.0.1", "loopback"},
		{"127.8.9.10", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"}, // IPv4-mapped
		{"169.254.169.254", "cloud metadata"},
		{"fd00:ec2::254", "cloud metadata"},
		{"169.254.1.1", "link-local"},
		{"fe80::1", "link-local"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"100.64.0.1", "shared (CGNAT)"},
		{"100.127.255.254", "shared (CGNAT)"},
		{"fc00::1", "unique-local"},
		{"fdff::1", "unique-local"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"::", "unspecified"},
		{"239.1.2.3", "multicast"},
		{"224.0.0.1", "link-local"}, // link-local multicast
		{"ff02::1", "link-local"},   // link-local multicast
		{"255.255.255.255", "broadcast"},
		{"64:ff9b::7f00:1", "loopback"}, // NAT64 of 127.0.0.1
		// Public addresses.
		{"203.0.113.10", ""},
		{"8.8.8.8", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2606:4700::1111", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
	}
	for _, tt := range tests {
		if got := addressKind(netip.MustParseAddr(tt.addr)); got != tt.kind {
			t.Errorf("addressKind(%s) = %q, want %q", tt.addr, got, tt.kind)
		}
	}
}

// TestSameSite checks which redirects of a start URL stay on its site.
func TestSameSite(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"https://example.com/", "https://www.example.com/", true},
		{"http://example.com/", "https://example.com:8443/", true},
		{"https://www.example.com/", "https://app.example.com/", true},
		{"https://example.co.uk/", "https://www.example.co.uk/", true},
		{"https://example.co.uk/", "https://other.co.uk/", false},     // a public suffix is no site
		{"https://alice.github.io/", "https://bob.github.io/", false}, // nor a private one
		{"https://example.com/", "https://example.org/", false},
		{"https://example.com/", "https://example.com.evil.test/", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:9090/", true},
		{"http://127.0.0.1/", "http://127.0.0.2/", false},
		{"http://localhost/", "http://www.localhost/", false},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := sameSite(a, b); got != tt.same {
			t.Errorf("sameSite(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

// TestShown checks how URLs are shown: query values and passwords hidden, the rest kept.
func TestShown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://maps.example.com/api/js?key=AIzaSECRET&callback=init", "https://maps.example.com/api/js?key=…&callback=…"},
		{"https://example.com/a.js?v", "https://example.com/a.js?v"},
		{"https://example.com/a.js?", "https://example.com/a.js"},
		{"https://user:hunter2@example.com/", "https://user:…@example.com/"},
		{"https://user@example.com/", "https://user@example.com/"},
		{"https://example.com/plain.js", "https://example.com/plain.js"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := shown(u); got != tt.want {
			t.Errorf("shown(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestGuardProxy checks that a proxy the environment names is connected to even on a
// private address (it is the user's own), while the same address is refused otherwise.
func TestGuardProxy(t *testing.T) {
	var dialled []string
	fake := func(_ context.Context, _, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		c, _ := net.Pipe()
		return c, nil
	}
	g := &guard{dial: fake, dialProxy: fake, resolve: func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("10.0.0.1")}, nil
	}}
	g.proxies.Store("10.0.0.1:3128", true)
	if _, err := g.DialContext(context.Background(), "tcp", "10.0.0.1:3128"); err != nil {
		t.Errorf("the proxy was refused: %v", err)
	}
	var fe *ForbiddenAddressError
	if _, err := g.DialContext(context.Background(), "tcp", "intranet.test:80"); !errors.As(err, &fe) || err.Error() != "intranet.test resolves to 10.0.0.1, a private address: not fetched" {
		t.Errorf("a private address: %v, want a ForbiddenAddressError", err)
	}
	if want := []string{"10.0.0.1:3128"}; !slices.Equal(dialled, want) {
		t.Errorf("dialled %v, want %v", dialled, want)
	}
	if err := g.control("tcp", "127.0.0.1:80", nil); !errors.As(err, &fe) {
		t.Errorf("control let 127.0.0.1 through: %v", err)
	}
}
