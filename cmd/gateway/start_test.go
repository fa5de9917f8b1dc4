package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

// runToExit runs the gateway binary (this test binary, see TestMain) with args and
// stdin until it exits, and returns its exit code, stdout and stderr.
func runToExit(t *testing.T, cmd *exec.Cmd, stdin string) (int, string, string) {
	t.Helper()
	cmd.Env = append(append(os.Environ(), "GATEWAY_TEST_MAIN=1"), cmd.Env...) // cmd's own last: they win
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, &stderr, strings.NewReader(stdin)
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("%v did not exit within 60 s; stderr:\n%s", cmd.Args, stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// TestBusyPortStartCreatesNothing: a first start whose port is taken fails naming
// the address and leaves no store behind; the next start, on a free port, creates
// the owner, prints its password, and that password logs in. The owner (and the
// demo site) carry their creation time.
func TestBusyPortStartCreatesNothing(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	dir := filepath.Join(t.TempDir(), "data")
	addr := held.Addr().String()
	code, stdout, stderr := runToExit(t, exec.Command(os.Args[0], "--demo", "--addr", addr, "--data-dir", dir), "")
	if code == 0 || !strings.Contains(stderr, "--addr "+addr) || !strings.Contains(stderr, "address already in use") {
		t.Fatalf("start on a busy port: exit %d, stderr %q; want non-zero and a message naming %s", code, stderr, addr)
	}
	if strings.Contains(stdout, "Owner account") {
		t.Fatalf("a start that could not serve printed the owner:\n%s", stdout)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a start that could not serve left files in the data dir: %v", entries)
	}

	start := time.Now().UTC().Add(-time.Minute)
	p := startGateway(t, "--demo", "--addr", "127.0.0.1:0", "--data-dir", dir)
	m := ownerRE.FindStringSubmatch(p.banner)
	if m == nil {
		t.Fatalf("the start that serves does not print the owner's password:\n%s", p.banner)
	}
	code, login := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": m[1], "password": m[2]})
	if code != 200 {
		t.Fatalf("owner login with the printed password: %d %v", code, login)
	}
	tok := login["token"].(string)
	owner := login["agent"].(map[string]any)
	checkStamped(t, "owner", owner, start)
	_, sites := testkit.DoJSON(t, "GET", p.url+"/api/v1/sites", tok, nil)
	checkStamped(t, "demo site", sites["sites"].([]any)[0].(map[string]any), start)
	code, agent := testkit.DoJSON(t, "POST", p.url+"/api/v1/agents", tok, map[string]any{"email": "a@example.com", "name": "A", "password": "a long password"})
	if code != 201 {
		t.Fatalf("create agent: %d %v", code, agent)
	}
	checkStamped(t, "agent", agent, start)
}

// checkStamped fails unless v's created_at and updated_at are set, after since.
func checkStamped(t *testing.T, what string, v map[string]any, since time.Time) {
	t.Helper()
	for _, k := range []string{"created_at", "updated_at"} {
		s, _ := v[k].(string)
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || at.Before(since) {
			t.Errorf("%s %s = %q, want a time after %s", what, k, s, since)
		}
	}
}

// TestUnwritableDataDirIsAClearError is the Docker case: the data dir exists and
// belongs to another user. The start fails before binding, naming the path and
// the user id. Tests run as root, whom permission bits do not stop, so the child
// then runs as uid 65534 (nobody) against a root-owned 0755 dir.
func TestUnwritableDataDirIsAClearError(t *testing.T) {
	base, err := os.MkdirTemp("", "gateway-datadir-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	dir := filepath.Join(base, "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := os.Args[0]
	uid := os.Getuid()
	var cred *syscall.Credential
	if uid == 0 {
		uid = 65534
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		// nobody must reach the binary: a copy in a directory it can read.
		if err := os.Chmod(base, 0o755); err != nil {
			t.Fatal(err)
		}
		bin = filepath.Join(base, "gateway")
		copyFile(t, os.Args[0], bin, 0o755)
	} else if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	// The port is held too: the data dir must be what the start trips on first.
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	cmd := exec.Command(bin, "--addr", held.Addr().String(), "--data-dir", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = base
	code, _, stderr := runToExit(t, cmd, "")
	want := []string{"--data-dir " + dir, "user id " + strconv.Itoa(uid)}
	for _, w := range want {
		if code != 1 || !strings.Contains(stderr, w) {
			t.Fatalf("start with an unwritable data dir: exit %d, stderr %q; want exit 1 and %q", code, stderr, w)
		}
	}
	if strings.Contains(stderr, "address already in use") {
		t.Fatalf("the listener was tried before the data dir: %q", stderr)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
