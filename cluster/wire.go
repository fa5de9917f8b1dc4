package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"time"
)

// Channels of a cluster, after the prefix:
//
//	g:<group>      frames for the members of a hub group ("site:ID", "agent:ID", ...);
//	               a node is subscribed while it has members of the group
//	ctl            control messages every node acts on (force logout, edits)
//	rpc:leader     calls to the leader's desk; only the leader is subscribed
//	rpc:node:<id>  the leader's answers to one node
//	lease          "released" when a leader steps down, so others take over at once
const (
	chanGroup   = "g:"
	chanControl = "ctl"
	chanLeader  = "rpc:leader"
	chanNode    = "rpc:node:"
	chanLease   = "lease"
)

// A group frame on the wire: one kind byte, the 8-byte big-endian number of the
// desk decision that made it (0: none), then the frame as the sockets get it.
const (
	kindFrame  byte = 'f'
	kindStatus byte = 's' // a coalescing frame (SendStatus)
	envHeader       = 9
)

var errBadEnvelope = errors.New("cluster: malformed group frame")

func encodeEnvelope(b []byte, seq uint64, status bool) []byte {
	out := make([]byte, envHeader+len(b))
	out[0] = kindFrame
	if status {
		out[0] = kindStatus
	}
	binary.BigEndian.PutUint64(out[1:envHeader], seq)
	copy(out[envHeader:], b)
	return out
}

func decodeEnvelope(p []byte) (frame []byte, seq uint64, status bool, err error) {
	if len(p) < envHeader || (p[0] != kindFrame && p[0] != kindStatus) {
		return nil, 0, false, errBadEnvelope
	}
	return p[envHeader:], binary.BigEndian.Uint64(p[1:envHeader]), p[0] == kindStatus, nil
}

// control is a message on the ctl channel.
type control struct {
	Op string `json:"op"`
	ID string `json:"id"`
}

// Control operations.
const (
	ctlLogout = "logout" // force_logout every socket of agent ID
	ctlAgent  = "agent"  // agent ID was edited: reload it, move its sockets
	ctlSite   = "site"   // site ID was edited or deleted: drop cached copies
	// ctlDepartments: the departments of site ID changed: drop the views of its
	// status, which list them.
	ctlDepartments = "departments"
)

// opCtx bounds one store operation or call the node makes on its own behalf (a
// control message, a resync, a call the leader answers).
func opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}
