package notify

import (
	"encoding/json"

	"github.com/livedesk/gateway/store"
)

// visitorRef is the part of an event's data that names its visitor: the offline
// message of offline_message.created, the conversation of conversation.ended.
type visitorRef struct {
	Message *struct {
		VisitorID string `json:"visitor_id"`
	} `json:"message"`
	Conversation *struct {
		VisitorID string `json:"visitor_id"`
	} `json:"conversation"`
}

// CarriesVisitor reports whether n carries what visitorID left, so that erasing the
// visitor (docs/protocol.md#visitor-data-requests) deletes it too: an
// offline_message.created of one of its offline messages (the message itself is
// in the data) or a conversation.ended of one of its conversations (its name,
// e-mail and page; the transcript is read when it is delivered). Other events
// (site.status_changed) carry no visitor's data, nor does data that does not
// decode.
func CarriesVisitor(n *store.Notification, visitorID string) bool {
	if visitorID == "" {
		return false
	}
	var ref visitorRef
	switch n.Type {
	case TypeOfflineMessage, TypeConversation:
		if json.Unmarshal(n.Data, &ref) != nil {
			return false
		}
	default:
		return false
	}
	return (ref.Message != nil && ref.Message.VisitorID == visitorID) ||
		(ref.Conversation != nil && ref.Conversation.VisitorID == visitorID)
}
