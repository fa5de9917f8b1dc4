package api

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// Site defaults (docs/protocol.md#sites).
const (
	DefaultClosingSoonMinutes  = 10
	DefaultQueueTimeoutSeconds = 300
	DefaultAlertAfterSeconds   = 60
)

// NewSite returns a site with every default set, ready for the client's fields.
func NewSite(now time.Time) *store.Site {
	return &store.Site{
		Mode:                store.ModeAuto,
		Schedule:            schedule.AlwaysOpen(),
		AllowedOrigins:      []string{},
		ClosingSoonMinutes:  DefaultClosingSoonMinutes,
		QueueTimeoutSeconds: DefaultQueueTimeoutSeconds,
		OfflineForm:         store.OfflineForm{Enabled: true, Fields: []store.FormField{}},
		Notify:              store.Notify{Emails: []string{}},
		PresenceAlerts:      store.PresenceAlerts{Emails: []string{}, AfterSeconds: DefaultAlertAfterSeconds},
		CreatedAt:           now,
		UpdatedAt:           now,
	}
}

var siteFields = []string{"name", "mode", "schedule", "allowed_origins", "closing_soon_minutes",
	"queue_timeout_seconds", "offline_form", "notify", "presence_alerts", "shift_end", "retention_days"}

// siteReadOnly are fields a client may echo back from a GET; they are ignored.
var siteReadOnly = []string{"id", "created_at", "updated_at"}

// applySiteFields validates and applies the fields present in m to st. It changes
// st only when every field is valid, so a bad body changes nothing.
func applySiteFields(st *store.Site, m map[string]json.RawMessage) error {
	if err := rejectUnknown(m, "", siteFields, siteReadOnly...); err != nil {
		return err
	}
	next := *st
	for _, k := range siteFields {
		raw, ok := m[k]
		if !ok {
			continue
		}
		if err := applySiteField(&next, k, raw); err != nil {
			return err
		}
	}
	*st = next
	return nil
}

func applySiteField(st *store.Site, k string, raw json.RawMessage) error {
	var err error
	switch k {
	case "name":
		st.Name, err = stringField(raw, k, 1, 200)
	case "mode":
		st.Mode, err = modeField(raw, k)
	case "schedule":
		st.Schedule, err = scheduleField(raw, k)
	case "allowed_origins":
		st.AllowedOrigins, err = originsField(raw, k)
	case "closing_soon_minutes":
		st.ClosingSoonMinutes, err = intField(raw, k, 0, 1440)
	case "queue_timeout_seconds":
		st.QueueTimeoutSeconds, err = intField(raw, k, 10, 86400)
	case "offline_form":
		err = applyOfflineForm(&st.OfflineForm, raw)
	case "notify":
		err = applyNotify(&st.Notify, raw)
	case "presence_alerts":
		err = applyPresenceAlerts(&st.PresenceAlerts, raw)
	case "shift_end":
		st.ShiftEnd, err = shiftEndField(raw, k)
	case "retention_days":
		st.RetentionDays, err = retentionField(raw, k)
	}
	return err
}

// Bounds of retention_days (docs/protocol.md#retention): a day to ten years.
const (
	MinRetentionDays = 1
	MaxRetentionDays = 3650
)

