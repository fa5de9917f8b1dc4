// Package deskapi owns the seam between the endpoints and the routing desk: the
// Desk interface the WebSocket sessions and the HTTP API call, whether the desk runs
// in this process (package gateway's local desk) or on the cluster's leader
// (package cluster), the VisitorJoin a visitor's welcome is built from, and Out,
// where a desk's frames go. It holds no logic, so both sides import it and neither
// imports the other.
package deskapi

import (
	"context"
	"time"

	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// Desk is what the sockets and the API ask of the routing desk. On a single node
// it is the node's own routing.Desk (package gateway's localDesk); in cluster mode
// the desk runs on the leader node and every other node reaches it through Redis
// (package cluster).
//
// Errors are the routing and store sentinels (routing.ErrUnknownSite,
// routing.ErrConversationExists, routing.ErrNotInConversation, store.ErrNotFound,
// store.ErrUnavailable), whichever node the desk runs on.
type Desk interface {
	// Site returns the site (nil when unknown); the caller must not change it.
	Site(siteID string) *store.Site
	// JoinVisitor calls join (which joins c to the visitor's groups), then queues on
	// c the frames welcome returns, built from the site's status and the visitor's
	// conversation, so that no frame decided after that snapshot is lost or comes
	// before them, and none decided before it comes after them. welcome returns nil
	// when it could not be built (it reports why itself).
	JoinVisitor(ctx context.Context, siteID, visitorID string, c *hub.Client, join func(), welcome func(VisitorJoin) [][]byte) error
	// StartChat routes a chat at this instant (routing.Desk.StartChat).
	StartChat(ctx context.Context, req routing.StartRequest) (routing.StartResult, error)
	// VisitorConversation is the visitor's queued or open conversation (nil: none).
	VisitorConversation(ctx context.Context, visitorID string) (*store.Conversation, error)
	// Conversation is a queued or open conversation (nil: not in flight).
	Conversation(ctx context.Context, id string) (*store.Conversation, error)
	// VisitorMessage stores a visitor's chat message in its queued or open
	// conversation (routing.AppendVisitorMessage): routing.ErrNotInConversation when
	// it has none that takes it. The caller acks and delivers it.
	VisitorMessage(ctx context.Context, m routing.VisitorMessage) (routing.Appended, error)
	// EndChat ends a conversation (routing.Desk.EndChat).
	EndChat(ctx context.Context, req routing.EndRequest) (*store.Conversation, error)
	// ConnectAgent counts a new socket of the agent, with join and welcome as for
	// JoinVisitor: the welcome comes before the changes the socket brings.
	ConnectAgent(ctx context.Context, agentID string, c *hub.Client, join func(), welcome func(routing.AgentSnapshot) [][]byte) error
	// AgentDisconnected counts a socket of the agent gone.
	AgentDisconnected(agentID string)
	// SetPresence sets the presence an agent chose or an admin set.
	SetPresence(ctx context.Context, agentID, status, reason string) (routing.Presence, error)
	// Activity records that the agent did something.
	Activity(agentID string)
	// Snooze extends the agent's shift and tells all its sockets (the frame has re).
	Snooze(ctx context.Context, agentID, re string) error
	// EndSnooze cancels (until zero) or shortens the agent's running snooze and
	// tells all its sockets (routing.Desk.EndSnoozeAnnounced; routing.ErrSnoozeEnd
	// for an end it cannot take).
	EndSnooze(ctx context.Context, agentID, re string, until time.Time) error
	// SiteChanged, SiteDeleted, AgentChanged and AgentDeleted take an edit that is
	// already in the store.
	SiteChanged(ctx context.Context, s *store.Site) error
	SiteDeleted(ctx context.Context, siteID string)
	AgentChanged(ctx context.Context, a *store.Agent)
	AgentDeleted(ctx context.Context, agentID string)
	// Status is the site's status now and how many agents are available for it.
	Status(ctx context.Context, siteID string) (routing.Status, int, error)
	// Transfer hands an open conversation to an agent or a department
	// (routing.Desk.Transfer; routing.ErrTransferConflict, ErrUnknownAgent,
	// ErrUnknownDepartment, ErrNotOpen for what it cannot do).
	Transfer(ctx context.Context, req routing.TransferRequest) (routing.TransferResult, error)
	// DepartmentsChanged takes the site's departments as the store has them now,
	// after an edit.
	DepartmentsChanged(ctx context.Context, siteID string) error
	// DepartmentStatus is a department's status now and how many of its agents are
	// available (routing.ErrUnknownDepartment when it is not the site's).
	DepartmentStatus(ctx context.Context, siteID, deptID string) (routing.Status, int, error)
	// AgentLoads lists the agents available for the site now with their loads
	// (routing.Desk.AgentLoads).
	AgentLoads(ctx context.Context, siteID string) ([]routing.AgentLoad, error)
}

// VisitorJoin is what a visitor's welcome is built from. It travels between
// cluster nodes as JSON (all but Site).
type VisitorJoin struct {
	Status       routing.Status      `json:"status"`
	Conversation *store.Conversation `json:"conversation"`
	// ClosingSoon is when the site closes, when a visitor connecting now is to be
	// told it closes soon.
	ClosingSoon *time.Time `json:"closing_soon"`
	// Departments are the site's departments with their statuses, in position
	// order (none for a site without).
	Departments []routing.DepartmentStatus `json:"departments,omitempty"`
	// Site is the site; not sent between nodes (each node has its own copy).
	Site *store.Site `json:"-"`
}

// Out sends a frame to a hub group: to this node's members, or, in cluster mode,
// to the members on every node through Redis. status marks a coalescing frame
// (hub.Client.SendStatus). Send never blocks on a socket or on Redis; frames are
// shared, so the caller must not modify b afterwards.
type Out interface {
	Send(group string, b []byte, status bool)
}
