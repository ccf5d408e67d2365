package cli

import (
	"context"
	"io"
	"strings"
	"testing"
)

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

func TestLimitFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"server", "--max-connections", "0"}, nil},
		{[]string{"server"}, map[string]string{"GUREUM_MAX_BODY_INFLIGHT": "-1"}},
		{[]string{"server"}, map[string]string{"GUREUM_MAX_CONNECTIONS": "many"}},
	} {
		getenv := func(k string) string { return c.env[k] }
		err := Run(context.Background(), c.args, getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "max-") && !strings.Contains(err.Error(), "MAX_") {
			t.Errorf("Run(%q, env %v) = %v; want an error naming the limit", c.args, c.env, err)
		}
	}
}
