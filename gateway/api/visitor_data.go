package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// Visitor data requests (docs/protocol.md#visitor-data-requests): an owner or an
// admin exports, or erases, everything a visitor of a site left. The erasure
// itself is visitor_erase.go.

// maxVisitorID is the longest visitor id a visitor token carries (ws.visitorTokens).
const maxVisitorID = 64

// visitorIDParam reads {visitor} of the path: 1 to 64 letters, digits, '-' or '_'
// (the visitor ids the gateway gives are UUIDs).
func visitorIDParam(r *http.Request) (string, error) {
	id := r.PathValue("visitor")
	bad := badRequest("visitor_id", "must be a visitor id: 1 to %d letters, digits, '-' or '_'", maxVisitorID)
	if id == "" || len(id) > maxVisitorID {
		return "", bad
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", bad
		}
	}
	return id, nil
}

// visitorRequest checks a visitor data request: a manager (403 otherwise), a site
// that exists (404), a well-formed visitor id (400).
func (h *Handler) visitorRequest(r *http.Request, me *store.Agent) (*store.Site, string, error) {
	if err := requireManager(me); err != nil {
		return nil, "", err
	}
	st, err := h.memberSite(r, me)
	if err != nil {
		return nil, "", err
	}
	vid, err := visitorIDParam(r)
	if err != nil {
		return nil, "", err
	}
	return st, vid, nil
}

// erasureView is the answer of DELETE /sites/{id}/visitors/{visitor}.
type erasureView struct {
	SiteID    string       `json:"site_id"`
	VisitorID string       `json:"visitor_id"`
	Erased    ErasedCounts `json:"erased"`
}

// EraseVisitor answers DELETE /sites/{id}/visitors/{visitor}: the visitor's
// conversations (a live one ended first), messages, offline messages, outbox
// items and number are erased, and its token refused from then on. 200 with the
// counts, every time: a repeat erases what is left (nothing, or what a cut-short
// run left) and counts only that.
func (h *Handler) EraseVisitor(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, vid, err := h.visitorRequest(r, me)
	if err != nil {
		return err
	}
	counts, err := h.eraseVisitor(r.Context(), st.ID, vid)
	if err != nil {
		return err
	}
	h.log.Info("visitor erased", zap.String("site", st.ID), zap.String("visitor", vid), zap.String("by", me.ID),
		zap.Int("conversations", counts.Conversations), zap.Int("messages", counts.Messages),
		zap.Int("offline_messages", counts.OfflineMessages), zap.Int("notifications", counts.Notifications))
	WriteJSON(w, http.StatusOK, erasureView{SiteID: st.ID, VisitorID: vid, Erased: counts})
	return nil
}

// Pages of an export.
const (
	exportConvPage    = 100
	exportMsgPage     = 1000
	exportOfflinePage = 500
)

