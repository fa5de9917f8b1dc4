package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
)

// Site shift-end settings (docs/protocol.md#departments): keep leaves an agent its
// chats when its shift ends; handover moves them to another agent.
const (
	ShiftEndKeep     = "keep"
	ShiftEndHandover = "handover"
)

// DepartmentNotify says where a department's offline messages go, in addition to
// the site's addresses.
type DepartmentNotify struct {
	Emails []string `json:"emails"`
}

// Department is a part of a site's desk (Sales, Support) with its own agents,
// addresses and, when Schedule is not nil, its own hours (nil: the site's).
// Agents are agent ids; Position orders a site's departments (ListDepartments).
// Its Name is unique within its site without regard to case (DepartmentNameKey).
type Department struct {
	ID        string             `json:"id"`
	SiteID    string             `json:"site_id"`
	Name      string             `json:"name"`
	Position  int                `json:"position"`
	Schedule  *schedule.Schedule `json:"schedule"`
	Agents    []string           `json:"agents"`
	Notify    DepartmentNotify   `json:"notify"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
}

// DepartmentStore is the part of Store that keeps departments. A department
// belongs to one site and dies with it (DeleteSite).
type DepartmentStore interface {
	// CreateDepartment stores a new department. An empty ID is filled with a new
	// one; a taken ID, or a name its site has already (DepartmentNameKey), gets
	// ErrConflict. An empty SiteID is an error.
	CreateDepartment(ctx context.Context, d *Department) error
	// GetDepartment returns the department or ErrNotFound.
	GetDepartment(ctx context.Context, id string) (*Department, error)
	// ListDepartments returns the site's departments in SortDepartments' order
	// (none for an unknown site).
	ListDepartments(ctx context.Context, siteID string) ([]*Department, error)
	// UpdateDepartment applies fn atomically; ID and SiteID cannot change. A name
	// another department of the site has gets ErrConflict.
	UpdateDepartment(ctx context.Context, id string, fn func(*Department) error) (*Department, error)
	// DeleteDepartment removes the department or returns ErrNotFound.
	DeleteDepartment(ctx context.Context, id string) error
}

// DepartmentNameKey is the form in which department names are compared for
// uniqueness within a site: trimmed and lower-cased.
func DepartmentNameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// SortDepartments puts ds in a site's order: by Position, then CreatedAt, then ID.
func SortDepartments(ds []*Department) {
	slices.SortFunc(ds, func(a, b *Department) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
}

// CheckDepartmentName returns an error that wraps ErrConflict when a department
// of others other than d has d's name (DepartmentNameKey); stores call it inside
// their write with the departments of d's site.
func CheckDepartmentName(d *Department, others []*Department) error {
	key := DepartmentNameKey(d.Name)
	for _, o := range others {
		if o.ID != d.ID && DepartmentNameKey(o.Name) == key {
			return fmt.Errorf("department name %q is taken in site %q: %w", d.Name, d.SiteID, ErrConflict)
		}
	}
	return nil
}
