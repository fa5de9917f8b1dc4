package gateway

import (
	"net/http"
	"sort"
	"strings"

	"github.com/livedesk/gateway/protocol"
)

// routes registers every endpoint. A path known under another method answers 405
// with Allow; an unknown /api path answers a JSON 404.
func (s *Server) routes() {
	api := func(path string, methods map[string]http.HandlerFunc) {
		s.route("/api/v1"+path, methods)
	}
	api("/login", map[string]http.HandlerFunc{"POST": s.handleLogin})
	api("/me", map[string]http.HandlerFunc{"GET": s.authed(s.handleMe)})

	api("/sites", map[string]http.HandlerFunc{"GET": s.authed(s.listSites), "POST": s.authed(s.createSite)})
	api("/sites/{id}", map[string]http.HandlerFunc{"GET": s.authed(s.getSite), "PATCH": s.authed(s.patchSite), "DELETE": s.authed(s.deleteSite)})
	api("/sites/{id}/schedule", map[string]http.HandlerFunc{"PUT": s.authed(s.putSiteSchedule)})
	api("/sites/{id}/mode", map[string]http.HandlerFunc{"PUT": s.authed(s.putSiteMode)})
	api("/sites/{id}/status", map[string]http.HandlerFunc{"GET": s.authed(s.getSiteStatus)})
	api("/sites/{id}/hours", map[string]http.HandlerFunc{"GET": s.authed(s.getSiteHours)})
	api("/sites/{id}/hours/preview", map[string]http.HandlerFunc{"POST": s.authed(s.previewSiteHours)})
	api("/sites/{id}/offline-messages", map[string]http.HandlerFunc{"GET": s.authed(s.listOfflineMessages)})
	api("/sites/{id}/offline-messages/{message}", map[string]http.HandlerFunc{"PATCH": s.authed(s.patchOfflineMessage)})
	api("/offline-messages/counts", map[string]http.HandlerFunc{"GET": s.authed(s.offlineCounts)})

	api("/agents", map[string]http.HandlerFunc{"GET": s.authed(s.listAgents), "POST": s.authed(s.createAgent)})
	api("/agents/{id}", map[string]http.HandlerFunc{"GET": s.authed(s.getAgent), "PATCH": s.authed(s.patchAgent), "DELETE": s.authed(s.deleteAgent)})
	api("/agents/{id}/schedule", map[string]http.HandlerFunc{"PUT": s.authed(s.putAgentSchedule)})
	api("/agents/{id}/presence", map[string]http.HandlerFunc{"PUT": s.authed(s.putAgentPresence)})
	api("/agents/{id}/logout", map[string]http.HandlerFunc{"POST": s.authed(s.logoutAgent)})

	api("/timezones", map[string]http.HandlerFunc{"GET": s.authed(s.listTimezones)})

	api("/conversations", map[string]http.HandlerFunc{"GET": s.authed(s.listConversations)})
	api("/conversations/{id}", map[string]http.HandlerFunc{"GET": s.authed(s.getConversation)})

	api("/notifications", map[string]http.HandlerFunc{"GET": s.authed(s.listNotifications)})
	api("/notifications/{id}", map[string]http.HandlerFunc{"GET": s.authed(s.getNotification)})
	api("/notifications/{id}/retry", map[string]http.HandlerFunc{"POST": s.authed(s.retryNotification)})

	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeAPIError(w, r, &APIError{Status: http.StatusNotFound, Code: protocol.CodeNotFound, Message: "no such endpoint: " + r.URL.Path})
	})
	s.route("/ws/visitor", map[string]http.HandlerFunc{"GET": s.rt.handleVisitorWS})
	s.route("/ws/agent", map[string]http.HandlerFunc{"GET": s.rt.handleAgentWS})
	s.route("/widget.js", map[string]http.HandlerFunc{"GET": s.handleWidgetJS})
	s.route("/favicon.svg", map[string]http.HandlerFunc{"GET": s.handleFavicon})
	s.mux.Handle("GET /console/", http.StripPrefix("/console/", s.consoleFiles()))
	s.route("/healthz", map[string]http.HandlerFunc{"GET": s.handleHealthz})
	s.route("/readyz", map[string]http.HandlerFunc{"GET": s.handleReadyz})
	if !s.opts.SeparateMetrics {
		s.route("/metrics", map[string]http.HandlerFunc{"GET": s.handleMetrics})
	}
	if s.opts.Demo {
		s.mux.HandleFunc("GET /{$}", s.handleDemoPage)
	}
}

// route registers one handler per method and a method-less fallback answering 405.
// Each "METHOD path" goes into the route table (registeredRoutes), which the
// authorization matrix test holds its rows against.
func (s *Server) route(path string, methods map[string]http.HandlerFunc) {
	allow := make([]string, 0, len(methods)+1)
	for m, h := range methods {
		s.mux.HandleFunc(m+" "+path, h)
		s.routeTable = append(s.routeTable, m+" "+path)
		allow = append(allow, m)
		if m == "GET" {
			allow = append(allow, "HEAD")
		}
	}
	sort.Strings(allow)
	allowed := strings.Join(allow, ", ")
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		s.writeAPIError(w, r, &APIError{Status: http.StatusMethodNotAllowed, Code: protocol.CodeBadRequest, Message: r.Method + " is not allowed here; use " + allowed})
	})
}

// registeredRoutes returns every "METHOD path" registered through route, sorted.
func (s *Server) registeredRoutes() []string {
	out := append([]string(nil), s.routeTable...)
	sort.Strings(out)
	return out
}
