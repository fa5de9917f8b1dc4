package main

import (
	"github.com/livedesk/gateway/internal/fdlimit"
	"go.uber.org/zap"
)

// raiseFileLimit lifts the open-file soft limit to the hard limit (every socket is a
// file: one node holds as many sockets as this allows) and logs the values at info
// level. It returns the limit in force afterwards; a failure is logged as a warning
// and the gateway runs on with the limit it has.
func raiseFileLimit(log *zap.Logger) fdlimit.Limit {
	if !fdlimit.Supported {
		return fdlimit.Limit{}
	}
	before, after, err := fdlimit.Raise()
	if err != nil {
		log.Warn("cannot raise the open-file limit", zap.Uint64("soft", before.Soft), zap.Uint64("hard", before.Hard), zap.Error(err))
		return after
	}
	log.Info("open-file limit", zap.Uint64("soft_before", before.Soft), zap.Uint64("soft", after.Soft), zap.Uint64("hard", after.Hard))
	return after
}
