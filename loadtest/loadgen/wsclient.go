package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// wsConn is a minimal client side of RFC 6455 for the visitor fleets: one TCP
// connection, a 1 KiB read buffer, no goroutine of its own. Holding and reconnecting
// tens of thousands of sockets on two cores shared with the gateway makes the load
// generator's cost per socket matter; a general-purpose client (HTTP transport,
// per-connection goroutines, 4 KiB buffers) costs several times more per connect.
//
// Reads happen on one goroutine (readMessage), which also answers pings; writes may
// come from any goroutine.
type wsConn struct {
	nc  net.Conn
	br  *bufio.Reader
	wmu sync.Mutex
	rng *rand.PCG // mask keys
}

const (
	wsGUID       = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
	opContinue   = 0x0
	opText       = 0x1
	opBinary     = 0x2
	opClose      = 0x8
	opPing       = 0x9
	opPong       = 0xA
	wsReadLimit  = 1 << 20
	wsReadBuffer = 1024
)

// wsCloseError is a close frame received from the server.
type wsCloseError struct{ code int }

func (e *wsCloseError) Error() string { return fmt.Sprintf("websocket closed with %d", e.code) }

// wsStatusError is an HTTP answer other than 101 to the upgrade.
type wsStatusError struct{ status int }

func (e *wsStatusError) Error() string {
	return fmt.Sprintf("upgrade answered HTTP %d, not 101", e.status)
}

// closeCode is the close code of err, or -1.
func closeCode(err error) int {
	var ce *wsCloseError
	if errors.As(err, &ce) {
		return ce.code
	}
	return -1
}

// dialWS opens ws://host/path?query from source address src (nil: the system's
// choice) within ctx, and upgrades it.
func dialWS(ctx context.Context, rawURL string, src net.IP) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("%s: only ws:// (loopback, no TLS)", rawURL)
	}
	d := net.Dialer{}
	if src != nil {
		d.LocalAddr = &net.TCPAddr{IP: src}
	}
	nc, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	c := &wsConn{nc: nc, br: bufio.NewReaderSize(nc, wsReadBuffer), rng: rand.NewPCG(rand.Uint64(), rand.Uint64())}
	if err := c.handshake(u); err != nil {
		nc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return c, nil
}

func (c *wsConn) handshake(u *url.URL) error {
	var k [16]byte
	binary.LittleEndian.PutUint64(k[:8], c.rng.Uint64())
	binary.LittleEndian.PutUint64(k[8:], c.rng.Uint64())
	key := base64.StdEncoding.EncodeToString(k[:])
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c.nc, req); err != nil {
		return err
	}
	line, err := c.br.ReadString('\n')
	if err != nil {
		return err
	}
	var proto string
	var status int
	if _, err := fmt.Sscanf(line, "%s %d", &proto, &status); err != nil || !strings.HasPrefix(proto, "HTTP/1.") {
		return fmt.Errorf("bad upgrade answer %q", strings.TrimSpace(line))
	}
	accept := ""
	for {
		h, err := c.br.ReadString('\n')
		if err != nil {
			return err
		}
		h = strings.TrimRight(h, "\r\n")
		if h == "" {
			break
		}
		if name, val, ok := strings.Cut(h, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Sec-WebSocket-Accept") {
			accept = strings.TrimSpace(val)
		}
	}
	if status != 101 {
		return &wsStatusError{status: status}
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	if accept != base64.StdEncoding.EncodeToString(sum[:]) {
		return fmt.Errorf("bad Sec-WebSocket-Accept %q", accept)
	}
	return nil
}

// setDeadline bounds the reads and writes to come (zero: none).
func (c *wsConn) setDeadline(t time.Time) { c.nc.SetDeadline(t) }

// writeFrame sends one masked frame with FIN set.
func (c *wsConn) writeFrame(op byte, payload []byte) error {
	n := len(payload)
	buf := make([]byte, 0, 14+n)
	buf = append(buf, 0x80|op)
	switch {
	case n < 126:
		buf = append(buf, 0x80|byte(n))
	case n <= 0xFFFF:
		buf = append(buf, 0x80|126, byte(n>>8), byte(n))
	default:
		buf = append(buf, 0x80|127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var mask [4]byte
	binary.LittleEndian.PutUint32(mask[:], uint32(c.rng.Uint64()))
	buf = append(buf, mask[:]...)
	for i, b := range payload {
		buf = append(buf, b^mask[i&3])
	}
	_, err := c.nc.Write(buf)
	return err
}

// writeText sends a text message.
func (c *wsConn) writeText(b []byte) error { return c.writeFrame(opText, b) }

// readMessage returns the next text or binary message. It answers pings on the
// way, and returns a *wsCloseError (after answering it) when the server closes.
func (c *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	for {
		fin, op, payload, err := c.readFrame()
		if err != nil {
			return nil, err
		}
		switch op {
		case opPing:
			if err := c.writeFrame(opPong, payload); err != nil {
				return nil, err
			}
		case opPong:
		case opClose:
			code := 1005 // no status
			if len(payload) >= 2 {
				code = int(binary.BigEndian.Uint16(payload))
			}
			_ = c.writeFrame(opClose, payload[:min(len(payload), 2)])
			c.nc.Close()
			return nil, &wsCloseError{code: code}
		case opText, opBinary, opContinue:
			if op != opContinue && msg != nil {
				return nil, errors.New("websocket: new message inside a fragmented one")
			}
			if len(msg)+len(payload) > wsReadLimit {
				return nil, errors.New("websocket: message over the read limit")
			}
			if fin && msg == nil {
				return payload, nil
			}
			msg = append(msg, payload...)
			if fin {
				return msg, nil
			}
		default:
			return nil, fmt.Errorf("websocket: unknown opcode %d", op)
		}
	}
}

func (c *wsConn) readFrame() (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(c.br, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0F
	masked := h[1]&0x80 != 0
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err = io.ReadFull(c.br, ext[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err = io.ReadFull(c.br, ext[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > wsReadLimit {
		err = errors.New("websocket: frame over the read limit")
		return
	}
	var mask [4]byte
	if masked {
		if _, err = io.ReadFull(c.br, mask[:]); err != nil {
			return
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(c.br, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i&3]
		}
	}
	return
}

// closeNow drops the connection without a close handshake.
func (c *wsConn) closeNow() error { return c.nc.Close() }
