package bolt_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store/bolt"
	"github.com/livedesk/gateway/store/storetest"
)

// Offline messages in a file written before states existed (records without a
// "state" field, no state index) read as new and can be moved on.
func TestOfflineWithoutStateIsNew(t *testing.T) {
	dir := t.TempDir()
	db, err := bbolt.Open(filepath.Join(dir, bolt.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	err = db.Update(func(tx *bbolt.Tx) error {
		top, err := tx.CreateBucket([]byte("offline"))
		if err != nil {
			return err
		}
		b, err := top.CreateBucket([]byte("site-1"))
		if err != nil {
			return err
		}
		for i := range 3 {
			id := fmt.Sprintf("0190a1b2-0000-7000-8000-00000000000%d", i)
			ids = append(ids, id)
			rec := fmt.Sprintf(`{"id":%q,"site_id":"site-1","visitor_id":"v","name":"N","email":"v@mail.example","message":"m%d","fields":{},"page":"","created_at":"2025-01-02T03:04:05Z"}`, id, i)
			if err := b.Put([]byte(id), []byte(rec)); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, err)
	must(t, db.Close())
	s := openT(t, dir)
	defer s.Close()
	storetest.LegacyOffline(t, s, "site-1", ids)
}
