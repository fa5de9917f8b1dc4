package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/livedesk/gateway/store"
)

// errNoMailer is the attempt error of an e-mail item when SMTP is not configured.
var errNoMailer = errors.New("no SMTP server is configured (--smtp-url)")

// deliver makes one attempt at n: its body is rebuilt from the stored data (plus the
// transcript for an ended conversation), so every attempt sends the same thing.
func (w *Worker) deliver(ctx context.Context, n *store.Notification) error {
	data, err := w.expand(ctx, n)
	if err != nil {
		return err
	}
	switch n.Channel {
	case store.ChannelWebhook:
		raw, err := json.Marshal(data)
		if err != nil {
			return err
		}
		return w.o.Webhooks.Post(ctx, n.URL, n.Secret, &WebhookBody{ID: n.EventID, Type: n.Type, CreatedAt: n.CreatedAt.UTC(), Data: raw})
	case store.ChannelEmail:
		if w.o.Mailer == nil {
			return errNoMailer
		}
		e, err := RenderEmail(n.EventID, n.Type, n.CreatedAt, data)
		if err != nil {
			return err
		}
		e.To = n.To
		return w.o.Mailer.Send(ctx, e)
	}
	return fmt.Errorf("unknown channel %q", n.Channel)
}

// expand decodes n's data into its event type, reading the transcript of an ended
// conversation from the store.
func (w *Worker) expand(ctx context.Context, n *store.Notification) (any, error) {
	switch n.Type {
	case TypeOfflineMessage:
		d := new(OfflineMessageData)
		return d, decodeData(n, d)
	case TypeStatusChanged:
		d := new(StatusChangedData)
		return d, decodeData(n, d)
	case TypeConversation:
		d := new(ConversationData)
		if err := decodeData(n, d); err != nil {
			return nil, err
		}
		t, err := transcript(ctx, w.o.Store, d.Conversation.ID)
		if err != nil {
			return nil, err
		}
		d.Transcript = t
		return d, nil
	}
	return nil, fmt.Errorf("unknown event type %q", n.Type)
}

func decodeData(n *store.Notification, v any) error {
	if err := json.Unmarshal(n.Data, v); err != nil {
		return fmt.Errorf("decode %s data: %w", n.Type, err)
	}
	return nil
}

// transcript reads every message of a conversation, oldest first.
func transcript(ctx context.Context, s store.Store, convID string) ([]TranscriptLine, error) {
	out := []TranscriptLine{}
	var after int64
	for {
		page, err := s.ListMessages(ctx, convID, after, 500)
		if err != nil {
			return nil, fmt.Errorf("read transcript: %w", err)
		}
		for _, m := range page {
			out = append(out, TranscriptLine{Seq: m.Seq, From: m.From, AgentName: m.AgentName, Text: m.Text, At: m.At.UTC()})
			after = m.Seq
		}
		if len(page) < 500 {
			return out, nil
		}
	}
}
