package schedule

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Parse decodes a schedule from JSON and validates it (see Validate). Every failure is
// an *Error: a JSON syntax error, or a top-level value that is not an object, has an
// empty Path; a value of the wrong JSON type names its field with indices and weekday
// keys ("weekly.mon[0].from: must be a string"); otherwise Validate's error is returned.
// Unknown fields are ignored and field names match case-insensitively, as with
// encoding/json. The schedule is returned as decoded (not normalized).
func Parse(data []byte) (Schedule, error) {
	s, problems := ParseAll(data)
	if len(problems) > 0 {
		return Schedule{}, problems[0]
	}
	return s, nil
}

// ParseAll is Parse reporting every problem: the decoded schedule and nil, or a zero
// Schedule and the problems, first the one Parse returns. A document that does not
// decode (bad JSON, a value of the wrong JSON type) has exactly one problem, since
// nothing after it can be read; a decoded one has those of Problems.
func ParseAll(data []byte) (Schedule, []*Error) {
	var s Schedule
	if trimmed := bytes.TrimSpace(data); bytes.Equal(trimmed, []byte("null")) {
		return Schedule{}, []*Error{{Message: "must be a schedule object, not null"}}
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return Schedule{}, []*Error{decodeError(data, err)}
	}
	if p := s.Problems(); len(p) > 0 {
		return Schedule{}, p
	}
	return s, nil
}

func decodeError(data []byte, err error) *Error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return &Error{Message: "invalid JSON at offset " + strconv.FormatInt(syn.Offset, 10) + ": " + syn.Error()}
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if e := findTypeError(data); e != nil {
			return e
		}
		return &Error{Path: typ.Field, Message: "must not be a JSON " + typ.Value}
	}
	return &Error{Message: "invalid JSON: " + err.Error()}
}

// findTypeError walks the generic decoding of data, in Validate's order, and reports
// the first value whose JSON type does not fit the Schedule model. It only serves to
// name the field precisely (encoding/json's UnmarshalTypeError.Field has neither
// indices nor map keys); nil means it found nothing.
func findTypeError(data []byte) *Error {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	top, ok := v.(map[string]any)
	if !ok {
		return &Error{Message: "must be a schedule object"}
	}
	if x, ok := field(top, "enabled", notBool); ok {
		if _, isBool := x.(bool); !isBool && x != nil {
			return &Error{Path: "enabled", Message: "must be true or false"}
		}
	}
	if x, ok := field(top, "timezone", notString); ok {
		if e := wantString("timezone", x); e != nil {
			return e
		}
	}
	if x, ok := field(top, "weekly", notObject); ok && x != nil {
		weekly, isObj := x.(map[string]any)
		if !isObj {
			return &Error{Path: "weekly", Message: "must be an object"}
		}
		keys := make([]string, 0, len(weekly))
		for k := range weekly {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			wi, wj := weekdayIndex(keys[i]) >= 0, weekdayIndex(keys[j]) >= 0
			if wi != wj {
				return wi
			}
			if wi {
				return weekdayOrder(keys[i]) < weekdayOrder(keys[j])
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			if e := wantIntervals("weekly."+k, weekly[k]); e != nil {
				return e
			}
		}
	}
	if x, ok := field(top, "exceptions", notArray); ok && x != nil {
		list, isArr := x.([]any)
		if !isArr {
			return &Error{Path: "exceptions", Message: "must be an array"}
		}
		for i, el := range list {
			p := "exceptions[" + strconv.Itoa(i) + "]"
			if el == nil {
				continue
			}
			obj, isObj := el.(map[string]any)
			if !isObj {
				return &Error{Path: p, Message: "must be an object"}
			}
			if d, ok := field(obj, "date", notString); ok {
				if e := wantString(p+".date", d); e != nil {
					return e
				}
			}
			if ivs, ok := field(obj, "intervals", notArray); ok {
				if e := wantIntervals(p+".intervals", ivs); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

func weekdayOrder(key string) int {
	for i, k := range Weekdays {
		if k == key {
			return i
		}
	}
	return len(Weekdays)
}

func wantIntervals(path string, x any) *Error {
	if x == nil {
		return nil
	}
	list, isArr := x.([]any)
	if !isArr {
		return &Error{Path: path, Message: "must be an array"}
	}
	for i, el := range list {
		p := path + "[" + strconv.Itoa(i) + "]"
		if el == nil {
			continue
		}
		obj, isObj := el.(map[string]any)
		if !isObj {
			return &Error{Path: p, Message: "must be an object"}
		}
		for _, name := range [...]string{"from", "to"} {
			if v, ok := field(obj, name, notString); ok {
				if e := wantString(p+"."+name, v); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

func wantString(path string, x any) *Error {
	if _, isStr := x.(string); !isStr && x != nil {
		return &Error{Path: path, Message: "must be a string"}
	}
	return nil
}

// field looks a struct field up the way encoding/json matches it: the exact name
// first, else a key equal under case folding. When several keys fold to the name (a
// pathological document), the one with a value of the wrong type is preferred, so that
// the error names it; ties go to the first key in sorted order, to stay deterministic.
func field(obj map[string]any, name string, bad func(any) bool) (any, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	var keys []string
	for k := range obj {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, false
	}
	sort.Strings(keys)
	for _, k := range keys {
		if bad(obj[k]) {
			return obj[k], true
		}
	}
	return obj[keys[0]], true
}

func notBool(x any) bool {
	_, ok := x.(bool)
	return !ok && x != nil
}

func notString(x any) bool {
	_, ok := x.(string)
	return !ok && x != nil
}

func notObject(x any) bool {
	_, ok := x.(map[string]any)
	return !ok && x != nil
}

func notArray(x any) bool {
	_, ok := x.([]any)
	return !ok && x != nil
}
