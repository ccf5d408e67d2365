package cloudformation

import (
	"encoding/json"
	"fmt"
)

// Stack policies: which updates a stack's resources may undergo. Once a stack has a policy,
// an update action on a resource is allowed only by an Allow statement that matches it and no
// Deny statement (AWS's rule). Actions: Update:Modify, Update:Replace, Update:Delete, Update:*.
// Resources: "LogicalResourceId/<id>" or "*" (wildcards allowed); conditions on ResourceType
// (StringEquals, StringLike) are read.

type stackPolicy struct {
	Statement []struct {
		Effect      string
		Action      any
		NotAction   any
		Principal   any
		Resource    any
		NotResource any
		Condition   map[string]map[string]any
	}
}

func parseStackPolicy(doc string) (*stackPolicy, error) {
	var p stackPolicy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, validation("Error validating stack policy: Invalid stack policy: %v", err)
	}
	for i, st := range p.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, validation("Error validating stack policy: Statement [#%d] has an invalid Effect", i)
		}
	}
	return &p, nil
}

func anyOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if glob(p, s) {
			return true
		}
	}
	return false
}

// glob matches s against a pattern whose * stands for any run of characters and ? for one,
// in O(len(p)·len(s)) (back to the last star on a mismatch, never exponential).
func glob(p, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*': // before the literal case: a '*' in s is no match for it
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi, si = pi+1, si+1
		case star >= 0:
			pi, mark = star+1, mark+1
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// allows reports whether the policy lets action happen to a resource, and if not, why.
func (p *stackPolicy) allows(action, logical, typ string) (bool, string) {
	res := "LogicalResourceId/" + logical
	allowed := false
	for i, st := range p.Statement {
		actOK := st.Action != nil && matchAny(anyOf(st.Action), action) || st.NotAction != nil && !matchAny(anyOf(st.NotAction), action)
		resOK := st.Resource != nil && matchAny(anyOf(st.Resource), res) || st.NotResource != nil && !matchAny(anyOf(st.NotResource), res)
		condOK := true
		for op, kv := range st.Condition {
			for _, v := range kv {
				vals := anyOf(v)
				switch op {
				case "StringEquals":
					condOK = condOK && contains(vals, typ)
				case "StringLike":
					condOK = condOK && matchAny(vals, typ)
				default:
					condOK = false
				}
			}
		}
		if !actOK || !resOK || !condOK {
			continue
		}
		if st.Effect == "Deny" {
			return false, fmt.Sprintf("Action denied by stack policy: Statement [#%d] does not allow [%s] for resource [%s]", i, action, res)
		}
		allowed = true
	}
	if !allowed {
		return false, fmt.Sprintf("Action denied by stack policy: no statement allows [%s] for resource [%s]", action, res)
	}
	return true, ""
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// policyCheck is the reason a stack's policy refuses an update action, or "".
func (d *stackDoc) policyCheck(action, logical, typ string) string {
	if d.StackPolicy == "" || d.Op == nil || d.Op.Kind != opUpdate {
		return ""
	}
	p, err := parseStackPolicy(d.StackPolicy)
	if err != nil {
		return err.Error()
	}
	if ok, why := p.allows(action, logical, typ); !ok {
		return why
	}
	return ""
}
