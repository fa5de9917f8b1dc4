package ws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/google/uuid"
)

// visitorTokens signs visitor identities: a token is "v1.<visitor id>.<HMAC>", so a
// visitor can prove who it was after a reconnect, and a forged or foreign token is
// recognised (it gets a new identity).
type visitorTokens struct{ secret []byte }

func (v visitorTokens) sign(siteID, visitorID string) string {
	mac := hmac.New(sha256.New, v.secret)
	mac.Write([]byte("visitor\x00" + siteID + "\x00" + visitorID))
	return "v1." + visitorID + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verify returns the visitor id of a token signed for siteID, or "" when it is not.
func (v visitorTokens) verify(siteID, token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != "v1" || parts[1] == "" || len(parts[1]) > 64 {
		return ""
	}
	if !hmac.Equal([]byte(v.sign(siteID, parts[1])), []byte(token)) {
		return ""
	}
	return parts[1]
}

// identify returns the visitor id and token for a hello: the token's when it is
// genuine, a new identity otherwise.
func (v visitorTokens) identify(siteID, token string) (id, tok string, isNew bool) {
	if id := v.verify(siteID, token); id != "" {
		return id, token, false
	}
	id, tok = v.fresh(siteID)
	return id, tok, true
}

// fresh returns a new visitor identity and its token: what a forged token gets,
// and the token of an erased visitor (docs/protocol.md#visitor-data-requests).
func (v visitorTokens) fresh(siteID string) (id, tok string) {
	id = uuid.NewString()
	return id, v.sign(siteID, id)
}
