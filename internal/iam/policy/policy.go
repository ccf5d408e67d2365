// Package policy is the IAM policy language: it parses and validates policy documents and
// evaluates requests against them with AWS's evaluation logic (explicit deny wins; an allow is
// needed from the identity side, the resource side, or both across accounts; permissions
// boundaries and session policies only narrow). It is written by hand: no permissive Go
// evaluator exists.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Kind is what a document is attached to, which decides the elements it must and must not have.
type Kind int

const (
	Identity Kind = iota // user, group, role, managed, boundary and session policies: no Principal
	Resource             // bucket, queue, function policies: Principal required
	Trust                // a role's AssumeRolePolicyDocument: Principal required, Resource forbidden
)

// Limits from the IAM quotas page, in characters excluding whitespace.
const (
	MaxUserInline    = 2048
	MaxRoleInline    = 10240
	MaxGroupInline   = 5120
	MaxManaged       = 6144
	MaxTrust         = 2048
	MaxSessionPolicy = 2048
	MaxResource      = 20480 // S3's bucket-policy limit; the largest resource-policy limit
	maxDepth         = 16    // JSON nesting; a valid policy needs at most 5
	maxDocBytes      = 128 << 10
)

// Effect is Allow or Deny.
type Effect bool

const (
	Deny  Effect = false
	Allow Effect = true
)

func (e Effect) String() string {
	if e {
		return "Allow"
	}
	return "Deny"
}

// Policy is a parsed document.
type Policy struct {
	Name       string // how a caller identifies it in results (an ARN or "user/alice/inline"); not parsed
	Version    string
	ID         string
	Statements []Statement
	Document   string // the source text
}

// Statement is one parsed statement, its patterns ready to match.
type Statement struct {
	Sid       string
	Effect    Effect
	Actions   []pattern // lower-cased; Action or NotAction
	NotAction bool
	Resources []pattern // Resource or NotResource; empty with hasResource false means any (trust policies)
	NotRes    bool
	hasRes    bool
	Principal *Principals // Principal or NotPrincipal; nil when absent
	NotPrinc  bool
	Conds     []Condition
	Start     Position // where the statement is in its document
	End       Position
}

// Principals is a Principal element.
type Principals struct {
	All                                bool // "*" or {"AWS":"*"}
	AWS, Service, Federated, Canonical []string
}

