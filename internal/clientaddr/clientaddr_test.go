package clientaddr

import (
	"net/http"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.7,::1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		proxies TrustedProxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxy trusted: the peer", nil, "203.0.113.7:4000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"an untrusted peer's header is ignored", proxies, "203.0.113.7:4000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"a trusted peer: the client it names", proxies, "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies", proxies, "10.1.2.3:4000", []string{"198.51.100.1, 192.168.1.7, 10.9.9.9"}, "198.51.100.1"},
		{"entries left of the client are the client's", proxies, "10.1.2.3:4000", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"several headers read as one list", proxies, "10.1.2.3:4000", []string{"1.1.1.1", "198.51.100.1"}, "198.51.100.1"},
		{"an entry with a port", proxies, "10.1.2.3:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"a malformed client entry: the last trusted hop", proxies, "10.1.2.3:4000", []string{"unknown"}, "10.1.2.3"},
		{"a malformed entry behind two proxies", proxies, "10.1.2.3:4000", []string{"junk, 192.168.1.7"}, "192.168.1.7"},
		{"no header from a trusted peer", proxies, "10.1.2.3:4000", nil, "10.1.2.3"},
		{"IPv6 peer and client", proxies, "[::1]:4000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"an IPv4-mapped client", proxies, "10.1.2.3:4000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"an IPv4 peer in an IPv6 range of IPv4-mapped addresses", mustProxies(t, "::ffff:0:0/95"), "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a zoned peer", mustProxies(t, "fe80::/10"), "[fe80::1%eth0]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.remote, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := c.proxies.ClientAddr(r); got != c.want {
				t.Errorf("clientAddr = %q, want %q", got, c.want)
			}
		})
	}
}

func mustProxies(t *testing.T, s string) TrustedProxies {
	t.Helper()
	p, err := ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{" , ", nil, ""},
		{"10.0.0.0/8", []string{"10.0.0.0/8"}, ""},
		{"10.1.2.3/8, 127.0.0.1 ,::1", []string{"10.0.0.0/8", "127.0.0.1/32", "::1/128"}, ""},
		{"::ffff:127.0.0.1", []string{"127.0.0.1/32"}, ""},
		{"::ffff:10.1.0.0/112, fe80::1%eth0", []string{"10.1.0.0/16", "fe80::1/128"}, ""},
		{"10.0.0.0/33", nil, `"10.0.0.0/33" is not a CIDR range`},
		{"proxy.example.com", nil, `"proxy.example.com" is not an IP address`},
		{"127.0.0.1;10.0.0.1", nil, "is not an IP address"},
	} {
		got, err := ParseTrustedProxies(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if strings.Join(s, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q: %v, want %v", c.in, s, c.want)
		}
	}
}

// FuzzParseTrustedProxies: any input is a list of valid masked ranges or an error
// naming the bad entry, and a parsed list trusts the first address of each range.
func FuzzParseTrustedProxies(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "127.0.0.1, ::1", "::ffff:1.2.3.4/104", "1.2.3.4/", ",,", "fe80::1%eth0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTrustedProxies(s)
		if err != nil {
			if !strings.Contains(err.Error(), "is not") {
				t.Fatalf("%q: unclear error %v", s, err)
			}
			return
		}
		for _, p := range got {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("%q: range %v not valid and masked", s, p)
			}
			if a := p.Addr(); !got.Trusts(a.String()) {
				t.Fatalf("%q: %v not trusted", s, a)
			}
		}
	})
}
