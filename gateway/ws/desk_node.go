package ws

import (
	"context"

	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
	"github.com/prometheus/client_golang/prometheus"
)

// deskNode is the one way the realtime side reaches its desk and the other nodes,
// whether the desk runs in this process (singleNode) or on the cluster's leader
// (*cluster.Node): nothing else in the realtime side asks which.
type deskNode interface {
	// Desk is what the sockets and the API ask of the routing desk.
	Desk() deskapi.Desk
	// Start loads the desk (single node) or joins the cluster.
	Start(ctx context.Context) error
	// Stopping tells the desk the node drains (routing.Desk.Stopping); Stop stops
	// it, after the sockets were closed.
	Stopping()
	Stop()
	// Subscribe is called before a socket of this node joins group, Unsubscribe
	// after it left it (the cluster follows the groups with its subscriptions).
	Subscribe(group string)
	Unsubscribe(group string)
	// ForceLogout logs out every socket of the agent, on every node.
	ForceLogout(agentID string)
	// AgentEdited moves the agent's sockets, on every node, to the groups of its
	// edited site list (the desk already has the edit).
	AgentEdited(a *store.Agent)
	// RegisterMetrics adds the node's own metrics.
	RegisterMetrics(reg *prometheus.Registry)
}

var (
	_ deskNode     = (*singleNode)(nil)
	_ deskNode     = (*cluster.Node)(nil)
	_ cluster.Host = clusterHost{}
)

// singleNode is the deskNode of a server that is not part of a cluster: its own
// routing desk, and its own sockets for everything else.
type singleNode struct {
	rt    *Realtime
	d     *routing.Desk
	local deskapi.Desk
	// stopAlerts stops the desk's presence checks.
	stopAlerts func()
}

func newSingleNode(rt *Realtime) *singleNode {
	n := &singleNode{rt: rt}
	n.d, n.local, n.stopAlerts = rt.newLocalDesk(rt.out)
	return n
}

func (n *singleNode) Desk() deskapi.Desk                   { return n.local }
func (n *singleNode) Start(ctx context.Context) error      { return n.d.Load(ctx) }
func (n *singleNode) Stopping()                            { n.d.Stopping() }
func (n *singleNode) Subscribe(string)                     {}
func (n *singleNode) Unsubscribe(string)                   {}
func (n *singleNode) ForceLogout(agentID string)           { n.rt.forceLogoutHere(agentID) }
func (n *singleNode) AgentEdited(a *store.Agent)           { n.rt.moveAgentSockets(a) }
func (n *singleNode) RegisterMetrics(*prometheus.Registry) {}

func (n *singleNode) Stop() {
	n.d.Close()
	n.stopAlerts()
}

// newLocalDesk makes a routing desk for this node's store and clock whose
// decisions go to out as frames, with the deskapi.Desk over it; stopAlerts cancels
// its pending presence checks (call it after Close).
func (rt *Realtime) newLocalDesk(out frameOut) (d *routing.Desk, local deskapi.Desk, stopAlerts func()) {
	a := rt.newDeskAnnouncer(func(id string) *store.Site { return d.Site(id) })
	d = routing.New(routing.Options{Store: rt.store, Clock: rt.clock, Notify: newNotifier(out), Logger: rt.opts.Logger.Named("desk"),
		DisconnectGrace: rt.opts.DisconnectGrace, Announce: a})
	return d, localDesk{d: d, out: out}, a.stop
}

// clusterHost is the cluster.Host of a node in cluster mode: its sessions.
type clusterHost struct{ rt *Realtime }

func (h clusterHost) NewDesk(out deskapi.Out) (*routing.Desk, deskapi.Desk, func()) {
	return h.rt.newLocalDesk(sendOut{out})
}

func (h clusterHost) StatusFrame(st routing.Status) []byte {
	return frame("status", map[string]any{"status": st})
}

func (h clusterHost) ForceLogoutHere(agentID string)  { h.rt.forceLogoutHere(agentID) }
func (h clusterHost) MoveAgentSockets(a *store.Agent) { h.rt.moveAgentSockets(a) }

// sendOut is a deskapi.Out (the cluster's) as a frameOut.
type sendOut struct{ o deskapi.Out }

func (s sendOut) send(group string, b []byte, status bool) { s.o.Send(group, b, status) }
