// Package zonelist is the list of IANA time zone names of the Go time zone database
// ($GOROOT/lib/time/zoneinfo.zip, the data time/tzdata embeds in the binary), so
// that time zone pickers offer every zone a schedule accepts. The list is generated
// and compiled in: the binary needs neither GOROOT nor /usr/share/zoneinfo for it.
package zonelist

//go:generate go run ./gen

// Names returns every zone name of the database, sorted, links (such as Asia/Calcutta
// for Asia/Kolkata) included. Each one loads with time.LoadLocation in a binary that
// imports time/tzdata. The caller may keep and change the slice: it is a copy.
func Names() []string {
	return append([]string(nil), names[:]...)
}