// Error is a MalformedPolicyDocument: the message says what is wrong.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// Size is the length of a document as IAM counts it: characters other than whitespace.
func Size(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// Parse parses and validates a document of a kind.
func Parse(doc string, kind Kind) (*Policy, error) {
	if len(doc) > maxDocBytes {
		return nil, errorf("Cannot exceed quota for PolicySize: %d", maxDocBytes)
	}
	if err := checkDepth(doc); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, errorf("Syntax errors in policy.")
	}
	if dec.More() {
		return nil, errorf("Syntax errors in policy.")
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, errorf("Syntax errors in policy.")
	}
	p := &Policy{Document: doc}
	for k, v := range obj {
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok || s != "2012-10-17" && s != "2008-10-17" {
				return nil, errorf("The policy must contain a valid version string")
			}
			p.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, errorf("Syntax errors in policy: Id must be a string.")
			}
			p.ID = s
		case "Statement":
		default:
			return nil, errorf("Syntax errors in policy: unknown field %s.", k)
		}
	}
	st, ok := obj["Statement"]
	if !ok {
		return nil, errorf("Missing required field Statement")
	}
	list, isList := st.([]any)
	if !isList {
		list = []any{st}
	}
	if len(list) == 0 {
		return nil, errorf("Syntax errors in policy: Statement must not be empty.")
	}
	spans := statementSpans(doc)
	sids := map[string]bool{}
	for i, raw := range list {
		s, err := parseStatement(raw, kind, p.Version)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, errorf("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[s.Sid] = true
		}
		if p.Version != "2012-10-17" {
			s.literalVariables() // policy variables arrived with the 2012-10-17 grammar
		}
		if i < len(spans) {
			s.Start, s.End = spans[i][0], spans[i][1]
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// checkDepth refuses documents nested deeper than any policy needs, before decoding them.
func checkDepth(doc string) error {
	depth, inStr, esc := 0, false, false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			if depth++; depth > maxDepth {
				return errorf("Syntax errors in policy: nesting too deep.")
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

func parseStatement(raw any, kind Kind, version string) (Statement, error) {
	obj, ok := raw.(map[string]any)
	if !ok {
		return Statement{}, errorf("Syntax errors in policy: a statement must be an object.")
	}
	var s Statement
	has := func(k string) bool { _, ok := obj[k]; return ok }
	for k := range obj {
		switch k {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition":
		default:
			return s, errorf("Syntax errors in policy: unknown field %s.", k)
		}
	}
	if v, ok := obj["Sid"]; ok {
		sid, ok := v.(string)
		if !ok || kind != Resource && !validSid(sid, version) {
			return s, errorf("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
		}
		s.Sid = sid
	}
	switch obj["Effect"] {
	case "Allow":
		s.Effect = Allow
	case "Deny":
		s.Effect = Deny
	case nil:
		return s, errorf("Missing required field Effect")
	default:
		return s, errorf("Invalid effect: %v", obj["Effect"])
	}
	if err := s.parseActions(obj, has); err != nil {
		return s, err
	}
	if err := s.parseResources(obj, has, kind); err != nil {
		return s, err
	}
	if err := s.parsePrincipals(obj, has, kind); err != nil {
		return s, err
	}
	if c, ok := obj["Condition"]; ok {
		conds, err := parseConditions(c)
		if err != nil {
			return s, err
		}
		s.Conds = conds
	}
	return s, nil
}

func (s *Statement) literalVariables() {
	for i := range s.Resources {
		s.Resources[i].vars = false
		s.Resources[i].literal = !strings.ContainsAny(s.Resources[i].s, "*?")
	}
	for i := range s.Conds {
		s.Conds[i].vars = false
	}
}

// validSid holds identity and trust policies to IAM's alphanumeric Sid; a resource policy's
// service names its statements as it likes (Lambda's statement ids and SQS's labels take '-',
// '_' and '.'), so resource policies are not checked.
func validSid(sid, version string) bool {
	if version != "2012-10-17" {
		return true // the 2008 grammar allowed any string, and so do trust policies in practice
	}
	for _, c := range sid {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (s *Statement) parseActions(obj map[string]any, has func(string) bool) error {
	if has("Action") == has("NotAction") {
		if has("Action") {
			return errorf("Statement cannot have both Action and NotAction")
		}
		return errorf("Policy statement must contain actions.")
	}
	key := "Action"
	if has("NotAction") {
		key, s.NotAction = "NotAction", true
	}
	vals, err := stringList(obj[key], key)
	if err != nil {
		return err
	}
	for _, a := range vals {
		if a != "*" {
			svc, name, ok := strings.Cut(a, ":")
			if !ok || svc == "" || name == "" || strings.ContainsAny(svc, "*?") {
				return errorf("Action vendors must not contain wildcards or be empty: %s", a)
			}
		}
		s.Actions = append(s.Actions, compile(strings.ToLower(a)))
	}
	return nil
}

func (s *Statement) parseResources(obj map[string]any, has func(string) bool, kind Kind) error {
	if has("Resource") && has("NotResource") {
		return errorf("Statement cannot have both Resource and NotResource")
	}
	if !has("Resource") && !has("NotResource") {
		if kind == Trust {
			return nil
		}
		return errorf("Policy statement must contain resources.")
	}
	if kind == Trust {
		return errorf("Has prohibited field Resource")
	}
	key := "Resource"
	if has("NotResource") {
		key, s.NotRes = "NotResource", true
	}
	vals, err := stringList(obj[key], key)
	if err != nil {
		return err
	}
	for _, r := range vals {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return errorf("Resource %s must be in ARN format or \"*\".", r)
		}
		if r != "*" && strings.Count(r, ":") < 5 {
			return errorf("Resource %s must be in ARN format or \"*\".", r)
		}
		s.Resources = append(s.Resources, compile(r))
	}
	s.hasRes = true
	return nil
}

func (s *Statement) parsePrincipals(obj map[string]any, has func(string) bool, kind Kind) error {
	if has("Principal") && has("NotPrincipal") {
		return errorf("Statement cannot have both Principal and NotPrincipal")
	}
	key := "Principal"
	if has("NotPrincipal") {
		key, s.NotPrinc = "NotPrincipal", true
	}
	if !has(key) {
		if kind != Identity {
			return errorf("Missing required field Principal")
		}
		return nil
	}
	if kind == Identity {
		return errorf("Policy document should not specify a principal.")
	}
	if s.NotPrinc && s.Effect == Allow {
		return errorf("NotPrincipal must be used with Effect Deny")
	}
	p, err := parsePrincipal(obj[key])
	if err != nil {
		return err
	}
	s.Principal = p
	return nil
}

func parsePrincipal(v any) (*Principals, error) {
	if v == "*" {
		return &Principals{All: true}, nil
	}
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil, errorf("Invalid principal in policy: must be \"*\" or an object.")
	}
	p := &Principals{}
	for k, raw := range obj {
		vals, err := stringList(raw, "Principal")
		if err != nil {
			return nil, err
		}
		switch k {
		case "AWS":
			for _, a := range vals {
				if a == "*" {
					p.All = true
					continue
				}
				if !isAccountID(a) && !(strings.HasPrefix(a, "arn:") && strings.Count(a, ":") >= 5) || strings.ContainsAny(a, "*?") {
					return nil, errorf("Invalid principal in policy: \"AWS\":\"%s\"", a)
				}
				p.AWS = append(p.AWS, a)
			}
		case "Service":
			p.Service = append(p.Service, vals...)
		case "Federated":
			p.Federated = append(p.Federated, vals...)
		case "CanonicalUser":
			p.Canonical = append(p.Canonical, vals...)
		default:
			return nil, errorf("Invalid principal in policy: unknown principal type %s", k)
		}
	}
	return p, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stringList reads a string or a non-empty list of strings.
func stringList(v any, field string) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		if len(v) == 0 {
			return nil, errorf("Syntax errors in policy: %s must not be empty.", field)
		}
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, errorf("Syntax errors in policy: %s must be a string or a list of strings.", field)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errorf("Syntax errors in policy: %s must be a string or a list of strings.", field)
}

// Compact returns a document with insignificant whitespace removed (for size reports and storage
// comparisons); an invalid document is returned as it is.
func Compact(doc string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(doc)) != nil {
		return doc
	}
	return b.String()
}
