package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

var resetRE = regexp.MustCompile(`Password of (\S+) reset: (\S+)`)

// TestResetPassword runs `gateway reset-password` against the store of a stopped
// gateway: the printed password logs in, the old one and the old token are
// refused; the stdin variant sets the given password; an unknown e-mail or a short
// password fails and changes nothing; a running gateway makes it fail fast.
func TestResetPassword(t *testing.T) {
	dir := t.TempDir()
	const email, oldPW = "boss@example.com", "a long password"
	args := []string{"--addr", "127.0.0.1:0", "--data-dir", dir, "--owner-email", email, "--owner-password", oldPW}
	p := startGateway(t, args...)
	_, login := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": email, "password": oldPW})
	oldTok := login["token"].(string)

	reset := func(stdin string, extra ...string) (int, string, string) {
		return runToExit(t, exec.Command(os.Args[0], append([]string{"reset-password", "--data-dir", dir}, extra...)...), stdin)
	}
	// The embedded store is one process's: the running gateway holds it.
	code, _, stderr := reset("", "--email", email)
	if code != 1 || !strings.Contains(stderr, "in use by another process") {
		t.Fatalf("reset while the gateway runs: exit %d, stderr %q", code, stderr)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}

	code, stdout, stderr := reset("", "--email", "BOSS@example.com")
	m := resetRE.FindStringSubmatch(stdout)
	if code != 0 || m == nil {
		t.Fatalf("reset: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	newPW := m[2]
	code, _, stderr = reset("", "--email", "nobody@example.com")
	if code != 1 || !strings.Contains(stderr, "no agent has that e-mail") || !strings.Contains(stderr, "nobody@example.com") {
		t.Fatalf("unknown e-mail: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = reset("short\n", "--email", email, "--password-stdin")
	if code != 1 || !strings.Contains(stderr, "at least 8 characters") {
		t.Fatalf("short password from stdin: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = reset(""); code != 2 || !strings.Contains(stderr, "--email is required") {
		t.Fatalf("no --email: exit %d, stderr %q", code, stderr)
	}

	p = startGateway(t, args...)
	tryLogin := func(pw string) int {
		code, _ := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": email, "password": pw})
		return code
	}
	if c := tryLogin(oldPW); c != 401 {
		t.Fatalf("old password after the reset: %d, want 401", c)
	}
	if c := tryLogin(newPW); c != 200 {
		t.Fatalf("printed password: %d, want 200 (the failed resets must not have changed it)", c)
	}
	if c, _ := testkit.DoJSON(t, "GET", p.url+"/api/v1/sites", oldTok, nil); c != 401 {
		t.Fatalf("token from before the reset: %d, want 401", c)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.wait(t)

	const stdinPW = "a password from stdin"
	code, stdout, stderr = reset(stdinPW+"\r\n", "--email", email, "--password-stdin")
	if code != 0 || strings.Contains(stdout, stdinPW) {
		t.Fatalf("reset from stdin: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	p = startGateway(t, args...)
	if c := tryLogin(stdinPW); c != 200 {
		t.Fatalf("password from stdin: %d, want 200", c)
	}
	if c := tryLogin(newPW); c != 401 {
		t.Fatalf("previous password after the stdin reset: %d, want 401", c)
	}
}
