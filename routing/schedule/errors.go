package schedule

// Error is a validation error. Path names the offending field as a JSON path into the
// schedule document ("timezone", "weekly.mon[1].from", "exceptions[2].date",
// "weekly.monday"); it is empty when the problem is the document as a whole (a JSON
// syntax error, a top-level value that is not an object).
//
// Every error returned by Parse, Validate and Compile is an *Error; ParseDate returns
// one with an empty Path so that callers can fill in their own field name.
type Error struct {
	Path    string
	Message string
}

// Error returns "PATH: MESSAGE", or just the message when Path is empty.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}
