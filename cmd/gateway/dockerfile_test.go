package main

import (
	"os"
	"strings"
	"testing"
)

// TestDockerfileDataDirIsNonroots: no container runtime runs here, so this reads the
// Dockerfile: the final stage runs as nonroot, its data dir (GATEWAY_DATA_DIR) is
// copied in owned by nonroot before it is declared a volume (a named volume takes
// the owner of the image's directory), and the gateway's own check
// (TestUnwritableDataDirIsAClearError) names the path and uid if it is not.
func TestDockerfileDataDirIsNonroots(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages := strings.Split(string(data), "\nFROM ")
	final := stages[len(stages)-1]
	const dir = "/home/nonroot/data"
	lines := strings.Split(final, "\n")
	at := func(prefix, contains string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) && strings.Contains(l, contains) {
				return i
			}
		}
		t.Fatalf("the final stage has no %q line with %q:\n%s", prefix, contains, final)
		return -1
	}
	chown := at("COPY ", "--chown=nonroot:nonroot")
	if !strings.HasSuffix(strings.TrimSpace(lines[chown]), " "+dir) {
		t.Fatalf("the nonroot-owned COPY is not of %s: %q", dir, lines[chown])
	}
	if v := at("VOLUME", dir); v < chown {
		t.Fatalf("VOLUME %s comes before the directory is made", dir)
	}
	at("USER ", "nonroot")
	at("ENV ", "GATEWAY_DATA_DIR="+dir)
	if !strings.Contains(strings.Join(stages[:len(stages)-1], "\n"), "mkdir -p /out/data") {
		t.Fatal("the build stage does not make the data directory the final stage copies")
	}
}