// retentionField accepts null (keep forever) or a whole number of days within
// MinRetentionDays..MaxRetentionDays.
func retentionField(raw json.RawMessage, name string) (*int, error) {
	if strings.TrimSpace(string(raw)) == "null" {
		return nil, nil
	}
	v, err := intField(raw, name, MinRetentionDays, MaxRetentionDays)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func modeField(raw json.RawMessage, name string) (string, error) {
	return choiceField(raw, name, store.ModeAuto, store.ModeOffline)
}

// choiceField decodes a string that must be a or b.
func choiceField(raw json.RawMessage, name, a, b string) (string, error) {
	var v string
	if err := field(raw, name, &v); err != nil {
		return "", err
	}
	if v != a && v != b {
		return "", badRequest(name, "must be %q or %q", a, b)
	}
	return v, nil
}

// shiftEndField accepts what a site does with an agent's chats at the end of its
// shift (docs/protocol.md#departments): "keep" or "handover".
func shiftEndField(raw json.RawMessage, name string) (string, error) {
	return choiceField(raw, name, store.ShiftEndKeep, store.ShiftEndHandover)
}

func originsField(raw json.RawMessage, name string) ([]string, error) {
	var v []string
	if err := field(raw, name, &v); err != nil {
		return nil, err
	}
	if len(v) > 100 {
		return nil, badRequest(name, "at most 100 origins")
	}
	out := make([]string, 0, len(v))
	for i, o := range v {
		if err := validOrigin(o); err != nil {
			return nil, badRequest(fmt.Sprintf("%s[%d]", name, i), "%v", err)
		}
		out = append(out, trimSlash(o))
	}
	return out, nil
}

func trimSlash(s string) string {
	if len(s) > 0 && s[len(s)-1] == '/' {
		return s[:len(s)-1]
	}
	return s
}

var fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// FormFieldTypes are the input types a custom offline-form field may have.
var FormFieldTypes = map[string]bool{"text": true, "textarea": true, "email": true, "tel": true, "number": true, "checkbox": true}

// reservedFormFields are the offline form's own fields.
var reservedFormFields = map[string]bool{"name": true, "email": true, "message": true}

func applyOfflineForm(f *store.OfflineForm, raw json.RawMessage) error {
	m, err := parseObject(raw, "offline_form")
	if err != nil {
		return err
	}
	if err := rejectUnknown(m, "offline_form", []string{"enabled", "fields"}); err != nil {
		return err
	}
	next := *f
	if r, ok := m["enabled"]; ok {
		if err := field(r, "offline_form.enabled", &next.Enabled); err != nil {
			return err
		}
	}
	if r, ok := m["fields"]; ok {
		var fields []store.FormField
		if err := field(r, "offline_form.fields", &fields); err != nil {
			return err
		}
		if len(fields) > 20 {
			return badRequest("offline_form.fields", "at most 20 fields")
		}
		seen := map[string]bool{}
		for i, ff := range fields {
			p := fmt.Sprintf("offline_form.fields[%d]", i)
			switch {
			case !fieldNameRE.MatchString(ff.Name):
				return badRequest(p+".name", "must be lower case letters, digits and _ (at most 64), starting with a letter")
			case reservedFormFields[ff.Name]:
				return badRequest(p+".name", "%q is a built-in field of the form", ff.Name)
			case seen[ff.Name]:
				return badRequest(p+".name", "duplicate field name %q", ff.Name)
			case !labelOK(ff.Label):
				return badRequest(p+".label", "required, at most 200 characters")
			case ff.Type == "":
				fields[i].Type = "text"
			case !FormFieldTypes[ff.Type]:
				return badRequest(p+".type", "must be one of text, textarea, email, tel, number, checkbox")
			}
			if err := checkLabels(ff.Labels, p+".labels"); err != nil {
				return err
			}
			seen[ff.Name] = true
		}
		if fields == nil {
			fields = []store.FormField{}
		}
		next.Fields = fields
	}
	*f = next
	return nil
}

// labelOK: a form field's label has 1 to 200 characters.
func labelOK(s string) bool { return s != "" && utf8.RuneCountInString(s) <= 200 }

// checkLabels checks a field's labels by language (docs/protocol.md#form-labels):
// at most 50, each keyed by a language tag (as a hello's lang: letters, digits and
// '-', "de", "pt-BR"), no tag twice in another case, each label as the label's rule.
func checkLabels(labels map[string]string, path string) error {
	if len(labels) > 50 {
		return badRequest(path, "at most 50 languages")
	}
	tags := make([]string, 0, len(labels))
	for tag := range labels {
		tags = append(tags, tag)
	}
	sort.Strings(tags) // the first fault is the same on every try
	seen := map[string]bool{}
	for _, tag := range tags {
		switch low := strings.ToLower(tag); {
		case protocol.CleanLang(tag) != tag:
			return badRequest(path, "%q is not a language tag such as \"de\" or \"pt-BR\"", tag)
		case seen[low]:
			return badRequest(path+"."+tag, "language %q is given twice", tag)
		case !labelOK(labels[tag]):
			return badRequest(path+"."+tag, "required, at most 200 characters")
		default:
			seen[low] = true
		}
	}
	return nil
}

func applyNotify(n *store.Notify, raw json.RawMessage) error {
	m, err := parseObject(raw, "notify")
	if err != nil {
		return err
	}
	if err := rejectUnknown(m, "notify", []string{"emails", "webhook_url", "webhook_secret"}, "webhook_secret_set"); err != nil {
		return err
	}
	next := *n
	if r, ok := m["emails"]; ok {
		if next.Emails, err = emailList(r, "notify.emails", 20); err != nil {
			return err
		}
	}
	if r, ok := m["webhook_url"]; ok {
		if next.WebhookURL, err = webhookField(r, "notify.webhook_url"); err != nil {
			return err
		}
	}
	if r, ok := m["webhook_secret"]; ok {
		if next.WebhookSecret, err = stringField(r, "notify.webhook_secret", 0, 256); err != nil {
			return err
		}
	}
	*n = next
	return nil
}

func applyPresenceAlerts(p *store.PresenceAlerts, raw json.RawMessage) error {
	m, err := parseObject(raw, "presence_alerts")
	if err != nil {
		return err
	}
	if err := rejectUnknown(m, "presence_alerts", []string{"emails", "webhook_url", "after_seconds"}); err != nil {
		return err
	}
	next := *p
	if r, ok := m["emails"]; ok {
		if next.Emails, err = emailList(r, "presence_alerts.emails", 20); err != nil {
			return err
		}
	}
	if r, ok := m["webhook_url"]; ok {
		if next.WebhookURL, err = webhookField(r, "presence_alerts.webhook_url"); err != nil {
			return err
		}
	}
	if r, ok := m["after_seconds"]; ok {
		if next.AfterSeconds, err = intField(r, "presence_alerts.after_seconds", 1, 86400); err != nil {
			return err
		}
	}
	*p = next
	return nil
}

// webhookField accepts "" (no webhook) or an absolute http(s) URL.
func webhookField(raw json.RawMessage, name string) (string, error) {
	v, err := stringField(raw, name, 0, 2000)
	if err != nil || v == "" {
		return v, err
	}
	if err := validWebhookURL(v); err != nil {
		return "", badRequest(name, "%v", err)
	}
	return v, nil
}

// siteView is a site as the API shows it: the webhook secret is write-only.
type siteView struct {
	ID                  string               `json:"id"`
	Name                string               `json:"name"`
	Mode                string               `json:"mode"`
	Schedule            schedule.Schedule    `json:"schedule"`
	AllowedOrigins      []string             `json:"allowed_origins"`
	ClosingSoonMinutes  int                  `json:"closing_soon_minutes"`
	QueueTimeoutSeconds int                  `json:"queue_timeout_seconds"`
	OfflineForm         store.OfflineForm    `json:"offline_form"`
	Notify              notifyView           `json:"notify"`
	PresenceAlerts      store.PresenceAlerts `json:"presence_alerts"`
	ShiftEnd            string               `json:"shift_end"`
	RetentionDays       *int                 `json:"retention_days"`
	CreatedAt           time.Time            `json:"created_at"`
	UpdatedAt           time.Time            `json:"updated_at"`
}

type notifyView struct {
	Emails           []string `json:"emails"`
	WebhookURL       string   `json:"webhook_url"`
	WebhookSecretSet bool     `json:"webhook_secret_set"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func viewSite(s *store.Site) siteView {
	form := s.OfflineForm
	form.Fields = orEmpty(form.Fields)
	alerts := s.PresenceAlerts
	alerts.Emails = orEmpty(alerts.Emails)
	return siteView{
		ID: s.ID, Name: s.Name, Mode: s.Mode, Schedule: s.Schedule.Normalize(),
		AllowedOrigins: orEmpty(s.AllowedOrigins), ClosingSoonMinutes: s.ClosingSoonMinutes,
		QueueTimeoutSeconds: s.QueueTimeoutSeconds, OfflineForm: form,
		Notify:         notifyView{Emails: orEmpty(s.Notify.Emails), WebhookURL: s.Notify.WebhookURL, WebhookSecretSet: s.Notify.WebhookSecret != ""},
		PresenceAlerts: alerts, ShiftEnd: s.ShiftEndOrKeep(), RetentionDays: s.RetentionDays, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(),
	}
}
