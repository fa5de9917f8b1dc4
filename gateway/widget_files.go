package gateway

import (
	"net/http"

	"github.com/livedesk/gateway/widget"
)

// handleWidgetJS serves the widget script; sites embed it cross-origin, so it may be
// loaded from anywhere and is cached briefly.
func (s *Server) handleWidgetJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(widget.Script())
}

// consoleFiles serves the agent console.
func (s *Server) consoleFiles() http.Handler {
	fs := http.FileServerFS(widget.Console())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		fs.ServeHTTP(w, r)
	})
}
