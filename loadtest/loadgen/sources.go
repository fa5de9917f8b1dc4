package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
)

// sources are the local addresses visitor sockets leave from. Linux treats all of
// 127.0.0.0/8 as this host, and an ephemeral port is unique per source address, so
// spreading sockets over many sources gets past the ~28,000 ports one address has.
type sources struct {
	cidr  string
	first uint32 // first address of the block
	hosts uint32 // usable addresses (last octet 1..254)
}

// parseSources reads -src: a loopback IPv4 block from /8 to /24 ("127.1.0.0/16"), or
// "none" to let the system choose (one source address, about 28,000 sockets per
// node at most).
func parseSources(s string) (*sources, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		return nil, fmt.Errorf("-src %q: want a CIDR block such as 127.1.0.0/16, or none", s)
	}
	ip4 := ip.To4()
	if ip4 == nil || !ip4.IsLoopback() || !n.IP.IsLoopback() {
		return nil, fmt.Errorf("-src %q: only loopback addresses (127.0.0.0/8) are allowed", s)
	}
	ones, _ := n.Mask.Size()
	if ones < 8 || ones > 24 {
		return nil, fmt.Errorf("-src %q: the block must be from /8 to /24", s)
	}
	first := binary.BigEndian.Uint32(n.IP.To4())
	return &sources{cidr: n.String(), first: first, hosts: uint32(1<<(32-ones)) / 256 * 254}, nil
}

// at is the source address of socket i: consecutive sockets use consecutive
// addresses, skipping .0 and .255, and wrap around the block.
func (s *sources) at(i int) net.IP {
	if s == nil {
		return nil
	}
	k := uint32(i) % s.hosts
	v := s.first + k/254*256 + 1 + k%254
	out := make(net.IP, 4)
	binary.BigEndian.PutUint32(out, v)
	return out
}

func (s *sources) String() string {
	if s == nil {
		return "system"
	}
	return s.cidr
}
