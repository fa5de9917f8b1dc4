package ws

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A client that sends its first frame in the same packet as the upgrade request
// still has it read: the bytes net/http buffered move into the small buffer.
func TestSmallBuffersKeepBytesSentWithTheUpgrade(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, b, err := c.Read(ctx)
		if err != nil {
			got <- "read: " + err.Error()
			return
		}
		_ = c.Write(ctx, websocket.MessageText, append([]byte("echo "), b...))
		got <- string(b)
		c.Close(websocket.StatusNormalClosure, "")
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	// A masked text frame "hello" (RFC 6455 §5.7), in the same write.
	mask := []byte{1, 2, 3, 4}
	payload := []byte("hello")
	frame := []byte{0x81, 0x80 | byte(len(payload))}
	frame = append(frame, mask...)
	for i, c := range payload {
		frame = append(frame, c^mask[i%4])
	}
	if _, err := conn.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	if s := <-got; s != "hello" {
		t.Fatalf("server read %q", s)
	}
	hdr := make([]byte, 2)
	if _, err := br.Read(hdr); err != nil || hdr[0] != 0x81 || int(hdr[1]) != len("echo hello") {
		t.Fatalf("echo frame header %x %v", hdr, err)
	}
}
