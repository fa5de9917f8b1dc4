package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// The operations of the leader RPC: each has its name on the wire, one request
// type and one response type, and the leader's handler. ops is the registry the
// leader dispatches by; a node calls an op through its typed call, begin or cast,
// so a request of the wrong type does not compile.
//
// Changing a request's or a response's JSON, or what an op means, changes the
// wire: bump wireVersion (rpc.go).
var (
	opStart = op[routing.StartRequest, routing.StartResult]{"start",
		func(l *leader, ctx context.Context, _ string, r routing.StartRequest) (routing.StartResult, error) {
			return l.d.StartChat(ctx, r)
		}}
	opJoinVisitor = op[joinVisitorReq, joinVisitorRes]{"join_visitor", (*leader).joinVisitor}
	opEnd         = op[routing.EndRequest, *store.Conversation]{"end",
		func(l *leader, ctx context.Context, _ string, r routing.EndRequest) (*store.Conversation, error) {
			return l.d.EndChat(ctx, r)
		}}
	opConnect    = op[connectReq, connectRes]{"connect", (*leader).connect}
	opDisconnect = op[disconnectReq, none]{"disconnect",
		func(l *leader, _ context.Context, node string, r disconnectReq) (none, error) {
			l.disconnect(node, r.Agent)
			return none{}, nil
		}}
	opHeartbeat = op[heartbeatReq, none]{"heartbeat",
		func(l *leader, _ context.Context, node string, r heartbeatReq) (none, error) {
			l.heartbeat(node, r.Sockets)
			return none{}, nil
		}}
	opLeave = op[leaveReq, none]{"leave",
		func(l *leader, _ context.Context, node string, _ leaveReq) (none, error) {
			l.forget(node)
			return none{}, nil
		}}
	opPresence = op[presenceReq, routing.Presence]{"presence",
		func(l *leader, ctx context.Context, _ string, r presenceReq) (routing.Presence, error) {
			return l.d.SetPresence(ctx, r.Agent, r.Status, r.Reason)
		}}
	opActivity = op[activityReq, none]{"activity",
		func(l *leader, _ context.Context, _ string, r activityReq) (none, error) {
			l.d.Activity(r.Agent)
			return none{}, nil
		}}
	opSnooze = op[snoozeReq, none]{"snooze",
		func(l *leader, ctx context.Context, _ string, r snoozeReq) (none, error) {
			return none{}, l.desk.Snooze(ctx, r.Agent, r.Re)
		}}
	opEndSnooze = op[endSnoozeReq, none]{"end_snooze",
		func(l *leader, ctx context.Context, _ string, r endSnoozeReq) (none, error) {
			return none{}, l.desk.EndSnooze(ctx, r.Agent, r.Re, r.Until)
		}}
	opSiteChanged = op[siteChangedReq, none]{"site_changed", (*leader).siteChanged}
	opSiteDeleted = op[siteDeletedReq, none]{"site_deleted",
		func(l *leader, _ context.Context, _ string, r siteDeletedReq) (none, error) {
			l.d.SiteDeleted(r.Site)
			return none{}, nil
		}}
	opAgentChanged = op[agentChangedReq, none]{"agent_changed", (*leader).agentChanged}
	opAgentDeleted = op[agentDeletedReq, none]{"agent_deleted",
		func(l *leader, _ context.Context, _ string, r agentDeletedReq) (none, error) {
			l.d.AgentDeleted(r.Agent)
			return none{}, nil
		}}
	opTransfer = op[routing.TransferRequest, routing.TransferResult]{"transfer",
		func(l *leader, ctx context.Context, _ string, r routing.TransferRequest) (routing.TransferResult, error) {
			return l.d.Transfer(ctx, r)
		}}
	opDepartmentsChanged = op[siteChangedReq, none]{"departments_changed",
		func(l *leader, ctx context.Context, _ string, r siteChangedReq) (none, error) {
			return none{}, l.d.ReloadDepartments(ctx, r.Site)
		}}
	opDepartmentStatus = op[departmentStatusReq, statusRes]{"department_status",
		func(l *leader, _ context.Context, _ string, r departmentStatusReq) (statusRes, error) {
			st, avail, err := l.d.DepartmentStatus(r.Site, r.Department)
			return statusRes{Status: st, Available: avail}, err
		}}
	opAgentLoads = op[statusReq, []routing.AgentLoad]{"agent_loads",
		func(l *leader, _ context.Context, _ string, r statusReq) ([]routing.AgentLoad, error) {
			return l.d.AgentLoads(r.Site)
		}}
	opStatus = op[statusReq, statusRes]{"status",
		func(l *leader, ctx context.Context, _ string, r statusReq) (statusRes, error) {
			st, avail, err := l.desk.Status(ctx, r.Site)
			return statusRes{Status: st, Available: avail}, err
		}}
)

