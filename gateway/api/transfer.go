package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// TransferError is what a client is told of a transfer the desk refused
// (docs/protocol.md#transfers), on the API and on a socket alike; nil for an error
// that is not a transfer's own (the store's, or no such conversation).
func TransferError(err error) *APIError {
	var tc *routing.TransferConflict
	switch {
	case errors.As(err, &tc):
		return conflict("", tc.Reason)
	case errors.Is(err, routing.ErrTransferConflict):
		return conflict("", err.Error())
	case errors.Is(err, routing.ErrUnknownAgent):
		return &APIError{Status: http.StatusNotFound, Code: protocol.CodeNotFound, Field: "to_agent_id", Message: "agent not found"}
	case errors.Is(err, routing.ErrUnknownDepartment):
		return &APIError{Status: http.StatusNotFound, Code: protocol.CodeNotFound, Field: "to_department_id", Message: "no such department on the conversation's site"}
	}
	return nil
}

// transferAnswer is the body of POST /conversations/{id}/transfer.
type transferAnswer struct {
	ConversationID string                 `json:"conversation_id"`
	To             routing.TransferTarget `json:"to"`
}

// TransferConversation answers POST /conversations/{id}/transfer (owners and
// admins): the body of a chat.transfer without id and conversation_id, checked by
// the same rules; 409 for a conversation that is not open and for every conflict.
func (h *Handler) TransferConversation(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	c, err := h.store.GetConversation(r.Context(), r.PathValue("id"))
	if err != nil {
		if isNotFound(err) {
			return NotFound("conversation")
		}
		return err
	}
	if !isMember(me, c.SiteID) {
		return NotFound("conversation")
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	f := protocol.ChatTransfer{ID: "api", ConversationID: c.ID}
	for k, v := range m {
		var dst *string
		switch k {
		case "to_agent_id":
			dst = &f.ToAgentID
		case "to_department_id":
			dst = &f.ToDepartmentID
		case "note":
			dst = &f.Note
		default:
			return badRequest(k, "unknown field")
		}
		if json.Unmarshal(v, dst) != nil {
			return badRequest(k, "must be a string")
		}
	}
	if fe := f.Validate(); fe != nil {
		return badRequest(fe.Field, "%s", fe.Message)
	}
	res, err := h.desk.Transfer(r.Context(), routing.TransferRequest{ConversationID: c.ID, ToAgentID: f.ToAgentID,
		ToDepartmentID: f.ToDepartmentID, Note: f.Note})
	switch {
	case errors.Is(err, routing.ErrNotInConversation), errors.Is(err, routing.ErrNotOpen):
		return conflict("", "the conversation is not open: only an open conversation is transferred")
	case err != nil:
		if ae := TransferError(err); ae != nil {
			return ae
		}
		return h.storeError(r, err)
	}
	WriteJSON(w, http.StatusOK, transferAnswer{ConversationID: c.ID, To: res.To})
	return nil
}

// GetDepartmentStatus answers GET /departments/{id}/status for a member of its
// site: its status now with its available agents, as GET /sites/{id}/status.
func (h *Handler) GetDepartmentStatus(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	d, _, err := h.memberDepartment(r, me)
	if err != nil {
		return err
	}
	status, available, err := h.desk.DepartmentStatus(r.Context(), d.SiteID, d.ID)
	if errors.Is(err, routing.ErrUnknownDepartment) || errors.Is(err, routing.ErrUnknownSite) {
		return NotFound("department")
	}
	if err != nil {
		return h.storeError(r, err)
	}
	WriteJSON(w, http.StatusOK, statusResponse{Status: status, AvailableAgents: &available})
	return nil
}

// GetAvailableAgents answers GET /sites/{id}/agents/available for a member of the
// site: the agents available now with their loads and departments, whom a
// conversation can be transferred to.
func (h *Handler) GetAvailableAgents(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	loads, err := h.desk.AgentLoads(r.Context(), st.ID)
	if errors.Is(err, routing.ErrUnknownSite) {
		return NotFound("site")
	}
	if err != nil {
		return h.storeError(r, err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"agents": loads})
	return nil
}
