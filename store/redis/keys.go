package redisstore

import (
	"strconv"
	"strings"

	"github.com/livedesk/gateway/store"
)

// keys builds the store's key names (see the layout in doc.go).
type keys struct{ p string }

func (k keys) site(id string) string       { return k.p + "site:" + id }
func (k keys) sites() string               { return k.p + "sites" }
func (k keys) dept(id string) string       { return k.p + "dept:" + id }
func (k keys) deptSite(site string) string { return k.p + "dept_site:" + site }
func (k keys) agent(id string) string      { return k.p + "agent:" + id }
func (k keys) agents() string              { return k.p + "agents" }
func (k keys) email(lower string) string   { return k.p + "agent_email:" + lower }
func (k keys) owners() string              { return k.p + "owners" }
func (k keys) conv(id string) string       { return k.p + "conv:" + id }
func (k keys) convs() string               { return k.p + "convs" }
func (k keys) convSite(site string) string { return k.p + "conv_site:" + site }
func (k keys) convState(st string) string  { return k.p + "conv_state:" + st }
func (k keys) convVisitor(v string) string { return k.p + "conv_visitor:" + v }
func (k keys) msgs(conv string) string     { return k.p + "msgs:" + conv }
func (k keys) msgCID(conv string) string   { return k.p + "msg_cid:" + conv }
func (k keys) offline(site string) string  { return k.p + "offline:" + site }
func (k keys) offlineRec(s string) string  { return k.p + "offline_rec:" + s }
func (k keys) offlineCID(s string) string  { return k.p + "offline_cid:" + s }
func (k keys) setting(key string) string   { return k.p + "setting:" + key }
func (k keys) notif(id string) string      { return k.p + "notif:" + id }
func (k keys) notifs() string              { return k.p + "notifs" }
func (k keys) notifSite(s string) string   { return k.p + "notif_site:" + s }
func (k keys) notifState(st string) string { return k.p + "notif_state:" + st }
func (k keys) notifDue() string            { return k.p + "notif_due" }
func (k keys) notifPending() string        { return k.p + "notif_pending" }

// visitorNumbers is the site's hash of visitor numbers (visitors.go).
func (k keys) visitorNumbers(site string) string { return k.p + "visitor_numbers:" + site }

// convSiteState is length-prefixed so no site id can run into the state.
func (k keys) convSiteState(site, state string) string {
	return k.p + "conv_site_state:" + strconv.Itoa(len(site)) + ":" + site + ":" + state
}

// notifSiteState is length-prefixed so no site id can run into the state.
func (k keys) notifSiteState(site, state string) string {
	return k.p + "notif_site_state:" + strconv.Itoa(len(site)) + ":" + site + ":" + state
}

// offlineState is the set of a site's offline message ids in a handled state
// (read, done), length-prefixed so no site id can run into the state.
func (k keys) offlineState(site, state string) string {
	return k.p + "offline_state:" + strconv.Itoa(len(site)) + ":" + site + ":" + state
}

// emailKey is the index form of an e-mail: lower-cased; "" (not indexed) for none.
func emailKey(email string) string { return strings.ToLower(email) }

// offlineCIDField is the dedupe field of an offline message within its site:
// visitor and client id, the visitor length-prefixed. "" when m has no ClientID.
func offlineCIDField(m *store.OfflineMessage) string {
	if m.ClientID == "" {
		return ""
	}
	return strconv.Itoa(len(m.VisitorID)) + ":" + m.VisitorID + ":" + m.ClientID
}
