package main

import (
	"flag"
	"fmt"
	"time"
)

const (
	// maxFleetSockets bounds one process's visitor sockets: a process may hold at
	// most 20,000 open files on the bench machine.
	maxFleetSockets = 19800
	// fanoutMaxAgents bounds the flipping process's agents.
	fanoutMaxAgents = 10
)

// fleetFlags are the flags of idle, fanout and storm.
type fleetFlags struct {
	connectRate     *float64
	connectWorkers  *int
	src             *string
	at              *string
	flip            *string
	flipper         *bool
	wait            *time.Duration
	reconnectJitter *time.Duration
	dialTimeout     *time.Duration
}

func addFleetFlags(fs *flag.FlagSet) *fleetFlags {
	return &fleetFlags{
		connectRate:     fs.Float64("connect-rate", 1000, "idle, fanout, storm: new sockets per second of this process (0: no pacing)"),
		connectWorkers:  fs.Int("connect-workers", 256, "idle, fanout, storm: handshakes in flight at most"),
		src:             fs.String("src", "127.1.0.0/16", "idle, fanout, storm: loopback block the visitor sockets leave from, one address after another (none: the system's choice); give each process its own"),
		at:              fs.String("at", "", "fanout: flip instant; storm: drop instant; idle: end of the hold. RFC 3339, Unix ms, or +DURATION (one process only). Processes of one measurement share it"),
		flip:            fs.String("flip", "mode", "fanout: mode (PUT /sites/{id}/mode offline at -at), boundary (the hours close at -at, a whole minute) or broadcast (POST /broadcast at -at: the floor server, no site set-up)"),
		flipper:         fs.Bool("flipper", false, "fanout: this process sets the site up (hours, mode auto, -agents agents online; needs -token) and, for -flip mode, flips it; exactly one process of a measurement"),
		wait:            fs.Duration("wait", 0, "fanout: how long after the instant to wait for status frames (default 10s); storm: for everyone to be back (default 60s)"),
		reconnectJitter: fs.Duration("reconnect-jitter", 0, "storm: spread the first reconnects over [0, this) (0: all at once; the widget uses 500ms)"),
		dialTimeout:     fs.Duration("dial-timeout", 30*time.Second, "idle, fanout, storm: limit for one connect (dial, upgrade, hello, welcome)"),
	}
}

// apply validates the fleet flags into c; given names the flags on the command line.
func (ff *fleetFlags) apply(c *config, given map[string]bool) error {
	c.connectRate, c.connectWorkers = *ff.connectRate, *ff.connectWorkers
	c.flip, c.flipper, c.wait, c.reconnectJitter, c.dialTimeout = *ff.flip, *ff.flipper, *ff.wait, *ff.reconnectJitter, *ff.dialTimeout
	if c.visitors < 1 || c.visitors > maxFleetSockets {
		return fmt.Errorf("-visitors must be in [1, %d] per process (run several processes for more)", maxFleetSockets)
	}
	if c.connectRate < 0 {
		return fmt.Errorf("-connect-rate must not be negative")
	}
	if c.connectWorkers < 1 || c.connectWorkers > 4096 {
		return fmt.Errorf("-connect-workers must be in [1, 4096]")
	}
	if c.dialTimeout <= 0 || c.dialTimeout > maxDuration {
		return fmt.Errorf("-dial-timeout must be in (0, %s]", maxDuration)
	}
	if c.reconnectJitter < 0 || c.reconnectJitter > time.Minute {
		return fmt.Errorf("-reconnect-jitter must be in [0, 1m]")
	}
	var err error
	if c.sources, err = parseSources(*ff.src); err != nil {
		return err
	}
	now := wallNow()
	if c.at, err = parseInstant(*ff.at, now); err != nil {
		return err
	}
	if err := checkInstant(c.at, now); err != nil {
		return err
	}
	if c.wait == 0 {
		c.wait = 10 * time.Second
		if c.scenario == "storm" {
			c.wait = 60 * time.Second
		}
	}
	if c.wait < 0 || c.wait > maxDuration {
		return fmt.Errorf("-wait must be in (0, %s]", maxDuration)
	}
	if !given["agents"] {
		c.agents = 0
	}
	if c.scenario != "fanout" {
		if c.flipper || given["flip"] {
			return fmt.Errorf("-flip and -flipper belong to -scenario fanout")
		}
		c.agents = 0
		return nil
	}
	return c.applyFanout(given)
}

func (c *config) applyFanout(given map[string]bool) error {
	if c.flip != "mode" && c.flip != "boundary" && c.flip != "broadcast" {
		return fmt.Errorf("-flip must be mode, boundary or broadcast")
	}
	if c.flip == "boundary" && !c.at.IsZero() && !c.at.Equal(c.at.Truncate(time.Minute)) {
		return fmt.Errorf("-flip boundary: -at must be a whole minute (hours are HH:MM), got %s", c.at.UTC().Format(time.RFC3339Nano))
	}
	if !c.flipper {
		if c.at.IsZero() {
			return fmt.Errorf("fanout without -flipper: -at is required (the instant the flipping process flips at)")
		}
		c.agents = 0
		return nil
	}
	if c.flip == "broadcast" { // the floor server has no sites, accounts or agents
		c.agents = 0
		return nil
	}
	if c.token == "" {
		return fmt.Errorf("fanout -flipper needs -token (an owner or admin token: it sets the hours and the mode)")
	}
	if !given["agents"] {
		c.agents = 1 // an agent online keeps the site online until the flip
	}
	if c.agents < 0 || c.agents > fanoutMaxAgents {
		return fmt.Errorf("fanout: -agents must be in [0, %d]", fanoutMaxAgents)
	}
	if c.maxChats == 0 {
		c.maxChats = 5
	}
	return nil
}
