// Package doccheck holds the tests that keep the repository's documents honest:
// every file a README, a doc page or a code comment cites is in the repository,
// and every #anchor it names is a heading of that file.
package doccheck
