package gateway

import (
	"net/http"
	"sort"
	"strings"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
)

// routes registers every endpoint. A path known under another method answers 405
// with Allow; an unknown /api path answers a JSON 404.
func (s *Server) routes() {
	v1 := func(path string, methods map[string]http.HandlerFunc) {
		s.route("/api/v1"+path, methods)
	}
	v1("/login", map[string]http.HandlerFunc{"POST": s.api.Login})
	v1("/me", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.Me)})

	v1("/sites", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ListSites), "POST": s.api.Authed(s.api.CreateSite)})
	v1("/sites/{id}", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetSite), "PATCH": s.api.Authed(s.api.PatchSite), "DELETE": s.api.Authed(s.api.DeleteSite)})
	v1("/sites/{id}/schedule", map[string]http.HandlerFunc{"PUT": s.api.Authed(s.api.PutSiteSchedule)})
	v1("/sites/{id}/mode", map[string]http.HandlerFunc{"PUT": s.api.Authed(s.api.PutSiteMode)})
	v1("/sites/{id}/status", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetSiteStatus)})
	v1("/sites/{id}/hours", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetSiteHours)})
	v1("/sites/{id}/hours/preview", map[string]http.HandlerFunc{"POST": s.api.Authed(s.api.PreviewSiteHours)})
	v1("/sites/{id}/agents/available", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetAvailableAgents)})
	v1("/sites/{id}/coverage", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetSiteCoverage)})
	v1("/sites/{id}/departments", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ListDepartments), "POST": s.api.Authed(s.api.CreateDepartment)})
	v1("/departments/{id}", map[string]http.HandlerFunc{"PATCH": s.api.Authed(s.api.PatchDepartment), "DELETE": s.api.Authed(s.api.DeleteDepartment)})
	v1("/departments/{id}/status", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetDepartmentStatus)})
	v1("/departments/{id}/schedule", map[string]http.HandlerFunc{"PUT": s.api.Authed(s.api.PutDepartmentSchedule)})
	v1("/departments/{id}/hours", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetDepartmentHours)})
	v1("/sites/{id}/offline-messages", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ListOfflineMessages)})
	v1("/sites/{id}/offline-messages/{message}", map[string]http.HandlerFunc{"PATCH": s.api.Authed(s.api.PatchOfflineMessage)})
	v1("/offline-messages/counts", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.OfflineCounts)})
	v1("/sites/{id}/visitors/{visitor}", map[string]http.HandlerFunc{"DELETE": s.api.Authed(s.api.EraseVisitor)})
	v1("/sites/{id}/visitors/{visitor}/export", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ExportVisitor)})

	v1("/agents", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ListAgents), "POST": s.api.Authed(s.api.CreateAgent)})
	v1("/agents/{id}", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetAgent), "PATCH": s.api.Authed(s.api.PatchAgent), "DELETE": s.api.Authed(s.api.DeleteAgent)})
	v1("/agents/{id}/schedule", map[string]http.HandlerFunc{"PUT": s.api.Authed(s.api.PutAgentSchedule)})
	v1("/agents/{id}/presence", map[string]http.HandlerFunc{"PUT": s.api.Authed(s.api.PutAgentPresence)})
	v1("/agents/{id}/logout", map[string]http.HandlerFunc{"POST": s.api.Authed(s.api.LogoutAgent)})

	v1("/timezones", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ListTimezones)})

	v1("/conversations", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ListConversations)})
	v1("/conversations/{id}", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetConversation)})
	v1("/conversations/{id}/transfer", map[string]http.HandlerFunc{"POST": s.api.Authed(s.api.TransferConversation)})

	v1("/notifications", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.ListNotifications)})
	v1("/notifications/{id}", map[string]http.HandlerFunc{"GET": s.api.Authed(s.api.GetNotification)})
	v1("/notifications/{id}/retry", map[string]http.HandlerFunc{"POST": s.api.Authed(s.api.RetryNotification)})

	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.api.WriteError(w, r, &api.APIError{Status: http.StatusNotFound, Code: protocol.CodeNotFound, Message: "no such endpoint: " + r.URL.Path})
	})
	s.route("/ws/visitor", map[string]http.HandlerFunc{"GET": s.rt.HandleVisitor})
	s.route("/ws/agent", map[string]http.HandlerFunc{"GET": s.rt.HandleAgent})
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
		s.api.WriteError(w, r, &api.APIError{Status: http.StatusMethodNotAllowed, Code: protocol.CodeBadRequest, Message: r.Method + " is not allowed here; use " + allowed})
	})
}

// registeredRoutes returns every "METHOD path" registered through route, sorted.
func (s *Server) registeredRoutes() []string {
	out := append([]string(nil), s.routeTable...)
	sort.Strings(out)
	return out
}
