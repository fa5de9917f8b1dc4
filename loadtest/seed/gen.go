package main

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedesk/gateway/gateway/setup"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// site is a seeded site with what its conversations pick from.
type site struct {
	id          string
	weight      float64 // cumulative Zipf share, for pick
	departments []string
	agents      []*store.Agent
	visitors    []string // in the order their numbers are given (1, 2...)
}

// generator makes the data set; its methods run on one goroutine (the workers only
// write what it made).
type generator struct {
	c     config
	rng   *mrand.Rand
	sites []*site
	now   time.Time
}

func newGenerator(c config) *generator {
	return &generator{c: c, rng: mrand.New(mrand.NewPCG(uint64(c.seed), 16)), now: time.Now().UTC()}
}

// setup creates the owner (as the gateway does on an empty store, so that it can
// log in), the sites, their departments and agents through the store.
func (g *generator) setup(ctx context.Context, s store.Store) error {
	owner, err := setup.EnsureOwner(ctx, s, g.c.ownerEmail, g.c.ownerPassword, g.now)
	if err != nil {
		return err
	}
	if owner.Created {
		fmt.Printf("owner %s created", owner.Email)
		if owner.Password != "" {
			fmt.Printf(" with password %s", owner.Password)
		}
		fmt.Println()
	}
	total := 0.0
	for i := range g.c.sites {
		total += 1 / float64(i+1)
	}
	cum := 0.0
	for i := range g.c.sites {
		cum += 1 / float64(i+1) / total
		st := &store.Site{Name: fmt.Sprintf("Seed site %d", i+1), Mode: store.ModeAuto, CreatedAt: g.now, UpdatedAt: g.now}
		if err := s.CreateSite(ctx, st); err != nil {
			return err
		}
		si := &site{id: st.ID, weight: cum}
		for d := range g.c.departments {
			dep := &store.Department{SiteID: st.ID, Name: fmt.Sprintf("Department %d", d+1)}
			if err := s.CreateDepartment(ctx, dep); err != nil {
				return err
			}
			si.departments = append(si.departments, dep.ID)
		}
		for a := range g.c.agents {
			ag := &store.Agent{Email: fmt.Sprintf("seed-%s-%d@example.com", st.ID[len(st.ID)-8:], a+1),
				Name: fmt.Sprintf("Agent %d.%d", i+1, a+1), Role: store.RoleAgent, Sites: []string{st.ID}, CreatedAt: g.now}
			if err := s.CreateAgent(ctx, ag); err != nil {
				return err
			}
			si.agents = append(si.agents, ag)
		}
		g.sites = append(g.sites, si)
	}
	fmt.Printf("created %d sites with %d departments and %d agents each\n", g.c.sites, g.c.departments, g.c.agents)
	return nil
}

// pick returns a site by its Zipf share.
func (g *generator) pick() *site {
	x := g.rng.Float64()
	for _, s := range g.sites {
		if x < s.weight {
			return s
		}
	}
	return g.sites[len(g.sites)-1]
}

// writeConversations writes about c.messages messages in conversations, oldest
// first, and returns how many conversations and messages it wrote.
func (g *generator) writeConversations(ctx context.Context, s sink) (int, int, error) {
	avg := (g.c.minMsgs + g.c.maxMsgs) / 2
	// Missed conversations have 2 messages on average.
	n := int(float64(g.c.messages) / (float64(avg)*(1-g.c.missed) + 2*g.c.missed))
	n = max(n, min(g.c.messages, 1))
	span := time.Duration(g.c.days) * 24 * time.Hour
	step := span / time.Duration(max(n, 1))
	first := g.now.Add(-span)
	convs, msgs := 0, 0
	err := writeBatches(ctx, g.c.workers, "messages", func(emit func([]postgres.SeedConversation) bool) {
		batch := make([]postgres.SeedConversation, 0, g.c.batch)
		for i := 0; i < n && msgs < g.c.messages; i++ {
			at := first.Add(time.Duration(i)*step + time.Duration(g.rng.Int64N(int64(step)+1)))
			sc := g.conversation(at, i >= n-g.c.live)
			if len(sc.Messages) > g.c.messages-msgs {
				sc.Messages = sc.Messages[:g.c.messages-msgs]
			}
			convs++
			msgs += len(sc.Messages)
			batch = append(batch, sc)
			if len(batch) == g.c.batch {
				if !emit(batch) {
					return
				}
				batch = make([]postgres.SeedConversation, 0, g.c.batch)
			}
		}
		if len(batch) > 0 {
			emit(batch)
		}
	}, func(ctx context.Context, b []postgres.SeedConversation) (int, error) {
		m := 0
		for _, sc := range b {
			m += len(sc.Messages)
		}
		return m, s.conversations(ctx, b)
	})
	return convs, msgs, err
}

