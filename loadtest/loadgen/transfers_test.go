package main

import "testing"

func TestTransferTarget(t *testing.T) {
	// Agents 0-3 on node 0, 4-7 on node 1; two departments sharing agent 3.
	node := []int{0, 0, 0, 0, 1, 1, 1, 1}
	load := []int{5, 5, 5, 1, 9, 2, 2, 7}
	members := [][]int{{0, 1, 3, 4, 5}, {2, 3, 6, 7}}
	three := [][]int{{0, 1}, {2, 3}, {4, 5}}
	for _, tc := range []struct {
		name        string
		k, from, d  int
		members     [][]int
		load        []int
		agent, dept int
	}{
		{"even k: another department", 0, 0, 0, members, load, -1, 1},
		{"even k: another department, from the second", 2, 2, 1, members, load, -1, 0},
		{"departments in turn, never its own", 0, 0, 0, three, load, -1, 1},
		{"departments in turn, never its own (2)", 2, 0, 0, three, load, -1, 2},
		{"departments in turn, never its own (3)", 4, 0, 0, three, load, -1, 1},
		{"departments in turn from the middle one", 2, 2, 1, three, load, -1, 2},
		{"odd k: an agent of the department on the other node, least loaded", 1, 0, 0, members, load, 5, -1},
		{"odd k: the sender is left out", 1, 5, 0, members, load, 3, -1}, // 5 is on node 1: 0, 1, 3 are away; 3 has the fewest
		{"odd k: ties go to the lower index", 1, 2, 1, members, []int{0, 0, 0, 0, 0, 0, 4, 4}, 6, -1},
		{"no other node: the least loaded on the same", 1, 0, 0, [][]int{{0, 1, 3}}, load, 3, -1},
		{"one department: agents only, even k too", 0, 0, 0, [][]int{{0, 1, 3}}, load, 3, -1},
		{"no departments: any agent, away first", 0, 0, -1, nil, load, 5, -1},
		{"alone in its department: nobody", 1, 0, 0, [][]int{{0}, {1}}, load, -1, -1},
		{"department unknown: no department transfer, no agent", 0, 0, -1, members, load, -1, -1},
	} {
		agent, dept := transferTarget(tc.k, tc.from, tc.d, tc.members, node, tc.load)
		if agent != tc.agent || dept != tc.dept {
			t.Errorf("%s: agent %d dept %d, want %d %d", tc.name, agent, dept, tc.agent, tc.dept)
		}
	}
}
