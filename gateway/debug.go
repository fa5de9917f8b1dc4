package gateway

import (
	"net"
	"net/http"
	"net/http/pprof"

	"go.uber.org/zap"
)

// startDebug serves Go's profiles (net/http/pprof) on l, its own listener so they
// are never reachable through the public address. It returns the server to close.
func startDebug(l net.Listener, log *zap.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return serveAside(l, mux, log, "profiles", "http://"+l.Addr().String()+"/debug/pprof/")
}
