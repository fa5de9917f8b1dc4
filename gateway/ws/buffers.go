package ws

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"time"
)

// socketBufferSize is the read and the write buffer of each WebSocket. net/http's are
// 4 KiB each, and coder/websocket keeps the hijacked ones for the socket's life: 8 KiB
// of an idle socket's 30 KiB. Frames here are small (a status is ~150 bytes, a chat
// message at most 4,000 characters); a larger one goes to the kernel unbuffered.
const socketBufferSize = 1024

// smallBuffers is a ResponseWriter whose Hijack hands out the connection with
// socketBufferSize buffers instead of net/http's. Everything else is the wrapped
// writer's (Unwrap lets http.ResponseController and coder/websocket find it).
type smallBuffers struct{ http.ResponseWriter }

func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack takes the connection from net/http (which has flushed the 101 response by
// then) and moves any bytes it had already read from the client into the new
// reader's buffer, where coder/websocket looks for them. It clears the request's
// body deadline (withBodyDeadline): a socket lives on, watched by its pings.
func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		conn.Close()
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	size := socketBufferSize
	var src io.Reader = conn
	n := brw.Reader.Buffered()
	if n > 0 {
		b, _ := brw.Reader.Peek(n)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)
		size = max(size, n)
	}
	r := bufio.NewReaderSize(src, size)
	if n > 0 {
		// Pull exactly the early bytes into the buffer (the bytes.Reader answers the
		// first read alone, so this never waits on the connection).
		if _, err := r.Peek(n); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, socketBufferSize)), nil
}
