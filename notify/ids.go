package notify

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/google/uuid"
)

// NewEventID returns a fresh time-ordered (UUIDv7) event id.
func NewEventID() string { return uuid.Must(uuid.NewV7()).String() }

// itemID derives the id of an event's delivery on one channel: same time part as the
// event (so items sort by time), other bits from the event id and the channel.
func itemID(eventID, channel string) string {
	at := time.Now()
	if u, err := uuid.Parse(eventID); err == nil && u.Version() == 7 {
		sec, nsec := u.Time().UnixTime()
		at = time.Unix(sec, nsec)
	}
	return stableV7(at, []byte(eventID+"/"+channel))
}

func stableV7(at time.Time, key []byte) string {
	var u uuid.UUID
	sum := sha256.Sum256(key)
	copy(u[:], sum[:16])
	ms := uint64(at.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(u[0:6], ts[2:8])
	u[6] = 0x70 | (u[6] & 0x0f) // version 7
	u[8] = 0x80 | (u[8] & 0x3f) // RFC 4122 variant
	return u.String()
}
