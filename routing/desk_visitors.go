package routing

import "github.com/livedesk/gateway/store"

// JoinVisitor hands fn the site's status now, the site, and the visitor's queued or
// open conversation on it (nil when none), with the desk's lock held: the frames fn
// queues (the welcome, joining the site's group) come before any change announced
// after. fn must only queue frames and read the store.
func (d *Desk) JoinVisitor(siteID, visitorID string, fn func(st Status, site *store.Site, c *store.Conversation)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return ErrUnknownSite
	}
	var c *store.Conversation
	if id, ok := d.byVisitor[visitorID]; ok {
		if cs := d.convs[id]; cs != nil && cs.conv.SiteID == siteID {
			c = copyConv(cs.conv)
		}
	}
	fn(d.statusLocked(ss, d.clock.Now()), ss.site, c)
	return nil
}
