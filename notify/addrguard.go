package notify

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// AllowPrivateFlag is the command-line flag that lets webhooks reach the addresses
// NonPublicClass names; error messages cite it.
const AllowPrivateFlag = "--webhook-allow-private"

// addrRange is one block of addresses that is not a public Internet destination.
type addrRange struct {
	prefix netip.Prefix
	class  string
}

// nonPublic lists the blocks webhooks may not reach unless allowed, most specific
// first (IANA special-purpose registries, RFC 6890 and successors).
var nonPublic = func() []addrRange {
	var out []addrRange
	for _, r := range []struct{ p, class string }{
		{"0.0.0.0/8", "unspecified"},
		{"10.0.0.0/8", "private"},
		{"100.64.0.0/10", "shared (CGNAT)"},
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link-local"},
		{"172.16.0.0/12", "private"},
		{"192.0.0.0/24", "reserved"},
		{"192.0.2.0/24", "documentation"},
		{"192.88.99.0/24", "reserved"},
		{"192.168.0.0/16", "private"},
		{"198.18.0.0/15", "benchmarking"},
		{"198.51.100.0/24", "documentation"},
		{"203.0.113.0/24", "documentation"},
		{"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved"}, // and 255.255.255.255, broadcast
		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"64:ff9b:1::/48", "private"},
		{"100::/64", "reserved"},
		{"2001::/32", "reserved"}, // Teredo: the IPv4 inside is hidden
		{"2001:db8::/32", "documentation"},
		{"fc00::/7", "private"},
		{"fe80::/10", "link-local"},
		{"fec0::/10", "private"},
		{"ff00::/8", "multicast"},
	} {
		out = append(out, addrRange{netip.MustParsePrefix(r.p), r.class})
	}
	return out
}()

var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
	global6 = netip.MustParsePrefix("2000::/3")
)

// NonPublicClass names the kind of address ip is when it is not a public unicast
// Internet address ("loopback", "link-local", "private", "multicast", ...), and
// returns "" for a public one. An IPv6 address that carries an IPv4 one (mapped,
// NAT64, 6to4) is judged by the IPv4 address inside; IPv6 outside 2000::/3 is
// "reserved".
func NonPublicClass(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() {
		return "invalid"
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return NonPublicClass(netip.AddrFrom4([4]byte(b[12:16])))
		case sixTo4.Contains(ip):
			return NonPublicClass(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, r := range nonPublic {
		if r.prefix.Contains(ip) {
			return r.class
		}
	}
	if ip.Is6() && !global6.Contains(ip) {
		return "reserved"
	}
	return ""
}

// BlockedAddrError is the refusal of a webhook target: Addr is a Class address and
// private targets are not allowed.
type BlockedAddrError struct {
	Host  string // the URL's host, when it is a name ("" for an IP literal)
	Addr  netip.Addr
	Class string
}

func (e *BlockedAddrError) Error() string {
	what := e.Addr.String()
	if e.Host != "" && e.Host != what {
		what = fmt.Sprintf("%s (%s)", e.Host, e.Addr)
	}
	return fmt.Sprintf("%s is a %s address; webhooks may only go to public addresses unless the gateway runs with %s", what, e.Class, AllowPrivateFlag)
}

// checkAddr returns a *BlockedAddrError when ip is not public.
func checkAddr(host string, ip netip.Addr) error {
	if c := NonPublicClass(ip); c != "" {
		return &BlockedAddrError{Host: host, Addr: ip.WithZone("").Unmap(), Class: c}
	}
	return nil
}

// guardControl is a net.Dialer Control func: it refuses to connect to a non-public
// address. It runs on the address actually being connected to, after resolution,
// so a name that resolves differently at delivery than when it was saved, or a
// redirect, cannot reach a private address.
func guardControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook dial to %q: not an IP address", address)
	}
	return checkAddr("", ap.Addr())
}

// CheckTarget is the save-time check of a webhook URL (an absolute http(s) URL;
// anything else is left to the URL's own validation and returns nil): with private
// targets refused, an IP literal host must be public, and a name must not resolve
// to any non-public address. A name that does not resolve (yet) is accepted: it
// may be created later, and delivery checks every address it connects to anyway.
func (w *Webhooks) CheckTarget(ctx context.Context, rawURL string) error {
	if w.allowPrivate {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return checkAddr("", ip)
	}
	ctx, cancel := context.WithTimeout(ctx, w.lookupTimeout)
	defer cancel()
	ips, err := w.resolver.LookupNetIP(ctx, "ip", strings.TrimSuffix(host, "."))
	if err != nil {
		return nil // not resolvable now: delivery checks what it resolves to then
	}
	for _, ip := range ips {
		if err := checkAddr(host, ip); err != nil {
			return err
		}
	}
	return nil
}
