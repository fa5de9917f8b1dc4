package protocol

// Error codes: the wire names of the `code` of an error frame and of an HTTP API
// error (docs/protocol.md#http-api, docs/protocol.md#websocket-frames).
const (
	CodeBadRequest  = "bad_request"
	CodeUnknownType = "unknown_type" // sockets only: a frame type the socket does not take
	CodeUnauth      = "unauthorized"
	CodeForbidden   = "forbidden" // HTTP API only
	CodeNotFound    = "not_found"
	CodeConflict    = "conflict"
	CodeRateLimited = "rate_limited"
	CodeUnavailable = "unavailable"
	CodeInternal    = "internal"
)

// Close codes of a socket (docs/protocol.md#websocket-frames, the table of limits).
const (
	CloseNormal       = 1000 // normal closure
	CloseTooBig       = 1009 // a frame over MaxFrameBytes
	CloseInternal     = 1011 // internal error; also a write that failed for a reason other than a timeout
	CloseRestart      = 1012 // server draining: reconnect with backoff and jitter
	CloseTryAgain     = 1013 // the hello could not be answered now (store or cluster leader unreachable): reconnect with backoff
	CloseUnauthorized = 4001 // no valid hello in time, or a bad token
	CloseLoggedOut    = 4002 // force_logout
	CloseSlowConsumer = 4003 // full send queue or a write over the write timeout
	CloseRateLimited  = 4004 // sustained abuse of the rate limit
)

// Frame limits (docs/protocol.md#websocket-frames).
const (
	MaxFrameBytes = 16 << 10 // a bigger frame closes the socket with CloseTooBig
	MaxFrameID    = 64       // characters of a client frame's id
	MaxTextChars  = 4000     // code points of a chat text (text, message)
	MaxNameChars  = 200      // code points of a visitor's name
	MaxFieldChars = 1000     // code points of a custom offline field's value
	MaxRefChars   = 64       // characters of an id a client frame names (department_id, to_agent_id, ...; docs/protocol.md#transfers)
	MaxNoteChars  = 1000     // code points of a transfer's note (docs/protocol.md#transfers)
)
