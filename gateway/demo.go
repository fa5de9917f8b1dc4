package gateway

import (
	"net/http"

	"github.com/livedesk/gateway/widget"
)

// handleDemoPage serves the demo page with the demo site's widget.
func (s *Server) handleDemoPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(widget.DemoPage(s.opts.DemoSiteID))
}
