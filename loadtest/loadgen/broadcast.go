package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// broadcastAt sends POST base/broadcast at instant, on a connection warmed a moment
// before: the floor server's (../shared/floor) stand-in for a status flip, since it
// has no sites or accounts; it writes one status frame to every socket. It returns
// when the request left (wall clock) and how long the answer took.
func broadcastAt(ctx context.Context, base *url.URL, instant time.Time) (sent time.Time, took time.Duration, err error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	if err := sleepUntil(ctx, instant.Add(-time.Second)); err != nil {
		return time.Time{}, 0, err
	}
	_ = plainCall(ctx, client, "GET", base.String()+"/healthz") // warm the keep-alive connection
	if err := sleepUntil(ctx, instant); err != nil {
		return time.Time{}, 0, err
	}
	sent = wallNow()
	start := time.Now()
	err = plainCall(ctx, client, "POST", base.String()+"/broadcast")
	return sent, time.Since(start), err
}

// plainCall makes a request without a body and fails on a status other than 2xx.
func plainCall(ctx context.Context, client *http.Client, method, u string) error {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d", method, u, resp.StatusCode)
	}
	return nil
}
