// Package clientaddr says which address a request comes from: the peer, or the
// client a trusted proxy names in X-Forwarded-For (--trusted-proxies).
package clientaddr

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies is the set of peer ranges whose X-Forwarded-For is believed
// (--trusted-proxies). The zero value trusts no one: the client is the peer.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a comma-separated list of CIDR ranges or single
// addresses ("10.0.0.0/8, 192.168.1.7"); an empty string is no proxy.
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR range (want e.g. 10.0.0.0/8)", part)
			}
			if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR range", part)
		}
		a = a.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Trusts reports whether ip (in any form net/netip parses; an IPv4 address also as
// its IPv4-mapped IPv6 form, a zone ignored) is in a trusted range.
func (tp TrustedProxies) Trusts(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	mapped := netip.AddrFrom16(a.As16())
	for _, p := range tp {
		if p.Contains(a) || (a.Is4() && p.Contains(mapped)) {
			return true
		}
	}
	return false
}

// PeerHost is the IP of a "host:port" remote address (the string itself when it
// has no port).
func PeerHost(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

// ClientAddr is the address a request is counted on (login limits, per-address
// caps): the peer, unless the peer is a trusted proxy; then it is the rightmost
// X-Forwarded-For entry that is not itself a trusted proxy (entries left of it were
// written by the client and prove nothing). An entry may be "ip" or "ip:port"; a
// malformed one where the client should be falls back to the last trusted hop.
func (tp TrustedProxies) ClientAddr(r *http.Request) string {
	peer := PeerHost(r.RemoteAddr)
	if len(tp) == 0 || !tp.Trusts(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		a, err := netip.ParseAddr(h)
		if err != nil {
			ap, perr := netip.ParseAddrPort(h) // some proxies write "ip:port"
			if perr != nil {
				return last
			}
			a = ap.Addr()
		}
		h = a.Unmap().String()
		if !tp.Trusts(h) {
			return h
		}
		last = h
	}
	return last
}
