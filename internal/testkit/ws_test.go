package testkit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestWSAgainstAnEchoServer drives WS against a server that answers each frame
// {"type": T, ...} with {"type": T+".ok", "re": id}, a ping with a pong, and a
// frame "bye" by closing with 4001.
func TestWSAgainstAnEchoServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			_, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if string(data) == "bye" {
				c.Close(4001, "bye")
				return
			}
			var in map[string]any
			_ = json.Unmarshal(data, &in)
			out := map[string]any{"type": in["type"].(string) + ".ok", "re": in["id"]}
			if in["type"] == "ping" {
				out = map[string]any{"type": "pong"}
			}
			b, _ := json.Marshal(out)
			_ = c.Write(context.Background(), websocket.MessageText, b)
		}
	}))
	defer srv.Close()
	c, _, err := Dial(t, "ws"+strings.TrimPrefix(srv.URL, "http"), "echo", nil)
	NoError(t, err)
	c.Send(map[string]any{"type": "a", "id": "1"})
	Equal(t, "a's answer", c.Expect("a.ok")["re"], any("1"))
	c.Send(map[string]any{"type": "b", "id": "2"})
	c.Send(map[string]any{"type": "c", "id": "3"})
	m, skipped := c.WaitFor("c.ok")
	Equal(t, "skipped", len(skipped), 1)
	Equal(t, "c's answer", m["re"], any("3"))
	c.Send(map[string]any{"type": "d", "id": "4"})
	m, _ = c.Reply("4")
	Equal(t, "d's answer", m["type"], any("d.ok"))
	c.Quiet()
	c.Send(map[string]any{"type": "e", "id": "5"})
	Equal(t, "before the pong", len(c.DrainUntilPong()), 1)
	c.Send("bye")
	c.ClosedWith(4001)
	_, ok, err := c.NextWithin(Guard)
	Equal(t, "after the close", ok, false)
	Equal(t, "close code", websocket.CloseStatus(err), websocket.StatusCode(4001))
}

func TestRecvAndDo(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 7
	Equal(t, "received", Recv(t, "a value", ch), 7)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"auth": r.Header.Get("Authorization"), "type": r.Header.Get("Content-Type"), "in": in})
	}))
	defer srv.Close()
	code, m := DoJSON(t, "POST", srv.URL, "tok", map[string]int{"n": 1})
	Equal(t, "status", code, 200)
	Equal(t, "answer", m, map[string]any{"auth": "Bearer tok", "type": "application/json", "in": map[string]any{"n": 1.0}})
	r := Do(t, srv.Client(), "GET", srv.URL, "", nil)
	Equal(t, "without token or body", r.JSON(t), map[string]any{"auth": "", "type": "", "in": nil})
}
