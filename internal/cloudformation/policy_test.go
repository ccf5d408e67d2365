package cloudformation

import (
	"path"
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "LogicalResourceId/Q", true}, {"LogicalResourceId/*", "LogicalResourceId/Q", true}, {"Update:*", "Update:Modify", true},
		{"Update:Replace", "Update:Modify", false}, {"a?c", "abc", true}, {"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false},
		{"", "", true}, {"", "a", false}, {"**", "", true},
	}
	for _, c := range cases {
		if got := glob(c.p, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %v; want %v", c.p, c.s, got, c.want)
		}
	}
	// A pattern of many stars against a long near miss answers (linear backtracking).
	if glob(strings.Repeat("*a", 200)+"b", strings.Repeat("a", 5000)) {
		t.Error("near miss matched")
	}
}

// FuzzGlob holds glob to path.Match on patterns without '/', '[' or '\' (where their rules agree).
func FuzzGlob(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Fuzz(func(t *testing.T, p, s string) {
		if strings.ContainsAny(p+s, "/[\\") {
			return
		}
		want, err := path.Match(p, s)
		if err != nil {
			return
		}
		if got := glob(p, s); got != want {
			t.Errorf("glob(%q, %q) = %v; path.Match says %v", p, s, got, want)
		}
	})
}

// FuzzStackPolicy: any policy document is read or refused, and deciding never panics.
func FuzzStackPolicy(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*","Condition":{"StringEquals":{"ResourceType":["AWS::SQS::Queue"]}}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := parseStackPolicy(doc)
		if err != nil {
			return
		}
		p.allows("Update:Replace", "Q", "AWS::SQS::Queue")
	})
}
