// Package fdlimit raises a process's open-file soft limit to its hard limit, so that
// a gateway node or a load generator can hold as many sockets as the system allows.
//
// The Go runtime already raises the soft limit at start on most Unix systems (Go
// 1.19+); calling Raise makes the step explicit, reports the values, and covers the
// platforms and start-up paths where the runtime did not.
package fdlimit

// Limit is an RLIMIT_NOFILE pair.
type Limit struct {
	Soft uint64 `json:"soft"`
	Hard uint64 `json:"hard"`
}
