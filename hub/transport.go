package hub

import (
	"context"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Transport is one socket a Client writes to: a coder/websocket conn in production
// (see WebSocket), a fake in unit tests. A Client calls Write from one goroutine at a
// time; Close may be called concurrently with a Write in progress and should make it
// return.
type Transport interface {
	// Write sends one text frame; ctx carries the write deadline and is cancelled
	// when it passes.
	Write(ctx context.Context, data []byte) error
	// Close closes with a code and reason. It must not block for long: it is called
	// from Send (queue full) and from the writer, so an implementation finishes the
	// close handshake in the background or with a short timeout.
	Close(code int, reason string) error
}

// WebSocket adapts a *websocket.Conn (github.com/coder/websocket) to Transport.
//
// Write sends a text message. Close starts the close handshake in a new goroutine
// and returns at once; coder/websocket bounds that goroutine (5 s to write the close
// frame, 5 s to wait for the peer's). A Write that overran its deadline has already
// closed the connection without a handshake, so the peer of a stuck socket sees the
// connection drop rather than the close code. Reasons longer than the 123 bytes a
// close frame can carry are cut at a rune boundary.
//
// The caller still owns reading: coder/websocket needs a reader (a read loop or
// CloseRead) to answer pings and complete the close handshake.
func WebSocket(c *websocket.Conn) Transport { return wsTransport{c} }

type wsTransport struct{ c *websocket.Conn }

func (w wsTransport) Write(ctx context.Context, data []byte) error {
	return w.c.Write(ctx, websocket.MessageText, data)
}

func (w wsTransport) Close(code int, reason string) error {
	go w.c.Close(websocket.StatusCode(code), truncateReason(reason)) // the error has nowhere to go: the socket is done either way
	return nil
}

// maxCloseReason is the longest reason a close frame carries (125 - 2 code bytes).
const maxCloseReason = 123

func truncateReason(s string) string {
	if len(s) <= maxCloseReason {
		return s
	}
	i := maxCloseReason
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
