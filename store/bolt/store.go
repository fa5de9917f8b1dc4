// Package bolt is the embedded implementation of store.Store: one bbolt file,
// <dir>/gateway.db, for a gateway that runs as a single node.
//
// Every record is stored JSON-encoded, so what goes in and what comes out are always
// fresh copies. Every write commits with fsync before it returns: a write that
// returned nil survives a SIGKILL (or a power cut) right after. Concurrent writes
// share one transaction and one fsync (group commit, commit.go); that is also why
// update functions may run more than once.
//
// Layout (top-level buckets):
//
//	sites               site id -> Site
//	departments         department id -> Department
//	dept_by_site        site id -> {department id -> ""}
//	agents              agent id -> Agent
//	agent_emails        lower-cased e-mail -> agent id
//	conversations       conversation id -> Conversation
//	conv_by_site        site id -> {conversation id -> ""}
//	conv_by_site_state  site id -> state -> {conversation id -> ""}
//	conv_by_state       state -> {conversation id -> ""}
//	conv_by_visitor     visitor id -> {conversation id -> ""}
//	messages            conversation id -> {big-endian seq -> Message}
//	message_client_ids  conversation id -> {client id -> big-endian seq}
//	offline             site id -> {offline message id -> OfflineMessage}
//	offline_client_ids  len-prefixed site|visitor|client id -> offline message id
//	offline_by_state    site id -> state -> {offline message id -> ""} (read, done)
//	settings            key -> value
//	notifications       notification id -> Notification
//	notify_by_site      site id -> {notification id -> ""}
//	notify_by_site_state site id -> state -> {notification id -> ""}
//	notify_by_state     state -> {notification id -> ""}
//	notify_due          time key of NextAttemptAt + id -> "" (pending ones only)
//	notify_pending      time key of CreatedAt + id -> "" (pending ones only)
//	visitor_numbers     site id -> {visitor id -> big-endian number}; the site
//	                    bucket's sequence is the last number given (visitors.go)
//	visitor_erasures    site id -> {visitor id -> ""}: the tombstones of erased
//	                    visitors, made by the first erasure (visitor_data.go)
//
// A time key (notify_index.go) is 12 bytes whose byte order is time order, so the
// first key of notify_due is the next attempt and the first of notify_pending the
// oldest pending notification.
package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/livedesk/gateway/store"
)

// FileName is the name of the database file inside the data directory.
const FileName = "gateway.db"

// openTimeout bounds how long Open waits for the file lock another process holds.
const openTimeout = 2 * time.Second

// Bucket names.
var (
	bktSites            = []byte("sites")
	bktDepartments      = []byte("departments")
	bktDeptBySite       = []byte("dept_by_site")
	bktAgents           = []byte("agents")
	bktAgentEmails      = []byte("agent_emails")
	bktConversations    = []byte("conversations")
	bktConvBySite       = []byte("conv_by_site")
	bktConvBySiteState  = []byte("conv_by_site_state")
	bktConvByState      = []byte("conv_by_state")
	bktConvByVisitor    = []byte("conv_by_visitor")
	bktMessages         = []byte("messages")
	bktMessageClientIDs = []byte("message_client_ids")
	bktOffline          = []byte("offline")
	bktOfflineClientIDs = []byte("offline_client_ids")
	bktOfflineByState   = []byte("offline_by_state")
	bktSettings         = []byte("settings")
	bktNotifications    = []byte("notifications")
	bktNotifyBySite     = []byte("notify_by_site")
	bktNotifyBySiteSt   = []byte("notify_by_site_state")
	bktNotifyByState    = []byte("notify_by_state")
	bktNotifyDue        = []byte("notify_due")
	bktNotifyPending    = []byte("notify_pending")

	allBuckets = [][]byte{
		bktSites, bktDepartments, bktDeptBySite, bktAgents, bktAgentEmails,
		bktConversations, bktConvBySite, bktConvBySiteState, bktConvByState, bktConvByVisitor,
		bktMessages, bktMessageClientIDs,
		bktOffline, bktOfflineClientIDs, bktOfflineByState,
		bktSettings,
		bktNotifications, bktNotifyBySite, bktNotifyBySiteSt, bktNotifyByState,
		bktNotifyDue, bktNotifyPending,
		bktVisitorNumbers,
	}
)

// Store is the bbolt-backed store.Store. It is safe for concurrent use.
type Store struct {
	db *bbolt.DB

	writes    chan *write   // unbuffered: update hands writes to commitLoop
	closing   chan struct{} // closed by Close: commitLoop stops taking writes
	loopDone  chan struct{} // closed when commitLoop has returned
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open opens (or creates) <dir>/gateway.db, creating dir with mode 0700 when it is
// missing. Only one process may hold the file: when another one does, Open fails
// after a short wait with an error saying the data dir is in use.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bolt: create data dir: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := openFile(path, &bbolt.Options{Timeout: openTimeout})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	s := &Store{
		db:       db,
		writes:   make(chan *write),
		closing:  make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	go s.commitLoop()
	return s, nil
}

// openFile opens the database file with opts, saying so clearly when another
// process holds it.
func openFile(path string, opts *bbolt.Options) (*bbolt.DB, error) {
	db, err := bbolt.Open(path, 0o600, opts)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: data dir is in use by another process: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return db, nil
}

// Close waits for the writes under way, then closes the database file. Nothing may
// be called after it; what is gets store.ErrUnavailable. Closing twice is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.loopDone
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("bolt: close: %w", err)
		}
	})
	return s.closeErr
}

// Ping reports whether the database is open; a closed one gets store.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	return s.view(ctx, "ping", func(*bbolt.Tx) error { return nil })
}

// GetSetting returns a setting's value or store.ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, "get setting", func(tx *bbolt.Tx) error {
		v, ok := getExact(tx.Bucket(bktSettings), []byte(key))
		if !ok {
			return fmt.Errorf("get setting %q: %w", key, store.ErrNotFound)
		}
		out = bytes.Clone(v)
		if out == nil {
			out = []byte{}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PutSetting stores a setting, replacing any previous value.
func (s *Store) PutSetting(ctx context.Context, key string, value []byte) error {
	if key == "" {
		return errors.New("bolt: put setting: empty key")
	}
	v := bytes.Clone(value)
	if v == nil {
		v = []byte{}
	}
	return s.update(ctx, "put setting", func(tx *bbolt.Tx) error {
		return tx.Bucket(bktSettings).Put([]byte(key), v)
	})
}

// PutSettingIfAbsent stores value unless the key exists, and returns the value
// stored afterwards: the first one written wins.
func (s *Store) PutSettingIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if key == "" {
		return nil, errors.New("bolt: put setting if absent: empty key")
	}
	v := bytes.Clone(value)
	if v == nil {
		v = []byte{}
	}
	var out []byte
	err := s.update(ctx, "put setting if absent", func(tx *bbolt.Tx) error {
		b := tx.Bucket(bktSettings)
		if cur, ok := getExact(b, []byte(key)); ok {
			out = bytes.Clone(cur)
			if out == nil {
				out = []byte{}
			}
			return nil
		}
		out = bytes.Clone(v)
		return b.Put([]byte(key), v)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
