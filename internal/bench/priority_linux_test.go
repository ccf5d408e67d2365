package bench

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestYieldCPU lowers a child copy of this test binary (so that the tests here keep their
// priority) and checks that every one of its threads ends at loadPriority.
func TestYieldCPU(t *testing.T) {
	if os.Getenv("GUREUM_TEST_YIELD_CPU") == "1" {
		if err := yieldCPU(); err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			b, err := os.ReadFile("/proc/self/task/" + e.Name() + "/stat")
			if err != nil {
				continue // the thread has exited
			}
			// Field 19 (nice), counted after the command name, which is in parentheses.
			f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
			if nice, _ := strconv.Atoi(f[16]); nice != loadPriority {
				t.Errorf("thread %s at nice %d; want %d", e.Name(), nice, loadPriority)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestYieldCPU$", "-test.count", "1")
	cmd.Env = append(os.Environ(), "GUREUM_TEST_YIELD_CPU=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the child: %v\n%s", err, out)
	}
}
