package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

// TestMain lets the tests run this very binary as the gateway: with
// GATEWAY_TEST_MAIN=1 it is main() and nothing else.
func TestMain(m *testing.M) {
	if os.Getenv("GATEWAY_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// gatewayProc is the gateway running as a child process.
type gatewayProc struct {
	cmd    *exec.Cmd
	url    string
	banner string
	stderr *bytes.Buffer
	done   chan error
}

var listenRE = regexp.MustCompile(`Gateway listening on (http://\S+)`)

// startGateway runs the gateway with args and waits for its banner (the blank line
// after it). It is killed at the end of the test if still running.
func startGateway(t *testing.T, args ...string) *gatewayProc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GATEWAY_TEST_MAIN=1")
	p := &gatewayProc{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		p.done <- cmd.Wait()
	}()
	var banner strings.Builder
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("gateway exited before its banner; stderr:\n%s", p.stderr)
			}
			banner.WriteString(l + "\n")
			if m := listenRE.FindStringSubmatch(l); m != nil {
				p.url = m[1]
			}
			if l == "" && p.url != "" && strings.Count(banner.String(), "\n") > 2 {
				p.banner = banner.String()
				go func() {
					for range lines {
					}
				}()
				return p
			}
		case <-timeout:
			t.Fatalf("no banner within 30 s; got %q; stderr:\n%s", banner.String(), p.stderr)
		}
	}
}

func (p *gatewayProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("gateway did not exit within 30 s; stderr:\n%s", p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

var ownerRE = regexp.MustCompile(`Owner account created: (\S+)\s+password: (\S+)`)

// TestRunCommandAsANewUser runs the README's run command (--demo, embedded store,
// generated owner password) and does what a new user would: health, the demo page,
// the owner's login, then SIGTERM, which must exit 0.
func TestRunCommandAsANewUser(t *testing.T) {
	dir := t.TempDir()
	p := startGateway(t, "--demo", "--addr", "127.0.0.1:0", "--data-dir", dir)
	m := ownerRE.FindStringSubmatch(p.banner)
	if m == nil {
		t.Fatalf("banner does not print the owner account:\n%s", p.banner)
	}
	email, password := m[1], m[2]
	if code, _ := testkit.DoJSON(t, "GET", p.url+"/healthz", "", nil); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	resp, err := http.Get(p.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte(`data-site="`)) {
		t.Fatalf("demo page: %d\n%s", resp.StatusCode, page)
	}
	code, login := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": email, "password": password})
	if code != 200 {
		t.Fatalf("owner login: %d %v", code, login)
	}
	code, sites := testkit.DoJSON(t, "GET", p.url+"/api/v1/sites", login["token"].(string), nil)
	if code != 200 || len(sites["sites"].([]any)) != 1 {
		t.Fatalf("demo site missing: %d %v", code, sites)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0; stderr:\n%s", code, p.stderr)
	}
	// A second start keeps the owner and says where its password went.
	p2 := startGateway(t, "--demo", "--addr", "127.0.0.1:0", "--data-dir", dir)
	if !strings.Contains(p2.banner, "Owner account: "+email) {
		t.Fatalf("second start banner:\n%s", p2.banner)
	}
	code, _ = testkit.DoJSON(t, "POST", p2.url+"/api/v1/login", "", map[string]string{"email": email, "password": password})
	if code != 200 {
		t.Fatalf("owner login after restart: %d", code)
	}
}

// TestAcknowledgedWriteSurvivesSIGKILL kills the gateway right after a 201 and finds
// the record after a restart.
func TestAcknowledgedWriteSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	sitesSurviveSIGKILL(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--owner-email", "boss@example.com", "--owner-password", "a long password")
}

// sitesSurviveSIGKILL starts the gateway with args (an owner boss@example.com with
// the password "a long password"), creates five sites, SIGKILLs it, starts it again
// and checks that every site it acknowledged is there; it returns the second
// process and the owner's token.
func sitesSurviveSIGKILL(t *testing.T, args ...string) (*gatewayProc, string) {
	t.Helper()
	p := startGateway(t, args...)
	_, login := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": "boss@example.com", "password": "a long password"})
	tok, _ := login["token"].(string)
	if tok == "" {
		t.Fatalf("login: %v", login)
	}
	var ids []string
	for i := 0; i < 5; i++ {
		code, site := testkit.DoJSON(t, "POST", p.url+"/api/v1/sites", tok, map[string]any{"name": fmt.Sprintf("Site %d", i)})
		if code != 201 {
			t.Fatalf("create site: %d %v", code, site)
		}
		ids = append(ids, site["id"].(string))
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	p2 := startGateway(t, args...)
	for _, id := range ids {
		if code, site := testkit.DoJSON(t, "GET", p2.url+"/api/v1/sites/"+id, tok, nil); code != 200 {
			t.Fatalf("site %s lost after SIGKILL: %d %v", id, code, site)
		}
	}
	return p2, tok
}

func TestBadStartFailsWithAClearMessage(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
		code int
		want string
	}{
		{[]string{"--bogus"}, "", 2, "flag provided but not defined: -bogus"},
		{[]string{"--log-format", "xml"}, "", 2, "--log-format"},
		{nil, "GATEWAY_ADDR=nonsense", 2, "--addr"},
		{[]string{"--addr", "127.0.0.1:0", "--data-dir", "/proc/not-writable"}, "", 1, "gateway:"},
	} {
		cmd := exec.Command(os.Args[0], c.args...)
		cmd.Env = append(os.Environ(), "GATEWAY_TEST_MAIN=1")
		if c.env != "" {
			cmd.Env = append(cmd.Env, c.env)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run()
		if got := cmd.ProcessState.ExitCode(); got != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v %s: exit %d, stderr %q; want exit %d and %q", c.args, c.env, got, stderr.String(), c.code, c.want)
		}
	}
}
