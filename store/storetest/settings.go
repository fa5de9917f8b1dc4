package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/livedesk/gateway/store"
)

var settingTests = []test{
	{"GetMissing", func(t *testing.T, s store.Store) {
		_, err := s.GetSetting(ctxT(t), "no-such-key")
		isErr(t, err, store.ErrNotFound, "GetSetting")
	}},
	{"PutGetOverwrite", func(t *testing.T, s store.Store) {
		ok(t, s.PutSetting(ctxT(t), "jwt_secret", []byte("one")), "PutSetting")
		got, err := s.GetSetting(ctxT(t), "jwt_secret")
		ok(t, err, "GetSetting")
		equal(t, string(got), "one", "value")
		ok(t, s.PutSetting(ctxT(t), "jwt_secret", []byte{0, 1, 2, 0xff}), "PutSetting again")
		got, err = s.GetSetting(ctxT(t), "jwt_secret")
		ok(t, err, "GetSetting")
		equal(t, string(got), "\x00\x01\x02\xff", "overwritten binary value")
		_, err = s.GetSetting(ctxT(t), "other")
		isErr(t, err, store.ErrNotFound, "GetSetting of another key")
	}},
	{"EmptyValue", func(t *testing.T, s store.Store) {
		ok(t, s.PutSetting(ctxT(t), "empty", []byte{}), "PutSetting")
		got, err := s.GetSetting(ctxT(t), "empty")
		ok(t, err, "GetSetting of an empty value")
		equal(t, len(got), 0, "length")
	}},
	{"PutIfAbsent", func(t *testing.T, s store.Store) {
		got, err := s.PutSettingIfAbsent(ctxT(t), "secret", []byte("first"))
		ok(t, err, "PutSettingIfAbsent on an absent key")
		equal(t, string(got), "first", "value returned")
		got, err = s.PutSettingIfAbsent(ctxT(t), "secret", []byte("second"))
		ok(t, err, "PutSettingIfAbsent on a present key")
		equal(t, string(got), "first", "value returned")
		got, err = s.GetSetting(ctxT(t), "secret")
		ok(t, err, "GetSetting")
		equal(t, string(got), "first", "value stored")

		ok(t, s.PutSetting(ctxT(t), "preset", []byte("was here")), "PutSetting")
		got, err = s.PutSettingIfAbsent(ctxT(t), "preset", []byte("late"))
		ok(t, err, "PutSettingIfAbsent")
		equal(t, string(got), "was here", "value returned for a key set by PutSetting")
	}},
	{"PutIfAbsentConcurrent", func(t *testing.T, s store.Store) {
		const callers = 32
		ctx := ctxT(t)
		got := make([]string, callers)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				v, err := s.PutSettingIfAbsent(ctx, "shared", fmt.Appendf(nil, "value-%d", i))
				got[i], errs[i] = string(v), err
			})
		}
		wg.Wait()
		for i := range callers {
			ok(t, errs[i], "PutSettingIfAbsent")
			equal(t, got[i], got[0], fmt.Sprintf("value returned to caller %d", i))
		}
		stored, err := s.GetSetting(ctxT(t), "shared")
		ok(t, err, "GetSetting")
		equal(t, string(stored), got[0], "value stored")
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		in := []byte("original")
		ok(t, s.PutSetting(ctxT(t), "k", in), "PutSetting")
		copy(in, "XXXXXXXX")
		got, err := s.GetSetting(ctxT(t), "k")
		ok(t, err, "GetSetting")
		equal(t, string(got), "original", "after changing the value handed in")
		copy(got, "YYYYYYYY")
		in2 := []byte("absent-value")
		got2, err := s.PutSettingIfAbsent(ctxT(t), "k2", in2)
		ok(t, err, "PutSettingIfAbsent")
		copy(in2, "ZZZZZZZZZZZZ")
		copy(got2, "WWWWWWWWWWWW")
		got, err = s.GetSetting(ctxT(t), "k")
		ok(t, err, "GetSetting")
		equal(t, string(got), "original", "after changing the value handed out")
		got2, err = s.GetSetting(ctxT(t), "k2")
		ok(t, err, "GetSetting")
		equal(t, string(got2), "absent-value", "after changing PutSettingIfAbsent's values")
	}},
	{"Ping", func(t *testing.T, s store.Store) {
		ok(t, s.Ping(ctxT(t)), "Ping")
	}},
}
