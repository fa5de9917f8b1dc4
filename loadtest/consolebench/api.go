package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// apiQueries logs in to the gateway at c.api and returns the console's requests.
func apiQueries(ctx context.Context, c config) ([]query, string, error) {
	u, err := url.Parse(c.api)
	if err != nil {
		return nil, "", fmt.Errorf("-api: %w", err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, "", fmt.Errorf("-api %s: loopback only", c.api)
	}
	base := c.api + "/api/v1"
	client := &http.Client{Timeout: 10 * time.Second}
	var login struct{ Token string }
	body, _ := json.Marshal(map[string]string{"email": c.email, "password": c.password})
	if err := call(ctx, client, "POST", base+"/login", "", body, &login); err != nil {
		return nil, "", fmt.Errorf("login: %w", err)
	}
	site := c.site
	if site == "" {
		// The biggest site: the one whose 500th newest conversation is the newest,
		// (the most conversations in the same time), sampled through the API.
		var sites struct{ Sites []struct{ ID string } }
		if err := call(ctx, client, "GET", base+"/sites", login.Token, nil, &sites); err != nil {
			return nil, "", err
		}
		best := ""
		for _, st := range sites.Sites {
			var page struct{ Conversations []struct{ ID string } }
			if err := call(ctx, client, "GET", base+"/conversations?limit=500&site="+st.ID, login.Token, nil, &page); err != nil {
				return nil, "", err
			}
			if n := len(page.Conversations); n == 500 && page.Conversations[n-1].ID > best {
				best, site = page.Conversations[n-1].ID, st.ID
			}
		}
		if site == "" {
			return nil, "", fmt.Errorf("no site with 500 conversations: give -site")
		}
	}
	get := func(path func(i int) string, key string) func(context.Context, int) (int, error) {
		return func(ctx context.Context, i int) (int, error) {
			var out map[string]json.RawMessage
			if err := call(ctx, client, "GET", base+path(i), login.Token, nil, &out); err != nil {
				return 0, err
			}
			var list []json.RawMessage
			if key == "" {
				return 1, nil
			}
			err := json.Unmarshal(out[key], &list)
			return len(list), err
		}
	}
	fixed := func(p string) func(int) string { return func(int) string { return p } }
	conv := "/conversations?site=" + site
	qs := []query{{"GET conversations?site", get(fixed(conv), "conversations")}}
	for _, st := range []string{"queued", "open", "ended", "missed"} {
		qs = append(qs, query{"GET conversations?site&state=" + st, get(fixed(conv+"&state="+st), "conversations")})
	}
	off := "/sites/" + site + "/offline-messages"
	qs = append(qs,
		query{"GET conversations?site&before (deep)", get(func(i int) string { return conv + "&before=" + cursor(i, c.days) }, "conversations")},
		query{"GET conversations?site&state=ended&before", get(func(i int) string {
			return conv + "&state=ended&before=" + cursor(i, c.days)
		}, "conversations")},
		query{"GET conversations (all sites)", get(fixed("/conversations"), "conversations")},
		query{"GET offline-messages", get(fixed(off), "messages")},
		query{"GET offline-messages?state=new", get(fixed(off+"?state=new"), "messages")},
		query{"GET offline-messages?state=done", get(fixed(off+"?state=done"), "messages")},
		query{"GET offline-messages?state=new&after", get(func(i int) string { return off + "?state=new&after=" + cursor(i, c.days) }, "messages")},
		query{"GET offline-messages/counts?site", get(fixed("/offline-messages/counts?site="+site), "")},
	)
	return qs, fmt.Sprintf("HTTP API %s, site %s", c.api, site), nil
}

// call makes one request and decodes a 200 answer into out.
func call(ctx context.Context, client *http.Client, method, u, token string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %.200s", method, u, resp.Status, data)
	}
	return json.Unmarshal(data, out)
}
