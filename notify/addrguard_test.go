package notify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/webhooktest"
)

// loopbackWebhooks is the poster of the tests: their receivers run on loopback, so
// private targets are allowed.
func loopbackWebhooks(timeout time.Duration) *Webhooks {
	return NewWebhooks(WebhookOptions{Timeout: timeout, UserAgent: "test", AllowPrivate: true, Resolver: webhooktest.HostsOnlyResolver()})
}

// guardedWebhooks refuses private targets, as the gateway does by default; names
// resolve from /etc/hosts only.
func guardedWebhooks(timeout time.Duration) *Webhooks {
	return NewWebhooks(WebhookOptions{Timeout: timeout, UserAgent: "test", Resolver: webhooktest.HostsOnlyResolver()})
}

func TestNonPublicClass(t *testing.T) {
	for _, c := range []struct{ ip, class string }{
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"169.254.169.254", "link-local"},
		{"169.254.0.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"febf::1", "link-local"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"::ffff:10.0.0.1", "private"},
		{"64:ff9b::a00:1", "private"},        // NAT64 of 10.0.0.1
		{"2002:c0a8:101::1", "private"},      // 6to4 of 192.168.1.1
		{"64:ff9b::a9fe:a9fe", "link-local"}, // NAT64 of 169.254.169.254
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"100.64.0.1", "shared (CGNAT)"},
		{"100.127.255.255", "shared (CGNAT)"},
		{"255.255.255.255", "reserved"},
		{"240.0.0.1", "reserved"},
		{"192.0.2.1", "documentation"},
		{"2001:db8::1", "documentation"},
		{"198.18.0.1", "benchmarking"},
		{"::a00:1", "reserved"}, // IPv4-compatible, outside 2000::/3
		// public
		{"8.8.8.8", ""},
		{"93.184.216.34", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"169.255.0.1", ""},
		{"2606:4700:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
	} {
		ip := netip.MustParseAddr(c.ip)
		if got := NonPublicClass(ip); got != c.class {
			t.Errorf("NonPublicClass(%s) = %q, want %q", c.ip, got, c.class)
		}
	}
}

func TestCheckTargetRefusesNonPublicHosts(t *testing.T) {
	guarded := guardedWebhooks(time.Second)
	ctx := context.Background()
	for _, u := range []string{"http://127.0.0.1:8080/x", "https://[::1]/x", "http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.5/", "http://[fd00::1]:9000/", "http://localhost:1234/hook", "http://LOCALHOST./hook"} {
		err := guarded.CheckTarget(ctx, u)
		var b *BlockedAddrError
		if !errors.As(err, &b) || !strings.Contains(err.Error(), AllowPrivateFlag) {
			t.Errorf("CheckTarget(%s) = %v, want a refusal naming %s", u, err, AllowPrivateFlag)
		}
	}
	for _, u := range []string{"https://93.184.216.34/hook", "https://hooks.example/x", "ftp://127.0.0.1/", "not a url"} {
		if err := guarded.CheckTarget(ctx, u); err != nil {
			t.Errorf("CheckTarget(%s) = %v, want nil", u, err)
		}
	}
	if err := loopbackWebhooks(time.Second).CheckTarget(ctx, "http://127.0.0.1/"); err != nil {
		t.Errorf("with private targets allowed: %v", err)
	}
}

// With private targets refused, the dial itself is refused: the receiver, on
// loopback, gets nothing, and the error names the address and the flag.
func TestGuardRefusesLoopbackAtDialTime(t *testing.T) {
	hook := webhooktest.Start(t)
	port := hook.URL[strings.LastIndex(hook.URL, ":"):]
	guarded := guardedWebhooks(5 * time.Second)
	for _, u := range []string{hook.URL, "http://localhost" + port} {
		err := guarded.Post(context.Background(), u, "k", &WebhookBody{ID: "e1", Type: TypeStatusChanged})
		var b *BlockedAddrError
		if !errors.As(err, &b) || b.Class != "loopback" || !strings.Contains(err.Error(), "not sent") || !strings.Contains(err.Error(), AllowPrivateFlag) {
			t.Fatalf("Post(%s) = %v, want a loopback refusal", u, err)
		}
	}
	if n := len(hook.Requests()); n != 0 {
		t.Fatalf("receiver got %d requests", n)
	}
	if err := loopbackWebhooks(5*time.Second).Post(context.Background(), hook.URL, "k", &WebhookBody{ID: "e2", Type: TypeStatusChanged}); err != nil {
		t.Fatalf("allowed: %v", err)
	}
}

// A redirect is not followed: the attempt fails with the 3xx and the target of the
// redirect gets nothing.
func TestWebhookDoesNotFollowRedirects(t *testing.T) {
	target := webhooktest.Start(t)
	mover := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer mover.Close()
	err := loopbackWebhooks(5*time.Second).Post(context.Background(), mover.URL, "k", &WebhookBody{ID: "e1", Type: TypeStatusChanged})
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Fatalf("Post = %v, want the 307 as the error", err)
	}
	if n := len(target.Requests()); n != 0 {
		t.Fatalf("redirect target got %d requests", n)
	}
}

// Any address: an IPv4-mapped IPv6 address is judged as its IPv4 address, a zone
// changes nothing, and CheckTarget never panics on any URL built around it.
func FuzzNonPublicClass(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "8.8.8.8", "169.254.169.254", "10.0.0.1", "100.64.0.1", "255.255.255.255"} {
		f.Add(netip.MustParseAddr(s).AsSlice())
	}
	guarded := guardedWebhooks(time.Second)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var b [4]byte
		copy(b[:], raw)
		v4 := netip.AddrFrom4(b)
		mapped := netip.AddrFrom16(v4.As16())
		if a, m := NonPublicClass(v4), NonPublicClass(mapped); a != m {
			t.Fatalf("%s is %q but %s is %q", v4, a, mapped, m)
		}
		v6 := netip.AddrFrom16([16]byte{0xfe, 0x80, 15: b[3]})
		if NonPublicClass(v6.WithZone("eth0")) != NonPublicClass(v6) {
			t.Fatalf("zone changes the class of %s", v6)
		}
		err := guarded.CheckTarget(context.Background(), "http://"+v4.String()+"/hook")
		if (err == nil) != (NonPublicClass(v4) == "") {
			t.Fatalf("CheckTarget(%s) = %v with class %q", v4, err, NonPublicClass(v4))
		}
	})
}
