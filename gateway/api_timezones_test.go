package gateway

import (
	"fmt"
	"testing"

	"github.com/livedesk/gateway/internal/zonelist"
	"github.com/livedesk/gateway/routing/schedule"
)

// The console's pickers get every zone of the Go database, each one a schedule accepts.
func TestTimezonesListEveryZoneASchedulesAccepts(t *testing.T) {
	f := newFixture(t)
	var got []string
	for _, z := range f.mustDo("GET", "/api/v1/timezones", f.tokens["agentA"], nil, 200).json(t)["timezones"].([]any) {
		got = append(got, z.(string))
	}
	if fmt.Sprint(got) != fmt.Sprint(zonelist.Names()) {
		t.Fatalf("%d zones, not the %d of the database", len(got), len(zonelist.Names()))
	}
	have := map[string]bool{}
	for _, z := range got {
		have[z] = true
		if err := (schedule.Schedule{Enabled: true, Timezone: z}).Validate(); err != nil {
			t.Errorf("a schedule refuses %s: %v", z, err)
		}
	}
	for _, z := range []string{"Asia/Kolkata", "Europe/Kyiv", "Asia/Ho_Chi_Minh"} {
		if !have[z] {
			t.Errorf("%s missing", z)
		}
		f.mustDo("POST", "/api/v1/sites/"+f.siteA.ID+"/hours/preview", f.tokens["admin"], map[string]any{"enabled": true, "timezone": z}, 200)
	}
}
