package policy

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type caseFile struct {
	Groups []struct {
		Name            string   `json:"name"`
		Identity        []string `json:"identity"`
		Boundary        string   `json:"boundary"`
		Session         []string `json:"session"`
		Resource        string   `json:"resource"`
		ResourceAccount string   `json:"resourceAccount"`
		Cases           []struct {
			Principal string              `json:"principal"`
			Action    string              `json:"action"`
			Resource  string              `json:"resource"`
			Context   map[string][]string `json:"context"`
			Want      string              `json:"want"`
		} `json:"cases"`
	} `json:"groups"`
}

// principalFrom reads the test files' shorthand: user:NAME@ACCT, root@ACCT, role:ROLE/SESSION@ACCT,
// service:NAME, anon; "#key=value" adds a principal tag.
func principalFrom(t *testing.T, s string) Principal {
	s, tag, hasTag := strings.Cut(s, "#")
	var p Principal
	if hasTag {
		k, v, _ := strings.Cut(tag, "=")
		p.Tags = map[string]string{k: v}
	}
	kind, rest, _ := strings.Cut(s, ":")
	name, acct, _ := strings.Cut(rest, "@")
	switch {
	case s == "anon":
		p.Type = "Anonymous"
	case strings.HasPrefix(s, "root@"):
		acct = strings.TrimPrefix(s, "root@")
		p = Principal{Type: "Account", Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct, Tags: p.Tags}
	case kind == "user":
		p.Type, p.Account, p.ARN, p.UserID, p.Username = "User", acct, "arn:aws:iam::"+acct+":user/"+name, "AIDA"+strings.ToUpper(name), name
	case kind == "role":
		role, sess, _ := strings.Cut(name, "/")
		p.Type, p.Account = "AssumedRole", acct
		p.ARN = "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + sess
		p.RoleARN = "arn:aws:iam::" + acct + ":role/" + role
		p.UserID = "AROA" + strings.ToUpper(role) + ":" + sess
	case kind == "service":
		p.Type, p.Service, p.ARN = "Service", rest, rest
	default:
		t.Fatalf("bad principal %q", s)
	}
	return p
}

func mustParse(t testing.TB, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", doc, err)
	}
	return p
}

func TestEvaluateCases(t *testing.T) {
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var f caseFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range f.Groups {
		ps := &Policies{}
		for i, d := range g.Identity {
			p := mustParse(t, d, Identity)
			p.Name = g.Name + "/identity/" + string(rune('0'+i))
			ps.Identity = append(ps.Identity, p)
		}
		if g.Boundary != "" {
			ps.Boundary = mustParse(t, g.Boundary, Identity)
		}
		if g.Session != nil {
			ps.SessionPolicies = true
			for _, d := range g.Session {
				ps.Session = append(ps.Session, mustParse(t, d, Identity))
			}
		}
		if g.Resource != "" {
			kind := Resource
			if !strings.Contains(g.Resource, `"Resource"`) {
				kind = Trust
			}
			ps.Resource = mustParse(t, g.Resource, kind)
		}
		for _, c := range g.Cases {
			n++
			r := &Request{Principal: principalFrom(t, c.Principal), Action: c.Action, Resource: c.Resource, ResourceAccount: g.ResourceAccount}
			for k, v := range c.Context {
				r.Set(k, v...)
			}
			got := Evaluate(r, ps)
			if got.Decision.String() != c.Want {
				t.Errorf("%s: Evaluate(%s, %s, %s, %v) = %v (%s); want %s", g.Name, c.Principal, c.Action, c.Resource, c.Context, got.Decision, got.Reason, c.Want)
			}
		}
	}
	if n < 300 {
		t.Errorf("%d cases; want at least 300", n)
	}
}
