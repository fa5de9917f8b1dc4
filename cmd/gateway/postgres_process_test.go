package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/internal/testkit"
	"github.com/livedesk/gateway/store/postgres"
)

// TestMigrateCommand runs `gateway migrate` against a real PostgreSQL: the first
// run applies every migration and says so, the second has nothing to do, and bad
// or unreachable URLs are clear errors.
func TestMigrateCommand(t *testing.T) {
	pg := pgtest.Start(t)
	migrate := func(env []string, args ...string) (int, string, string) {
		cmd := exec.Command(os.Args[0], append([]string{"migrate"}, args...)...)
		cmd.Env = env
		return runToExit(t, cmd, "")
	}
	code, out, errOut := migrate(nil, "--database-url", pg.URL())
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Fatalf("migrate: exit %d, stderr %q", code, errOut)
	}
	for _, m := range ms {
		if !strings.Contains(out, "applied "+m.Name) {
			t.Errorf("first migrate does not say it applied %s: %q", m.Name, out)
		}
	}
	if want := fmt.Sprintf("schema is at version %d", len(ms)); !strings.Contains(out, want) {
		t.Errorf("first migrate: %q lacks %q", out, want)
	}
	// The URL from the environment, as the gateway reads it.
	code, out, errOut = migrate([]string{"GATEWAY_DATABASE_URL=" + pg.URL()})
	if code != 0 || strings.Contains(out, "applied") || !strings.Contains(out, "nothing to apply") {
		t.Fatalf("second migrate: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut = migrate(nil); code != 2 || !strings.Contains(errOut, "--database-url is required") {
		t.Fatalf("no URL: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut = migrate(nil, "--database-url", "redis://127.0.0.1:1/0"); code != 2 || !strings.Contains(errOut, "want postgres://") {
		t.Fatalf("a Redis URL: exit %d, stderr %q", code, errOut)
	}
	pg.Stop()
	code, _, errOut = migrate(nil, "--database-url", pg.URL())
	if code != 1 || !strings.Contains(errOut, "unavailable") || strings.Contains(errOut, "panic") {
		t.Fatalf("server down: exit %d, stderr %q", code, errOut)
	}
}

// TestPostgresStoreSurvivesSIGKILL runs one gateway on PostgreSQL alone (no Redis,
// no data dir): what it acknowledged is there after a SIGKILL and a new start,
// and the owner is not created twice.
func TestPostgresStoreSurvivesSIGKILL(t *testing.T) {
	pg := pgtest.Start(t)
	args := []string{"--addr", "127.0.0.1:0", "--database-url", pg.URL(), "--data-dir", "/nonexistent/never-used",
		"--owner-email", "boss@example.com", "--owner-password", "a long password"}
	p2, tok := sitesSurviveSIGKILL(t, args...)
	code, body := testkit.DoJSON(t, "GET", p2.url+"/api/v1/agents", tok, nil)
	if agents, _ := body["agents"].([]any); code != 200 || len(agents) != 1 {
		t.Fatalf("agents after the restart: %d %v (want the one owner)", code, body)
	}
}