// opList is every op; ops is the registry made of it, by name on the wire.
var (
	opList = []registered{opStart, opJoinVisitor, opEnd, opConnect, opDisconnect, opHeartbeat, opLeave, opPresence,
		opActivity, opSnooze, opEndSnooze, opSiteChanged, opSiteDeleted, opAgentChanged, opAgentDeleted, opStatus,
		opTransfer, opDepartmentsChanged, opDepartmentStatus, opAgentLoads}
	ops = registry(opList...)
)

// Requests and responses (the ops that answer nothing but success or an error
// answer none).
type (
	none           struct{}
	joinVisitorReq struct {
		Site    string `json:"site"`
		Visitor string `json:"visitor"`
	}
	// joinVisitorRes is the visitor's welcome with the number of the last desk
	// decision it reflects.
	joinVisitorRes struct {
		View deskapi.VisitorJoin `json:"view"`
		Seq  uint64              `json:"seq"`
	}
	connectReq struct {
		Agent string `json:"agent"`
	}
	// connectRes is the agent's snapshot (without the agent, which the node has)
	// with the number of the last desk decision it reflects.
	connectRes struct {
		Snap routing.AgentSnapshot `json:"snap"`
		Seq  uint64                `json:"seq"`
	}
	disconnectReq struct {
		Agent string `json:"agent"`
	}
	// heartbeatReq is a node's live sockets of each agent.
	heartbeatReq struct {
		Sockets map[string]int `json:"sockets"`
	}
	leaveReq    struct{}
	presenceReq struct {
		Agent  string `json:"agent"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	activityReq struct {
		Agent string `json:"agent"`
	}
	snoozeReq struct {
		Agent string `json:"agent"`
		Re    string `json:"re"`
	}
	endSnoozeReq struct {
		Agent string `json:"agent"`
		Re    string `json:"re"`
		// Until is shift.snooze.end's (zero: cancel).
		Until time.Time `json:"until"`
	}
	siteChangedReq struct {
		Site string `json:"site"`
	}
	departmentStatusReq struct {
		Site       string `json:"site"`
		Department string `json:"department"`
	}
	siteDeletedReq struct {
		Site string `json:"site"`
	}
	agentChangedReq struct {
		Agent string `json:"agent"`
	}
	agentDeletedReq struct {
		Agent string `json:"agent"`
	}
	statusReq struct {
		Site string `json:"site"`
	}
	statusRes struct {
		Status    routing.Status `json:"status"`
		Available int            `json:"available"`
	}
)

// joinVisitor is the visitor's welcome, numbered under the desk's lock.
func (l *leader) joinVisitor(_ context.Context, _ string, r joinVisitorReq) (joinVisitorRes, error) {
	var res joinVisitorRes
	err := l.d.JoinVisitor(r.Site, r.Visitor, func(j routing.VisitorJoin) {
		res.View = deskapi.VisitorJoin{Status: j.Status, Conversation: j.Conversation, ClosingSoon: j.ClosingSoon, Departments: j.Departments}
		res.Seq = l.n.pub.lastSeq()
	})
	return res, err
}

// siteChanged gives the desk the site as the store has it now (deleted meanwhile:
// the desk drops it).
func (l *leader) siteChanged(ctx context.Context, _ string, r siteChangedReq) (none, error) {
	s, err := l.n.d.Store.GetSite(ctx, r.Site)
	if errors.Is(err, store.ErrNotFound) {
		l.d.SiteDeleted(r.Site)
		return none{}, nil
	}
	if err != nil {
		return none{}, err
	}
	return none{}, l.d.SiteChanged(s)
}

// agentChanged gives the desk the agent as the store has it now (deleted
// meanwhile: the desk drops it).
func (l *leader) agentChanged(ctx context.Context, _ string, r agentChangedReq) (none, error) {
	a, err := l.n.d.Store.GetAgent(ctx, r.Agent)
	if errors.Is(err, store.ErrNotFound) {
		l.d.AgentDeleted(r.Agent)
		return none{}, nil
	}
	if err != nil {
		return none{}, err
	}
	l.d.AgentChanged(a)
	return none{}, nil
}
