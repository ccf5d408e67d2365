package cli

import "testing"

func TestProcs(t *testing.T) {
	for _, c := range []struct {
		flag    int
		envSet  bool
		started int
		want    int
	}{
		{0, false, 2, 1},  // all cores but one
		{0, false, 8, 7},  //
		{0, false, 1, 1},  // at least one
		{0, true, 2, 0},   // GOMAXPROCS in the environment chose: leave it
		{3, true, 2, 3},   // the flag wins over the environment
		{4, false, 16, 4}, //
	} {
		if got := procs(c.flag, c.envSet, c.started); got != c.want {
			t.Errorf("procs(%d, %v, %d) = %d; want %d", c.flag, c.envSet, c.started, got, c.want)
		}
	}
}
