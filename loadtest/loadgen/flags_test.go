package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseURLsLoopbackOnly(t *testing.T) {
	good, err := parseURLs("http://127.0.0.1:8080/, http://localhost:1 ,http://[::1]:2,http://127.9.9.9:3")
	if err != nil || len(good) != 4 || good[0].String() != "http://127.0.0.1:8080" {
		t.Fatalf("%v %v", good, err)
	}
	for _, bad := range []string{"http://10.0.0.1:8080", "http://example.com", "ftp://127.0.0.1", "", "http://0.0.0.0:80", "http://127.0.0.1.nip.io"} {
		if _, err := parseURLs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseSources(t *testing.T) {
	s, err := parseSources("127.1.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[int]string{0: "127.1.0.1", 1: "127.1.0.2", 253: "127.1.0.254", 254: "127.1.1.1", 256*254 - 1: "127.1.255.254", 256 * 254: "127.1.0.1"}
	for i, want := range cases {
		if got := s.at(i).String(); got != want {
			t.Errorf("at(%d) = %s, want %s", i, got, want)
		}
	}
	small, err := parseSources("127.200.3.0/24")
	if err != nil || small.at(254).String() != "127.200.3.1" || small.String() != "127.200.3.0/24" {
		t.Fatalf("%v %v", small, err)
	}
	if none, err := parseSources("none"); err != nil || none != nil || none.at(5) != nil || none.String() != "system" {
		t.Fatalf("none: %v %v", none, err)
	}
	for _, bad := range []string{"10.0.0.0/16", "127.1.0.0/25", "0.0.0.0/0", "::1/128", "127.1.0.0", "192.168.1.0/24"} {
		if _, err := parseSources(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Every address handed out is loopback and never .0 or .255.
	w, _ := parseSources("127.0.0.0/8")
	for i := 0; i < 3000; i += 7 {
		ip := w.at(i * 97).To4()
		if !ip.IsLoopback() || ip[3] == 0 || ip[3] == 255 {
			t.Fatalf("at(%d) = %s", i*97, ip)
		}
	}
}

func TestParseInstant(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-12-01T10:31:00Z":        now.Add(time.Minute),
		"2026-12-01T11:31:00.5+01:00": now.Add(time.Minute + 500*time.Millisecond),
		"1796121060000":               time.UnixMilli(1796121060000),
		"+90s":                        now.Add(90 * time.Second),
		"":                            {},
	} {
		got, err := parseInstant(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"1796121060", "tomorrow", "+-3s", "+3"} {
		if _, err := parseInstant(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if checkInstant(now, now) == nil || checkInstant(now.Add(time.Hour), now) == nil || checkInstant(now.Add(time.Minute), now) != nil {
		t.Fatal("checkInstant bounds")
	}
	if got := nextWholeMinute(now.Add(time.Second)); !got.Equal(now.Add(time.Minute)) || !nextWholeMinute(now).Equal(now) {
		t.Fatalf("nextWholeMinute: %v", got)
	}
}

func TestFleetFlags(t *testing.T) {
	at := nextWholeMinute(wallNow().Add(2 * time.Minute)).UTC().Format(time.RFC3339)
	base := []string{"-site", "s", "-visitor-urls", "http://127.0.0.1:1"}
	ok := func(args ...string) *config {
		t.Helper()
		c, err := parseFlags(append(base, args...))
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return c
	}
	c := ok("-scenario", "idle", "-visitors", "19000")
	if c.agents != 0 || c.sources.String() != "127.1.0.0/16" || c.wait != 10*time.Second {
		t.Fatalf("idle defaults: %+v", c)
	}
	if c := ok("-scenario", "storm"); c.wait != time.Minute {
		t.Fatalf("storm wait %s", c.wait)
	}
	if c := ok("-scenario", "fanout", "-flipper", "-token", "T"); c.agents != 1 || c.maxChats != 5 || c.flip != "mode" {
		t.Fatalf("flipper defaults: agents %d max chats %d", c.agents, c.maxChats)
	}
	if c := ok("-scenario", "fanout", "-flipper", "-token", "T", "-agents", "0"); c.agents != 0 {
		t.Fatal("-agents 0 ignored")
	}
	if c := ok("-scenario", "fanout", "-flip", "boundary", "-at", at); c.flipper || c.agents != 0 || c.at.IsZero() {
		t.Fatalf("follower: %+v", c)
	}
	for _, bad := range [][]string{
		{"-scenario", "idle", "-visitors", "20000"},
		{"-scenario", "idle", "-src", "10.1.0.0/16"},
		{"-scenario", "idle", "-at", "2020-01-01T00:00:00Z"},
		{"-scenario", "idle", "-flipper"},
		{"-scenario", "storm", "-connect-workers", "0"},
		{"-scenario", "fanout"},             // a follower needs -at
		{"-scenario", "fanout", "-flipper"}, // a flipper needs -token
		{"-scenario", "fanout", "-flip", "sideways", "-flipper", "-token", "T"},
		{"-scenario", "fanout", "-flip", "boundary", "-at", strings.Replace(at, ":00Z", ":30Z", 1)},
		{"-scenario", "chat"}, // chat still needs agents
		{"-scenario", "idle", "stray"},
	} {
		if _, err := parseFlags(append(base, bad...)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	m, err := parseFlags([]string{"-merge", "-json", "out.json", "a.json", "b.json"})
	if err != nil || !m.merge || m.jsonPath != "out.json" || strings.Join(m.mergeFiles, " ") != "a.json b.json" {
		t.Fatalf("merge: %+v %v", m, err)
	}
}

func TestDepartmentsFlags(t *testing.T) {
	base := []string{"-scenario", "departments", "-site", "s", "-visitor-urls", "http://127.0.0.1:1"}
	c, err := parseFlags(append(base, "-token", "T"))
	if err != nil {
		t.Fatal(err)
	}
	// 2,000 visitors over 5 departments: 400 each, 4 agents of 100 and one more.
	if c.departments != 5 || c.agents != 25 || c.maxChats != 100 || c.rate != 5000 || c.transferShare != 0.05 || c.msgRate != 500 {
		t.Fatalf("defaults: %+v", c)
	}
	if c, err := parseFlags(append(base, "-token", "T", "-departments", "0", "-visitors", "150", "-max-chats", "50", "-rate", "0")); err != nil ||
		c.agents != 4 || c.rate != 0 {
		t.Fatalf("no departments: %+v %v", c, err)
	}
	for _, bad := range [][]string{
		{}, // no token
		{"-agents-email-prefix", "a", "-agents-password", "p", "-token", "T"},
		{"-token", "T", "-departments", "21"},
		{"-token", "T", "-departments", "-1"},
		{"-token", "T", "-transfer-share", "1.5"},
		{"-token", "T", "-msg-rate", "0"},
		{"-token", "T", "-visitors", "10", "-msg-rate", "100"}, // 10 msg/s a visitor
		{"-token", "T", "-agents", "1"},
		{"-token", "T", "-agents", "4"}, // fewer than the departments
		{"-token", "T", "-visitors", "4990"},
	} {
		if _, err := parseFlags(append(base, bad...)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
