package protocol

import "fmt"

// Error is a contract error as an error frame carries it: a code of this package,
// a message for people and the JSON path of the field at fault (empty for the frame
// as a whole).
type Error struct {
	Code, Message, Field string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns the Error with code and field, its message formatted from format
// and args.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Frame answers e as the error frame of the client frame with id re ("" for none).
func (e *Error) Frame(re string) ErrorFrame {
	return ErrorFrame{Re: re, Code: e.Code, Message: e.Message, Field: e.Field}
}
