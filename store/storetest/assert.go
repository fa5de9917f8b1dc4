package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The small assert helpers the suite uses. Each reports with t.Helper so failures
// point at the calling line.

// ok fails the test at once when err is not nil.
func ok(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// isErr fails the test at once unless errors.Is(err, target).
func isErr(t testing.TB, err, target error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %v", what, target)
	}
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want one that is %v", what, err, target)
	}
}

// equal fails the test at once unless got == want.
func equal[T comparable](t testing.TB, got, want T, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// same fails the test at once unless got and want hold the same data: see diff.
func same(t testing.TB, got, want any, what string) {
	t.Helper()
	if d := diff(reflect.ValueOf(got), reflect.ValueOf(want), ""); d != "" {
		t.Fatalf("%s: records differ at %s\n got: %s\nwant: %s", what, d, show(got), show(want))
	}
}

// differs returns where got and want differ ("" when they hold the same data). Unlike
// same it never stops the test, so update functions (which a store may run on
// another goroutine) can use it.
func differs(got, want any) string {
	return diff(reflect.ValueOf(got), reflect.ValueOf(want), "")
}

// show renders v for a failure message: JSON, so pointers show what they point at.
func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(data)
}

var timeType = reflect.TypeFor[time.Time]()

// diff returns the path of the first difference between a and b, or "" when they
// hold the same data. Times compare with Equal (the zone and the monotonic reading do
// not matter), and a nil slice or map equals an empty one: what a store keeps is the
// data, not Go's representation of it.
func diff(a, b reflect.Value, path string) string {
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			return pathOr(path)
		}
		return ""
	}
	if a.Type() != b.Type() {
		return pathOr(path) + " (types)"
	}
	if a.Type() == timeType {
		if !a.Interface().(time.Time).Equal(b.Interface().(time.Time)) {
			return pathOr(path)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return pathOr(path) + " (nil)"
			}
			return ""
		}
		return diff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if d := diff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s (len %d != %d)", pathOr(path), a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := diff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s (len %d != %d)", pathOr(path), a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s[%v] (missing)", path, k)
			}
			if d := diff(a.MapIndex(k), bv, fmt.Sprintf("%s[%v]", path, k)); d != "" {
				return d
			}
		}
		return ""
	default:
		if !a.Equal(b) {
			return pathOr(path)
		}
		return ""
	}
}

func pathOr(path string) string {
	if path == "" {
		return "(top)"
	}
	return strings.TrimPrefix(path, ".")
}
