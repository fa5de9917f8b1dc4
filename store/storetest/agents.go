package storetest

import (
	"testing"

	"github.com/livedesk/gateway/store"
)

var agentTests = []test{
	{"CreateGetRoundTrip", func(t *testing.T, s store.Store) {
		want := fullAgent("ann@shop.example", store.RoleOwner)
		ok(t, s.CreateAgent(ctxT(t), want), "CreateAgent")
		if want.ID == "" {
			t.Fatal("CreateAgent left the ID empty")
		}
		got, err := s.GetAgent(ctxT(t), want.ID)
		ok(t, err, "GetAgent")
		same(t, got, want, "GetAgent")
	}},
	{"NilScheduleRoundTrip", func(t *testing.T, s store.Store) {
		want := fullAgent("bob@shop.example", store.RoleAgent)
		want.Schedule = nil
		want.Sites = nil
		mustCreateAgent(t, s, want)
		got, err := s.GetAgent(ctxT(t), want.ID)
		ok(t, err, "GetAgent")
		if got.Schedule != nil {
			t.Fatalf("Schedule: got %+v, want nil (follows the site's hours)", got.Schedule)
		}
		same(t, got, want, "GetAgent")
	}},
	{"CreateTakenIDConflicts", func(t *testing.T, s store.Store) {
		first := mustCreateAgent(t, s, fullAgent("first@shop.example", store.RoleOwner))
		second := fullAgent("second@shop.example", store.RoleAgent)
		second.ID = first.ID
		isErr(t, s.CreateAgent(ctxT(t), second), store.ErrConflict, "CreateAgent with a taken ID")
		_, err := s.GetAgentByEmail(ctxT(t), "second@shop.example")
		isErr(t, err, store.ErrNotFound, "GetAgentByEmail of the rejected agent")
	}},
	{"GetNotFound", func(t *testing.T, s store.Store) {
		_, err := s.GetAgent(ctxT(t), "no-such-agent")
		isErr(t, err, store.ErrNotFound, "GetAgent")
		_, err = s.GetAgentByEmail(ctxT(t), "nobody@shop.example")
		isErr(t, err, store.ErrNotFound, "GetAgentByEmail")
	}},
	{"GetByEmailIgnoresCase", func(t *testing.T, s store.Store) {
		want := mustCreateAgent(t, s, fullAgent("Ann.Smith@Shop.Example", store.RoleOwner))
		for _, email := range []string{"Ann.Smith@Shop.Example", "ann.smith@shop.example", "ANN.SMITH@SHOP.EXAMPLE"} {
			got, err := s.GetAgentByEmail(ctxT(t), email)
			ok(t, err, "GetAgentByEmail "+email)
			same(t, got, want, "GetAgentByEmail "+email)
		}
	}},
	{"EmailUniqueOnCreate", func(t *testing.T, s store.Store) {
		mustCreateAgent(t, s, fullAgent("ann@shop.example", store.RoleOwner))
		for _, email := range []string{"ann@shop.example", "ANN@Shop.Example"} {
			err := s.CreateAgent(ctxT(t), fullAgent(email, store.RoleAgent))
			isErr(t, err, store.ErrConflict, "CreateAgent "+email)
		}
		list, err := s.ListAgents(ctxT(t))
		ok(t, err, "ListAgents")
		equal(t, len(list), 1, "agents after the conflicts")
	}},
	{"EmailUniqueOnUpdate", func(t *testing.T, s store.Store) {
		ann := mustCreateAgent(t, s, fullAgent("ann@shop.example", store.RoleOwner))
		bob := mustCreateAgent(t, s, fullAgent("bob@shop.example", store.RoleAgent))
		_, err := s.UpdateAgent(ctxT(t), bob.ID, func(a *store.Agent) error {
			a.Email = "ANN@shop.example"
			a.Name = "Bob the thief"
			return nil
		})
		isErr(t, err, store.ErrConflict, "UpdateAgent to a taken e-mail")
		got, err := s.GetAgent(ctxT(t), bob.ID)
		ok(t, err, "GetAgent")
		same(t, got, bob, "agent after the rejected update")
		got, err = s.GetAgentByEmail(ctxT(t), "ann@shop.example")
		ok(t, err, "GetAgentByEmail")
		equal(t, got.ID, ann.ID, "owner of the e-mail")

		// Changing only the case of one's own e-mail is no conflict.
		_, err = s.UpdateAgent(ctxT(t), ann.ID, func(a *store.Agent) error { a.Email = "Ann@Shop.Example"; return nil })
		ok(t, err, "UpdateAgent to the same e-mail in other case")
		got, err = s.GetAgentByEmail(ctxT(t), "ann@shop.example")
		ok(t, err, "GetAgentByEmail")
		equal(t, got.Email, "Ann@Shop.Example", "e-mail as written")

		// A new e-mail moves the index: the old one is free, the new one finds the agent.
		_, err = s.UpdateAgent(ctxT(t), bob.ID, func(a *store.Agent) error { a.Email = "robert@shop.example"; return nil })
		ok(t, err, "UpdateAgent to a new e-mail")
		_, err = s.GetAgentByEmail(ctxT(t), "bob@shop.example")
		isErr(t, err, store.ErrNotFound, "GetAgentByEmail of the old e-mail")
		got, err = s.GetAgentByEmail(ctxT(t), "ROBERT@shop.example")
		ok(t, err, "GetAgentByEmail of the new e-mail")
		equal(t, got.ID, bob.ID, "agent found by the new e-mail")
		mustCreateAgent(t, s, fullAgent("Bob@shop.example", store.RoleAgent))
	}},
	{"DeleteFreesEmail", func(t *testing.T, s store.Store) {
		mustCreateAgent(t, s, fullAgent("owner@shop.example", store.RoleOwner))
		bob := mustCreateAgent(t, s, fullAgent("bob@shop.example", store.RoleAgent))
		ok(t, s.DeleteAgent(ctxT(t), bob.ID), "DeleteAgent")
		_, err := s.GetAgent(ctxT(t), bob.ID)
		isErr(t, err, store.ErrNotFound, "GetAgent after DeleteAgent")
		_, err = s.GetAgentByEmail(ctxT(t), "bob@shop.example")
		isErr(t, err, store.ErrNotFound, "GetAgentByEmail after DeleteAgent")
		mustCreateAgent(t, s, fullAgent("BOB@shop.example", store.RoleAgent))
	}},
	{"DeleteNotFound", func(t *testing.T, s store.Store) {
		isErr(t, s.DeleteAgent(ctxT(t), "no-such-agent"), store.ErrNotFound, "DeleteAgent")
	}},
	{"NonOwnerWithoutOwnersAllowed", func(t *testing.T, s store.Store) {
		admin := mustCreateAgent(t, s, fullAgent("admin@shop.example", store.RoleAdmin))
		agent := mustCreateAgent(t, s, fullAgent("agent@shop.example", store.RoleAgent))
		_, err := s.UpdateAgent(ctxT(t), agent.ID, func(a *store.Agent) error { a.Name = "Renamed"; return nil })
		ok(t, err, "UpdateAgent of a non-owner while there is no owner")
		ok(t, s.DeleteAgent(ctxT(t), admin.ID), "DeleteAgent of a non-owner while there is no owner")
	}},
	{"LastOwnerCannotBeDeleted", func(t *testing.T, s store.Store) {
		owner := mustCreateAgent(t, s, fullAgent("owner@shop.example", store.RoleOwner))
		mustCreateAgent(t, s, fullAgent("admin@shop.example", store.RoleAdmin))
		isErr(t, s.DeleteAgent(ctxT(t), owner.ID), store.ErrLastOwner, "DeleteAgent of the last owner")
		got, err := s.GetAgent(ctxT(t), owner.ID)
		ok(t, err, "GetAgent of the last owner")
		same(t, got, owner, "last owner after the refused delete")
	}},
	{"LastOwnerCannotBeDemoted", func(t *testing.T, s store.Store) {
		owner := mustCreateAgent(t, s, fullAgent("owner@shop.example", store.RoleOwner))
		for _, role := range []string{store.RoleAdmin, store.RoleAgent} {
			_, err := s.UpdateAgent(ctxT(t), owner.ID, func(a *store.Agent) error {
				a.Role = role
				a.Name = "Demoted"
				return nil
			})
			isErr(t, err, store.ErrLastOwner, "UpdateAgent demoting the last owner to "+role)
		}
		got, err := s.GetAgent(ctxT(t), owner.ID)
		ok(t, err, "GetAgent")
		same(t, got, owner, "last owner after the refused demotions")
		// Other changes to the last owner are fine.
		_, err = s.UpdateAgent(ctxT(t), owner.ID, func(a *store.Agent) error { a.Name = "Still owner"; return nil })
		ok(t, err, "UpdateAgent of the last owner keeping the role")
	}},
	{"OwnersRemovableUntilOneRemains", func(t *testing.T, s store.Store) {
		o1 := mustCreateAgent(t, s, fullAgent("o1@shop.example", store.RoleOwner))
		o2 := mustCreateAgent(t, s, fullAgent("o2@shop.example", store.RoleOwner))
		o3 := mustCreateAgent(t, s, fullAgent("o3@shop.example", store.RoleOwner))
		ok(t, s.DeleteAgent(ctxT(t), o1.ID), "DeleteAgent of one of three owners")
		_, err := s.UpdateAgent(ctxT(t), o2.ID, func(a *store.Agent) error { a.Role = store.RoleAdmin; return nil })
		ok(t, err, "UpdateAgent demoting one of two owners")
		isErr(t, s.DeleteAgent(ctxT(t), o3.ID), store.ErrLastOwner, "DeleteAgent of the last owner")
		_, err = s.UpdateAgent(ctxT(t), o3.ID, func(a *store.Agent) error { a.Role = store.RoleAgent; return nil })
		isErr(t, err, store.ErrLastOwner, "UpdateAgent demoting the last owner")
		// Promote another, then the old one may go.
		_, err = s.UpdateAgent(ctxT(t), o2.ID, func(a *store.Agent) error { a.Role = store.RoleOwner; return nil })
		ok(t, err, "UpdateAgent promoting an admin to owner")
		ok(t, s.DeleteAgent(ctxT(t), o3.ID), "DeleteAgent of an owner once another exists")
		isErr(t, s.DeleteAgent(ctxT(t), o2.ID), store.ErrLastOwner, "DeleteAgent of the new last owner")
	}},
	{"ListOrderedByID", func(t *testing.T, s store.Store) {
		var want []*store.Agent
		for _, id := range []string{"agent-b", "agent-c", "agent-a"} {
			a := fullAgent(id+"@shop.example", store.RoleAgent)
			a.ID = id
			want = append(want, mustCreateAgent(t, s, a))
		}
		want = []*store.Agent{want[2], want[0], want[1]}
		got, err := s.ListAgents(ctxT(t))
		ok(t, err, "ListAgents")
		same(t, got, want, "ListAgents")
	}},
	{"ListEmpty", func(t *testing.T, s store.Store) {
		got, err := s.ListAgents(ctxT(t))
		ok(t, err, "ListAgents")
		equal(t, len(got), 0, "agents in an empty store")
	}},
	{"Update", func(t *testing.T, s store.Store) {
		a := mustCreateAgent(t, s, fullAgent("ann@shop.example", store.RoleAgent))
		var handed string
		got, err := s.UpdateAgent(ctxT(t), a.ID, func(cur *store.Agent) error {
			handed = differs(cur, a)
			cur.Name = "Ann B."
			cur.Presence = store.PresenceAway
			cur.TokenVersion++
			cur.Schedule = nil
			cur.UpdatedAt = at(90)
			return nil
		})
		ok(t, err, "UpdateAgent")
		equal(t, handed, "", "difference of the record handed to fn from the stored one")
		want := *a
		want.Name, want.Presence, want.TokenVersion, want.Schedule, want.UpdatedAt = "Ann B.", store.PresenceAway, 8, nil, at(90)
		same(t, got, &want, "UpdateAgent result")
		stored, err := s.GetAgent(ctxT(t), a.ID)
		ok(t, err, "GetAgent")
		same(t, stored, &want, "GetAgent after UpdateAgent")
	}},
	{"UpdateNotFound", func(t *testing.T, s store.Store) {
		_, err := s.UpdateAgent(ctxT(t), "no-such-agent", func(*store.Agent) error { return nil })
		isErr(t, err, store.ErrNotFound, "UpdateAgent")
	}},
	{"UpdateFnErrorAborts", func(t *testing.T, s store.Store) {
		a := mustCreateAgent(t, s, fullAgent("ann@shop.example", store.RoleOwner))
		_, err := s.UpdateAgent(ctxT(t), a.ID, func(cur *store.Agent) error {
			cur.Email = "changed@shop.example"
			cur.Name = "Changed"
			return errTest
		})
		if err != errTest {
			t.Fatalf("UpdateAgent returned %v, want the fn's own error as is", err)
		}
		got, err := s.GetAgent(ctxT(t), a.ID)
		ok(t, err, "GetAgent")
		same(t, got, a, "agent after an aborted update")
		_, err = s.GetAgentByEmail(ctxT(t), "changed@shop.example")
		isErr(t, err, store.ErrNotFound, "GetAgentByEmail of the aborted e-mail")
		_, err = s.GetAgentByEmail(ctxT(t), "ann@shop.example")
		ok(t, err, "GetAgentByEmail of the kept e-mail")
	}},
	{"UpdateKeepsID", func(t *testing.T, s store.Store) {
		a := mustCreateAgent(t, s, fullAgent("ann@shop.example", store.RoleOwner))
		got, err := s.UpdateAgent(ctxT(t), a.ID, func(cur *store.Agent) error {
			cur.ID = "stolen-id"
			return nil
		})
		checkIDKept(t, err, a.ID, func() string { return got.ID })
		_, err = s.GetAgent(ctxT(t), "stolen-id")
		isErr(t, err, store.ErrNotFound, "GetAgent of the ID fn tried to set")
		got, err = s.GetAgentByEmail(ctxT(t), "ann@shop.example")
		ok(t, err, "GetAgentByEmail")
		equal(t, got.ID, a.ID, "ID found by e-mail")
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		in := fullAgent("ann@shop.example", store.RoleOwner)
		mustCreateAgent(t, s, in)
		want := fullAgent("ann@shop.example", store.RoleOwner)
		want.ID = in.ID
		in.Sites[0] = "mutated"
		in.Schedule.Timezone = "mutated"
		got, err := s.GetAgent(ctxT(t), in.ID)
		ok(t, err, "GetAgent")
		same(t, got, want, "agent after changing the created record")
		got.Sites[1] = "mutated"
		got.Schedule.Weekly["mon"][0].From = "00:00"
		byEmail, err := s.GetAgentByEmail(ctxT(t), "ann@shop.example")
		ok(t, err, "GetAgentByEmail")
		byEmail.Schedule.Exceptions[0].Date = "mutated"
		upd, err := s.UpdateAgent(ctxT(t), in.ID, func(*store.Agent) error { return nil })
		ok(t, err, "UpdateAgent")
		upd.Sites[0] = "mutated"
		list, err := s.ListAgents(ctxT(t))
		ok(t, err, "ListAgents")
		list[0].Schedule.Enabled = false
		again, err := s.GetAgent(ctxT(t), in.ID)
		ok(t, err, "GetAgent")
		same(t, again, want, "agent after changing returned records")
	}},
}