// ExportVisitor answers GET /sites/{id}/visitors/{visitor}/export: every
// conversation of the visitor on the site with all its messages, then every
// offline message, as one JSON document written while the store is read page by
// page (so its size is not bounded by memory). An error before the first byte is
// the usual error answer; one after it cuts the response short (the client sees a
// broken transfer, never a document that looks complete).
func (h *Handler) ExportVisitor(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, vid, err := h.visitorRequest(r, me)
	if err != nil {
		return err
	}
	ctx := r.Context()
	erased, err := h.store.VisitorErased(ctx, st.ID, vid)
	if err != nil {
		return err
	}
	f := store.ConversationFilter{SiteID: st.ID, VisitorID: vid, Limit: exportConvPage}
	convs, err := h.store.ListConversations(ctx, f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="visitor-`+vid+`.json"`)
	w.WriteHeader(http.StatusOK)
	ex := &exporter{h: h, bw: bufio.NewWriterSize(w, 32<<10), site: st.ID, visitor: vid}
	if err := ex.write(ctx, erased, f, convs); err != nil {
		h.log.Error("visitor export cut short", zap.String("site", st.ID), zap.String("visitor", vid), zap.Error(err))
		panic(http.ErrAbortHandler) // the status is sent: only a broken transfer can tell the client
	}
	return nil
}

// exporter writes one visitor's export.
type exporter struct {
	h             *Handler
	bw            *bufio.Writer
	site, visitor string
	// number is the visitor's number, from the first record that has one.
	number int64
}

// exportHead is the start of an export; the lists follow it.
type exportHead struct {
	SiteID     string    `json:"site_id"`
	VisitorID  string    `json:"visitor_id"`
	Erased     bool      `json:"erased"`
	ExportedAt time.Time `json:"exported_at"`
}

// write writes the whole document: the head, the conversations (newest first,
// convs being the first page of f), the offline messages (oldest first) and the
// visitor's number when a record had one.
func (ex *exporter) write(ctx context.Context, erased bool, f store.ConversationFilter, convs []*store.Conversation) error {
	head, err := json.Marshal(exportHead{SiteID: ex.site, VisitorID: ex.visitor, Erased: erased, ExportedAt: ex.h.clock.Now().UTC()})
	if err != nil {
		return err
	}
	ex.bw.Write(head[:len(head)-1])
	ex.bw.WriteString(`,"conversations":[`)
	first := true
	for len(convs) > 0 {
		for _, c := range convs {
			if !first {
				ex.bw.WriteByte(',')
			}
			first = false
			if err := ex.conversation(ctx, c); err != nil {
				return err
			}
		}
		if len(convs) < f.Limit {
			break
		}
		f.Before = convs[len(convs)-1].ID
		if convs, err = ex.h.store.ListConversations(ctx, f); err != nil {
			return err
		}
	}
	ex.bw.WriteString(`],"offline_messages":[`)
	if err := ex.offline(ctx); err != nil {
		return err
	}
	ex.bw.WriteByte(']')
	if ex.number > 0 {
		if err := ex.value(`,"visitor_number":`, ex.number); err != nil {
			return err
		}
	}
	ex.bw.WriteString("}\n")
	return ex.bw.Flush()
}

// conversation writes c as the API shows it, with every message.
func (ex *exporter) conversation(ctx context.Context, c *store.Conversation) error {
	if ex.number == 0 {
		ex.number = c.VisitorNumber
	}
	view, err := json.Marshal(viewConversation(c))
	if err != nil {
		return err
	}
	ex.bw.Write(view[:len(view)-1])
	ex.bw.WriteString(`,"messages":[`)
	var after int64
	for {
		msgs, err := ex.h.store.ListMessages(ctx, c.ID, after, exportMsgPage)
		if err != nil {
			return err
		}
		for i, m := range msgs {
			sep := ","
			if after == 0 && i == 0 {
				sep = ""
			}
			if err := ex.value(sep, viewMessage(m)); err != nil {
				return err
			}
		}
		if len(msgs) < exportMsgPage {
			break
		}
		after = msgs[len(msgs)-1].Seq
	}
	ex.bw.WriteString("]}")
	return nil
}

// offline writes the visitor's offline messages, comma-separated.
func (ex *exporter) offline(ctx context.Context) error {
	after := ""
	for {
		page, err := ex.h.store.ListVisitorOffline(ctx, ex.site, ex.visitor, after, exportOfflinePage)
		if err != nil {
			return err
		}
		for i, m := range page {
			if ex.number == 0 {
				ex.number = m.VisitorNumber
			}
			sep := ","
			if after == "" && i == 0 {
				sep = ""
			}
			if err := ex.value(sep, ViewOfflineMessage(m)); err != nil {
				return err
			}
		}
		if len(page) < exportOfflinePage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// value writes prefix, then v as JSON; a write error shows at the next Flush.
func (ex *exporter) value(prefix string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ex.bw.WriteString(prefix)
	ex.bw.Write(data)
	return nil
}