// conversation makes one conversation created at at; live ones are queued or open.
func (g *generator) conversation(at time.Time, live bool) postgres.SeedConversation {
	st := g.pick()
	c := &store.Conversation{ID: idAt(at), SiteID: st.id, CreatedAt: at, Page: "https://shop.example.com/products/" + fmt.Sprint(g.rng.IntN(5000)),
		VisitorLang: "en", VisitorTimezone: "Europe/Berlin", StartID: "start-1"}
	if len(st.visitors) > 0 && g.rng.Float64() < 0.3 {
		k := g.rng.IntN(len(st.visitors))
		c.VisitorID, c.VisitorNumber = st.visitors[k], int64(k+1)
	} else {
		c.VisitorID = newUUID()
		st.visitors = append(st.visitors, c.VisitorID)
		c.VisitorNumber = int64(len(st.visitors))
	}
	if g.rng.Float64() < 0.3 {
		c.VisitorName, c.VisitorEmail = fmt.Sprintf("Visitor %d", c.VisitorNumber), fmt.Sprintf("visitor%d@example.org", c.VisitorNumber)
	}
	if len(st.departments) > 0 && g.rng.Float64() < 0.8 {
		c.DepartmentID = st.departments[g.rng.IntN(len(st.departments))]
	}
	missed := !live && g.rng.Float64() < g.c.missed
	var ag *store.Agent
	switch {
	case live && g.rng.IntN(2) == 0:
		c.State = store.StateQueued
	case missed:
		c.State = store.StateMissed
		end := at.Add(3 * time.Minute)
		c.EndedAt, c.EndedBy = &end, "system"
	default:
		ag = st.agents[g.rng.IntN(len(st.agents))]
		c.State, c.AgentID, c.AgentName = store.StateOpen, ag.ID, ag.Name
		assigned := at.Add(time.Duration(5+g.rng.IntN(60)) * time.Second)
		c.AssignedAt = &assigned
	}
	count := g.c.minMsgs + g.rng.IntN(g.c.maxMsgs-g.c.minMsgs+1)
	if missed || c.State == store.StateQueued {
		count = 1 + g.rng.IntN(3)
	}
	msgs := make([]*store.Message, count)
	t := at
	for j := range msgs {
		m := &store.Message{From: store.FromVisitor, Text: g.text(), At: t, ClientID: fmt.Sprintf("m%d", j+1)}
		if ag != nil && j%2 == 1 {
			m.From, m.AgentID, m.AgentName = store.FromAgent, ag.ID, ag.Name
		}
		msgs[j] = m
		t = t.Add(time.Duration(5+g.rng.IntN(55)) * time.Second)
	}
	if c.State == store.StateOpen && !live {
		c.State = store.StateEnded
		c.EndedAt, c.EndedBy = &t, []string{"agent", "visitor"}[g.rng.IntN(2)]
	}
	return postgres.SeedConversation{Conversation: c, Messages: msgs}
}

// phrases are what the texts are made of: chat lines of 10 to 200 characters.
var phrases = []string{
	"Hello, I have a question about my order.", "Hi! How can I help you today?",
	"It was supposed to arrive on Monday but the tracking page has not changed since last week.",
	"Let me check that for you.", "Thanks.", "Could you give me the order number, please?",
	"Sure, it is 4711-0815.", "I can see it left our warehouse yesterday; it should be with you by Thursday.",
	"Is there anything else I can do for you?", "No, that was all. Have a nice day!",
	"Do you ship to Switzerland, and if so, how long does it usually take and what does it cost?",
	"Yes, we do: three to five working days, and shipping is free above 50 euros.",
}

