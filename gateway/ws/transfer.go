package ws

import (
	"errors"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
)

// chatTransfer hands one of the agent's open conversations on
// (docs/protocol.md#transfers). The answer, chat.transferred with re, reaches every
// socket of the agent through the desk's notifier; a refusal is an error frame.
func (ss *session) chatTransfer(f *protocol.ChatTransfer) *protocol.Error {
	ctx, cancel := opCtx()
	defer cancel()
	_, err := ss.rt.desk.Transfer(ctx, routing.TransferRequest{ConversationID: f.ConversationID, ByAgentID: ss.agentID(),
		ToAgentID: f.ToAgentID, ToDepartmentID: f.ToDepartmentID, Note: f.Note, Re: f.ID})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, routing.ErrNotInConversation), errors.Is(err, routing.ErrNotOpen):
		return errNotYourConversation
	}
	if ae := api.TransferError(err); ae != nil {
		return protocol.Errorf(ae.Code, ae.Field, "%s", ae.Message)
	}
	return ss.storeFrameErr(err)
}
