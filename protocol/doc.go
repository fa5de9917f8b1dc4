// Package protocol owns the WebSocket contract of docs/protocol.md#websocket-frames
// as Go types: one struct per frame type, client -> server (inbound: Decode turns a
// frame's bytes into one of them, or into the contract error the client gets) and
// server -> client (outbound: Encode writes one), the frame limits, the error codes
// with their wire names (shared with the HTTP API, docs/protocol.md#http-api)
// and the close codes.
//
// It is a leaf: it imports only the standard library, so the gateway, the load
// generator and the tests can all speak the protocol without the server's
// packages. Values that the server's domain also has (a status, a presence, a
// shift) are declared here with the same fields, so the gateway converts them with
// a plain Go conversion, which stops compiling if the two ever drift apart.
//
// A new frame type: add its struct and FrameType (inbound.go or outbound.go); an
// inbound one also goes in its side's table in decode.go (Types lists it from
// there) and gets its Validate (validate.go); add a row for it in the round-trip
// tests. The gateway's authorization matrix then asks for a row too.
package protocol
