package cluster

import (
	"net"
	"sync"
	"testing"
)

// without returns ls without x.
func without(ls []*Lease, x *Lease) []*Lease {
	var out []*Lease
	for _, l := range ls {
		if l != x {
			out = append(out, l)
		}
	}
	return out
}

// leaseProxy forwards TCP connections to Redis until frozen; then it holds every
// byte, so calls hang without the connections breaking.
type leaseProxy struct {
	ln     net.Listener
	frozen chan struct{}
	done   chan struct{}
	once   sync.Once
	fz     sync.Once
	mu     sync.Mutex
	conns  []net.Conn
}

func newLeaseProxy(t *testing.T, target string) *leaseProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &leaseProxy{ln: ln, frozen: make(chan struct{}), done: make(chan struct{})}
	t.Cleanup(p.close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go p.pipe(c, s)
			go p.pipe(s, c)
		}
	}()
	return p
}

func (p *leaseProxy) addr() string { return p.ln.Addr().String() }

func (p *leaseProxy) pipe(from, to net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			select {
			case <-p.frozen: // hold it until closed
				<-p.done
				return
			default:
			}
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			_ = from.Close()
			_ = to.Close()
			return
		}
	}
}

func (p *leaseProxy) freeze() { p.fz.Do(func() { close(p.frozen) }) }

func (p *leaseProxy) close() {
	p.once.Do(func() {
		close(p.done)
		_ = p.ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
	})
}
