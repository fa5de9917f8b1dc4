package bolt

import (
	"errors"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"
)

// Group commit. Every write must be on disk before it returns, and an fsync costs
// about as much as everything else a write does together. So writes go through one
// committer goroutine: it takes the first write that comes, adds every write that is
// already waiting, and commits them as one transaction with one fsync. A lone write
// runs at once; writes that arrive while a commit is under way share the next one.
// (bbolt's own Batch does the same but waits a fixed delay for company first, which
// a lone write pays in full.)
//
// Rules: the committer owns the write side of the database; update is the only way
// in. A write's function may run more than once (its batch is retried without a
// function that failed), so it must not have side effects beyond the transaction.
// A function that fails or panics in a batch is run again alone, in its caller's
// goroutine, so its error (or panic) is its own and nothing of it is written.

// maxBatch bounds how many writes share one transaction.
const maxBatch = 256

// errTrySolo tells update to run its function alone.
var errTrySolo = errors.New("bolt: run this write alone")

// write is one function waiting for the committer, and where its outcome goes.
type write struct {
	fn   func(*bbolt.Tx) error
	done chan error // buffered: the committer never waits on it
}

// commitLoop runs until s.closing is closed. writes is unbuffered, so every write
// handed over is one this loop has taken and will answer.
func (s *Store) commitLoop() {
	defer close(s.loopDone)
	batch := make([]*write, 0, maxBatch)
	for {
		select {
		case w := <-s.writes:
			batch = append(batch[:0], w)
		case <-s.closing:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case w := <-s.writes:
				batch = append(batch, w)
			default:
				break gather
			}
		}
		s.commitBatch(batch)
		clear(batch[:cap(batch)])
	}
}

// commitBatch commits the functions of batch in one transaction and answers each.
// A function that fails is taken out and told to run alone; the rest are retried.
func (s *Store) commitBatch(batch []*write) {
	for len(batch) > 0 {
		failed := -1
		err := s.db.Update(func(tx *bbolt.Tx) error {
			for i, w := range batch {
				if err := safeCall(w.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			batch[failed].done <- errTrySolo
			batch = slices.Delete(batch, failed, failed+1)
			continue
		}
		for _, w := range batch {
			w.done <- err // nil, or the commit's own failure
		}
		return
	}
}

// safeCall calls fn, turning a panic into an error so one write cannot take the
// committer down (the write's caller sees the panic when it runs alone).
func safeCall(fn func(*bbolt.Tx) error, tx *bbolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in write: %v", p)
		}
	}()
	return fn(tx)
}
