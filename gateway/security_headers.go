package gateway

import "net/http"

// Security headers (docs/operations.md#security-headers).
const (
	// referrerPolicy sends only the origin to other sites, and nothing over a
	// downgrade: console URLs (site and conversation ids) stay on the gateway.
	referrerPolicy = "strict-origin-when-cross-origin"
	// consoleCSP lets the console run only its own files: no inline script, style
	// or handler, nothing loaded from elsewhere, and it may not be framed (against
	// click-jacking an agent's session). connect-src 'self' covers the agent's
	// WebSocket on the same host.
	consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

// withSecurityHeaders sets, on every response, the headers that are right for all
// of them: no MIME sniffing (a JSON answer or a visitor's text is never run as a
// script or page) and the referrer policy. Framing is restricted only on the
// console (consoleHeaders): the widget script and the demo page are embedded on
// other origins.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", referrerPolicy)
		next.ServeHTTP(w, r)
	})
}

// consoleHeaders adds the console's own policy: its CSP, and X-Frame-Options for
// browsers that do not know frame-ancestors.
func consoleHeaders(h http.Header) {
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("X-Frame-Options", "DENY")
}
