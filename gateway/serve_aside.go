package gateway

import (
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// serveAside serves h on l, a listener of its own beside the main one
// (--debug-addr, --metrics-addr), and logs what is served at url. It returns the
// server to close.
func serveAside(l net.Listener, h http.Handler, log *zap.Logger, what, url string) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: zap.NewStdLog(log.Named("http"))}
	go func() { _ = srv.Serve(l) }()
	log.Info(what+" served", zap.String("url", url))
	return srv
}

// startMetrics serves GET /metrics (the server's registry) on l, --metrics-addr's
// own listener, so the metrics need not be reachable through the public address
// (the main handler then answers 404 for them: Options.SeparateMetrics).
func startMetrics(l net.Listener, s *Server, log *zap.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	return serveAside(l, mux, log, "metrics", "http://"+l.Addr().String()+"/metrics")
}
