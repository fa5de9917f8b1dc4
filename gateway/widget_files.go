package gateway

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"

	"github.com/livedesk/gateway/widget"
)

// widgetAsset is widget.js as served (widget.Script: the socket client and the
// widget in one script): its bytes, gzipped once, and an ETag, so every
// page view of every site costs a 304 or 13 KB rather than 40 KB.
type widgetAsset struct {
	plain, gz []byte
	etag      string
}

var (
	widgetOnce sync.Once
	widgetJS   widgetAsset
)

func loadWidget() widgetAsset {
	widgetOnce.Do(func() {
		plain := widget.Script()
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(plain)
		_ = zw.Close()
		sum := sha256.Sum256(plain)
		widgetJS = widgetAsset{plain: plain, gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	})
	return widgetJS
}

// handleWidgetJS serves the widget script; sites embed it cross-origin, so it may be
// loaded from anywhere and is cached briefly, then revalidated by ETag.
func (s *Server) handleWidgetJS(w http.ResponseWriter, r *http.Request) {
	a := loadWidget()
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("ETag", a.etag)
	h.Set("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.plain
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	_, _ = w.Write(body)
}

// handleFavicon serves the icon the console and the demo page link to; it is the
// same for every site and changes only with the binary, so it is cached for a day.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(widget.Favicon())
}

// consoleFiles serves the agent console, under its Content-Security-Policy.
func (s *Server) consoleFiles() http.Handler {
	fs := http.FileServerFS(widget.Console())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		consoleHeaders(w.Header())
		fs.ServeHTTP(w, r)
	})
}