// text returns one or two phrases.
func (g *generator) text() string {
	t := phrases[g.rng.IntN(len(phrases))]
	if g.rng.IntN(4) == 0 {
		t += " " + phrases[g.rng.IntN(len(phrases))]
	}
	return t
}

// writeVisitorNumbers gives each site's visitors the numbers their conversations carry.
func (g *generator) writeVisitorNumbers(ctx context.Context, s sink) error {
	const chunk = 50_000
	for _, st := range g.sites {
		for i := 0; i < len(st.visitors); i += chunk {
			part := st.visitors[i:min(i+chunk, len(st.visitors))]
			if err := s.visitorNumbers(ctx, st.id, int64(i+1), part); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeOffline writes c.offline offline messages, oldest first: 20% new, 20% read,
// the rest done, half of them for a department.
func (g *generator) writeOffline(ctx context.Context, s sink) (int, error) {
	n := g.c.offline
	span := time.Duration(g.c.days) * 24 * time.Hour
	step := span / time.Duration(max(n, 1))
	first := g.now.Add(-span)
	err := writeBatches(ctx, g.c.workers, "offline messages", func(emit func([]*store.OfflineMessage) bool) {
		batch := make([]*store.OfflineMessage, 0, g.c.batch)
		for i := range n {
			at := first.Add(time.Duration(i)*step + time.Duration(g.rng.Int64N(int64(step)+1)))
			st := g.pick()
			m := &store.OfflineMessage{ID: idAt(at), SiteID: st.id, VisitorID: newUUID(), Name: "Visitor", Email: "visitor@example.org",
				Message: g.text(), Fields: map[string]string{"order": fmt.Sprint(g.rng.IntN(100000))},
				Page: "https://shop.example.com/contact", Lang: "en", CreatedAt: at, ClientID: "offline-1"}
			switch x := g.rng.IntN(10); {
			case x < 2:
				m.State = store.OfflineNew
			case x < 4:
				m.State = store.OfflineRead
			default:
				m.State = store.OfflineDone
			}
			if len(st.departments) > 0 && g.rng.IntN(2) == 0 {
				m.DepartmentID = st.departments[g.rng.IntN(len(st.departments))]
			}
			batch = append(batch, m)
			if len(batch) == g.c.batch {
				if !emit(batch) {
					return
				}
				batch = make([]*store.OfflineMessage, 0, g.c.batch)
			}
		}
		if len(batch) > 0 {
			emit(batch)
		}
	}, func(ctx context.Context, b []*store.OfflineMessage) (int, error) {
		return len(b), s.offline(ctx, b)
	})
	return n, err
}

// writeBatches runs produce on this goroutine and hands each batch it emits to one
// of workers goroutines running write (which returns how many rows the batch had),
// printing the progress every 10 s. The first error stops it (emit then returns
// false and produce should return).
func writeBatches[B any](ctx context.Context, workers int, what string, produce func(emit func(B) bool), write func(context.Context, B) (int, error)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan B, workers)
	var (
		done atomic.Int64
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for b := range batches {
				n, err := write(ctx, b)
				if err != nil {
					cancel(err)
					return
				}
				done.Add(int64(n))
			}
		})
	}
	start := time.Now()
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	produce(func(b B) bool {
		for {
			select {
			case batches <- b:
				return true
			case <-ctx.Done():
				return false
			case <-tick.C:
				n := done.Load()
				fmt.Printf("  %s: %d rows, %.0f/s\n", what, n, float64(n)/time.Since(start).Seconds())
			}
		}
	})
	close(batches)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	fmt.Printf("  %s: %d rows in %s\n", what, done.Load(), time.Since(start).Round(time.Second))
	return nil
}

// idAt is a UUIDv7 of time at (its first 48 bits are at's Unix milliseconds), so
// that seeded ids sort in the order of their records' times as live ones do.
func idAt(at time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	ms := uint64(at.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newUUID is a random (v4) UUID, as visitor ids are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
