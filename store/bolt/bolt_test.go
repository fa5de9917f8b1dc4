package bolt_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
	"github.com/livedesk/gateway/store/storetest"
)

func openT(t testing.TB, dir string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := openT(t, t.TempDir())
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	s := openT(t, dir)
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Fatalf("data dir mode %v, want 0700", perm)
	}
	if _, err := os.Stat(filepath.Join(dir, bolt.FileName)); err != nil {
		t.Fatalf("database file: %v", err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openT(t, dir)
	site := &store.Site{Name: "Shop", Mode: store.ModeAuto, AllowedOrigins: []string{"https://shop.example"}}
	must(t, s.CreateSite(ctx, site))
	owner := &store.Agent{Email: "Owner@Shop.Example", Role: store.RoleOwner, Name: "O"}
	must(t, s.CreateAgent(ctx, owner))
	conv := &store.Conversation{SiteID: site.ID, VisitorID: "v1", State: store.StateQueued}
	must(t, s.CreateConversation(ctx, conv))
	for i := range 3 {
		_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: fmt.Sprint(i), ClientID: fmt.Sprint("c", i)})
		must(t, err)
	}
	off, _, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: site.ID, VisitorID: "v1", Message: "hi", ClientID: "o1"})
	must(t, err)
	must(t, s.PutSetting(ctx, "secret", []byte("xyz")))
	must(t, s.Close())
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after Close: got %v, want ErrUnavailable", err)
	}

	s = openT(t, dir)
	defer s.Close()
	gotSite, err := s.GetSite(ctx, site.ID)
	must(t, err)
	if gotSite.Name != "Shop" || len(gotSite.AllowedOrigins) != 1 {
		t.Fatalf("site after reopen: %+v", gotSite)
	}
	gotOwner, err := s.GetAgentByEmail(ctx, "owner@shop.example")
	must(t, err)
	if gotOwner.ID != owner.ID {
		t.Fatalf("agent by e-mail after reopen: %+v", gotOwner)
	}
	if err := s.DeleteAgent(ctx, owner.ID); !errors.Is(err, store.ErrLastOwner) {
		t.Fatalf("DeleteAgent of the last owner after reopen: %v", err)
	}
	convs, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: site.ID, State: store.StateQueued})
	must(t, err)
	if len(convs) != 1 || convs[0].LastSeq != 3 {
		t.Fatalf("queued conversations after reopen: %+v", convs)
	}
	_, dup, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "again", ClientID: "c1"})
	must(t, err)
	if !dup {
		t.Fatal("client id index lost on reopen")
	}
	m, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "next"})
	must(t, err)
	if m.Seq != 4 {
		t.Fatalf("Seq after reopen: %d, want 4", m.Seq)
	}
	msgs, err := s.ListMessages(ctx, conv.ID, 0, 0)
	must(t, err)
	if len(msgs) != 4 {
		t.Fatalf("messages after reopen: %d, want 4", len(msgs))
	}
	offs, err := s.ListOfflineMessages(ctx, site.ID, "", 0)
	must(t, err)
	if len(offs) != 1 || offs[0].ID != off.ID {
		t.Fatalf("offline messages after reopen: %+v", offs)
	}
	v, err := s.GetSetting(ctx, "secret")
	must(t, err)
	if string(v) != "xyz" {
		t.Fatalf("setting after reopen: %q", v)
	}
}

func TestSecondOpenFails(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	start := time.Now()
	s2, err := bolt.Open(dir)
	if err == nil {
		s2.Close()
		t.Fatal("second Open of a data dir in use succeeded")
	}
	if !strings.Contains(err.Error(), "data dir is in use by another process") {
		t.Fatalf("second Open: unclear error %q", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("second Open took %v to fail", d)
	}
	must(t, s.Close())
	s = openT(t, dir)
	must(t, s.Close())
}

const helperEnv = "STORE_HELPER_DIR"

// TestHelperProcess is not a test: TestCrashKeepsAcknowledgedWrites runs the test
// binary again with only this function and helperEnv set. It writes until killed and
// prints "ack N" after write N returned nil.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		return
	}
	ctx := context.Background()
	s, err := bolt.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	conv := &store.Conversation{ID: "crash-conv", SiteID: "crash-site", State: store.StateOpen}
	if err := s.CreateConversation(ctx, conv); err != nil {
		fmt.Fprintln(os.Stderr, "create conversation:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	for n := 1; n <= 1_000_000; n++ {
		if err := s.CreateSite(ctx, &store.Site{ID: crashSiteID(n), Name: fmt.Sprint("site ", n)}); err != nil {
			fmt.Fprintln(os.Stderr, "create site:", err)
			os.Exit(2)
		}
		m, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: fmt.Sprint("message ", n), ClientID: fmt.Sprint(n)})
		if err != nil || m.Seq != int64(n) {
			fmt.Fprintln(os.Stderr, "append:", m, err)
			os.Exit(2)
		}
		fmt.Fprintf(out, "ack %d\n", n)
		if err := out.Flush(); err != nil { // the parent is gone
			os.Exit(3)
		}
	}
	os.Exit(0)
}

func crashSiteID(n int) string { return fmt.Sprintf("site-%07d", n) }

func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	const killAfter = 50
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())

	lastAck, killed := 0, false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		rest, found := strings.CutPrefix(sc.Text(), "ack ")
		if !found {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n != lastAck+1 {
			t.Fatalf("helper printed %q after ack %d", sc.Text(), lastAck)
		}
		lastAck = n
		if n == killAfter && !killed {
			// Acks already in the pipe still count: read on to EOF.
			must(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("helper timed out after %d acks; stderr:\n%s", lastAck, stderr.String())
	}
	if !killed {
		t.Fatalf("helper ended after %d acks without being killed (%v); stderr:\n%s", lastAck, err, stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper did not die of SIGKILL: %v; stderr:\n%s", err, stderr.String())
	}
	t.Logf("helper killed after %d acknowledged writes", lastAck)

	s := openT(t, dir)
	defer s.Close()
	for n := 1; n <= lastAck; n++ {
		site, err := s.GetSite(ctx, crashSiteID(n))
		if err != nil {
			t.Fatalf("acknowledged site %d lost: %v", n, err)
		}
		if site.Name != fmt.Sprint("site ", n) {
			t.Fatalf("site %d: %+v", n, site)
		}
	}
	msgs, err := s.ListMessages(ctx, "crash-conv", 0, 1000)
	must(t, err)
	if len(msgs) < lastAck {
		t.Fatalf("%d messages survived, %d were acknowledged", len(msgs), lastAck)
	}
	for i, m := range msgs {
		if m.Seq != int64(i+1) || m.Text != fmt.Sprint("message ", i+1) {
			t.Fatalf("message %d after the crash: %+v", i+1, m)
		}
	}
	conv, err := s.GetConversation(ctx, "crash-conv")
	must(t, err)
	if conv.LastSeq != int64(len(msgs)) {
		t.Fatalf("LastSeq %d with %d messages", conv.LastSeq, len(msgs))
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkAppendMessage(b *testing.B) {
	s := openT(b, b.TempDir())
	defer s.Close()
	storetest.BenchmarkAppendMessage(b, s)
}

func BenchmarkAppendLive(b *testing.B) {
	s := openT(b, b.TempDir())
	defer s.Close()
	storetest.BenchmarkAppendLive(b, s)
}

func BenchmarkStartChat(b *testing.B) {
	s := openT(b, b.TempDir())
	defer s.Close()
	storetest.BenchmarkStartChat(b, s)
}
