package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// agentCred is an agent the load generator logs in and connects.
type agentCred struct {
	id              string // set when the load generator created the agent
	email, password string
	token           string
	base            *url.URL // node its socket connects to
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// httpClientFrom returns a client whose connections leave from local address ip (on
// Linux all of 127.0.0.0/8 is loopback). The gateway limits logins per client address
// (10 at once, then 20 a minute), so logging in many agents spreads them over several
// source addresses.
func httpClientFrom(ip net.IP) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if ip != nil {
		d.LocalAddr = &net.TCPAddr{IP: ip}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// sourceIP is the i-th spare loopback source address, or nil when base is not an IPv4
// loopback literal.
func sourceIP(base *url.URL, i int) net.IP {
	ip := net.ParseIP(base.Hostname()).To4()
	if ip == nil || !ip.IsLoopback() {
		return nil
	}
	return net.IPv4(127, 0, byte(1+i/200), byte(10+i%200))
}

func apiCall(ctx context.Context, c *http.Client, base *url.URL, method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base.String()+"/api/v1"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return &httpError{status: resp.StatusCode, body: string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// prepareAgents creates (or names) cfg.agents agents serving the site with max_chats
// cfg.maxChats, and logs each in on one of the agent nodes.
func prepareAgents(ctx context.Context, cfg *config) ([]*agentCred, error) {
	creds := make([]*agentCred, cfg.agents)
	run := randHex(4)
	for i := range creds {
		creds[i] = &agentCred{base: cfg.agentURLs[i%len(cfg.agentURLs)]}
		if cfg.emailPrefix != "" {
			creds[i].email = fmt.Sprintf("%s%d@example.com", cfg.emailPrefix, i+1)
			creds[i].password = cfg.agentPassword
		} else {
			creds[i].email = fmt.Sprintf("loadgen-%s-%d@example.com", run, i+1)
			creds[i].password = "lg-" + randHex(12)
		}
	}
	err := parallel(ctx, len(creds), 4, func(i int) error {
		a := creds[i]
		if cfg.emailPrefix == "" {
			body := map[string]any{"email": a.email, "name": fmt.Sprintf("Load agent %d", i+1), "password": a.password,
				"sites": []string{cfg.site}, "max_chats": cfg.maxChats}
			var created struct {
				ID string `json:"id"`
			}
			if err := apiCall(ctx, httpClientFrom(nil), cfg.agentURLs[0], "POST", "/agents", cfg.token, body, &created); err != nil {
				return fmt.Errorf("create agent %s: %w", a.email, err)
			}
			a.id = created.ID
		}
		var out struct {
			Token string `json:"token"`
		}
		c := httpClientFrom(sourceIP(a.base, i))
		for attempt := 0; ; attempt++ {
			err := apiCall(ctx, c, a.base, "POST", "/login", "", map[string]string{"email": a.email, "password": a.password}, &out)
			if he, ok := err.(*httpError); ok && he.status == http.StatusTooManyRequests && attempt < 10 {
				time.Sleep(3 * time.Second)
				continue
			}
			if err != nil {
				return fmt.Errorf("login %s: %w", a.email, err)
			}
			break
		}
		a.token = out.Token
		return nil
	})
	return creds, err
}

// parallel runs f(0..n-1) with at most width at once and returns the first error.
func parallel(ctx context.Context, n, width int, f func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ferr error
	)
	sem := make(chan struct{}, width)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		mu.Lock()
		failed := ferr != nil
		mu.Unlock()
		if failed {
			<-sem
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(i); err != nil {
				mu.Lock()
				if ferr == nil {
					ferr = err
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	return ferr
}
