package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		kind      Kind
		want      string // a substring of the message
	}{
		{"not json", `{`, Identity, "Syntax errors"},
		{"not an object", `[]`, Identity, "Syntax errors"},
		{"trailing", `{"Statement":[]} x`, Identity, "Syntax errors"},
		{"bad version", `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Identity, "valid version"},
		{"no statement", `{"Version":"2012-10-17"}`, Identity, "Missing required field Statement"},
		{"empty statement", `{"Version":"2012-10-17","Statement":[]}`, Identity, "Statement must not be empty"},
		{"no effect", `{"Version":"2012-10-17","Statement":{"Action":"*","Resource":"*"}}`, Identity, "Missing required field Effect"},
		{"bad effect", `{"Version":"2012-10-17","Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}`, Identity, "Invalid effect"},
		{"no action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`, Identity, "must contain actions"},
		{"both actions", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}`, Identity, "both Action and NotAction"},
		{"action vendor", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s*:Get","Resource":"*"}}`, Identity, "Action vendors"},
		{"action without colon", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, Identity, "Action vendors"},
		{"no resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*"}}`, Identity, "must contain resources"},
		{"resource not arn", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"bucket"}}`, Identity, "ARN format"},
		{"principal in identity", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, Identity, "should not specify a principal"},
		{"no principal in resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Resource, "Missing required field Principal"},
		{"resource in trust", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}`, Trust, "prohibited field Resource"},
		{"bad principal", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"*","Resource":"*"}}`, Resource, "Invalid principal"},
		{"wildcard principal arn", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"*","Resource":"*"}}`, Resource, "Invalid principal"},
		{"principal type", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Robot":"x"},"Action":"*","Resource":"*"}}`, Resource, "unknown principal type"},
		{"not principal allow", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}}`, Resource, "NotPrincipal"},
		{"bad operator", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSorta":{"a:b":"c"}}}}`, Identity, "Invalid Condition type"},
		{"bad number", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}}`, Identity, "Invalid value"},
		{"bad date", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}}`, Identity, "Invalid value"},
		{"bad cidr", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/99"}}}}`, Identity, "Invalid value"},
		{"bad bool", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}`, Identity, "Invalid value"},
		{"condition value object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":{"c":1}}}}}`, Identity, "not a string"},
		{"empty condition", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}}`, Identity, "non-empty"},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"*","Resource":"*"}]}`, Identity, "unique"},
		{"bad sid", `{"Version":"2012-10-17","Statement":{"Sid":"a b","Effect":"Allow","Action":"*","Resource":"*"}}`, Identity, "alpha-numeric"},
		{"unknown field", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}}`, Identity, "unknown field Extra"},
		{"action number", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":7,"Resource":"*"}}`, Identity, "string or a list"},
		{"empty action list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, Identity, "must not be empty"},
		{"deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), Identity, "too deep"},
		{"null with set", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:Null":{"a:b":"true"}}}}`, Identity, "Invalid Condition type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc, tt.kind)
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(pe.Msg, tt.want) {
				t.Errorf("Parse = %v; want a policy error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	docs := []struct {
		doc  string
		kind Kind
	}{
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Identity},
		{`{"Statement":[{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/*"}]}`, Identity},
		{`{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"any thing","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root"],"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:q"}]}`, Resource},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"x"},"NumericLessThan":{"a:n":5},"Bool":{"aws:SecureTransport":true}}}]}`, Trust},
	}
	for _, d := range docs {
		if _, err := Parse(d.doc, d.kind); err != nil {
			t.Errorf("Parse(%s) = %v; want nil", d.doc, err)
		}
	}
}

func TestSize(t *testing.T) {
	if got := Size("{ \"a\" :\n\t1 }"); got != 7 {
		t.Errorf("Size = %d; want 7", got)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*", "a", true}, {"a*c", "abbbc", true}, {"a*c", "abbbd", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*a*a*a*", "aaa", true}, {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaa", false},
		{"a\x01*b", "a*b", true}, {"a\x01*b", "axb", false}, {"\x01?", "?", true}, {"\x01?", "x", false},
	}
	for _, tt := range tests {
		if got := glob(tt.p, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v; want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestMatchedStatements(t *testing.T) {
	id := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"One","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"Two","Effect":"Allow","Action":"sqs:*","Resource":"*"},{"Sid":"Three","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}`, Identity)
	id.Name = "arn:aws:iam::111122223333:policy/p"
	r := &Request{Principal: Principal{Type: "User", Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/a"}, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"}
	res := Evaluate(r, &Policies{Identity: []*Policy{id}})
	if res.Decision != ExplicitDeny || len(res.Matched) != 2 || res.Matched[0].Sid != "One" || res.Matched[1].Sid != "Three" || res.Matched[1].Policy != id.Name {
		t.Errorf("Evaluate = %+v; want an explicit deny matching One and Three", res)
	}
	if res.Reason != "with an explicit deny in an identity-based policy" {
		t.Errorf("Reason = %q", res.Reason)
	}
	r.Action = "dynamodb:GetItem"
	res = Evaluate(r, &Policies{Identity: []*Policy{id}})
	if want := "because no identity-based policy allows the dynamodb:GetItem action"; res.Reason != want {
		t.Errorf("Reason = %q; want %q", res.Reason, want)
	}
}

// benchPolicies is a principal with 50 statements over five policies, the benchmark shape.
func benchPolicies(b testing.TB) (*Policies, *Request) {
	var pols []*Policy
	for p := 0; p < 5; p++ {
		var st []string
		for i := 0; i < 10; i++ {
			n := p*10 + i
			st = append(st, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["sqs:Send*","sqs:Receive%d"],"Resource":"arn:aws:sqs:*:111122223333:queue-%d-*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d"},"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}}`, n, n, n, n%3))
		}
		pols = append(pols, mustParse(b, `{"Version":"2012-10-17","Statement":[`+strings.Join(st, ",")+`]}`, Identity))
	}
	r := &Request{
		Principal: Principal{Type: "User", Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", Username: "alice", Tags: map[string]string{"team": "t1"}},
		Action:    "sqs:SendMessage",
		Resource:  "arn:aws:sqs:us-east-1:111122223333:queue-49-x",
	}
	r.Set("aws:SourceIp", "10.1.2.3")
	return &Policies{Identity: pols}, r
}

func BenchmarkEvaluate50(b *testing.B) {
	ps, r := benchPolicies(b)
	b.ReportAllocs()
	for b.Loop() {
		if Evaluate(r, ps).Decision != Allowed {
			b.Fatal("not allowed")
		}
	}
}

func TestGrants(t *testing.T) {
	trust := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}`, Trust)
	r := &Request{Principal: Principal{Type: "User", Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/a"}, Action: "sts:AssumeRole", Resource: "arn:aws:iam::444455556666:role/R"}
	if Grants(r, trust) {
		t.Errorf("Grants without the external id = true")
	}
	r.Set("sts:ExternalId", "x")
	if !Grants(r, trust) {
		t.Errorf("Grants with the external id = false")
	}
	r.Principal.Account = "999988887777"
	if Grants(r, trust) {
		t.Errorf("Grants to another account = true")
	}
}

func TestStatementPositions(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n    {\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}"
	p := mustParse(t, doc, Identity)
	want := []Statement{{Start: Position{4, 5}, End: Position{4, 56}}, {Start: Position{5, 5}, End: Position{5, 58}}}
	for i, w := range want {
		if p.Statements[i].Start != w.Start || p.Statements[i].End != w.End {
			t.Errorf("statement %d at %v-%v; want %v-%v", i, p.Statements[i].Start, p.Statements[i].End, w.Start, w.End)
		}
	}
	one := mustParse(t, `{"Statement": {"Effect":"Allow","Action":"*","Resource":"*"}}`, Identity)
	if s := one.Statements[0]; s.Start != (Position{1, 15}) || s.End != (Position{1, 61}) {
		t.Errorf("single statement at %v-%v; want 1:15-1:61", s.Start, s.End)
	}
}

// TestResourcePolicySids: a resource policy's statement ids are the service's to name (Lambda's
// AddPermission takes "sns-invoke"), while identity policies keep IAM's alphanumeric rule.
func TestResourcePolicySids(t *testing.T) {
	res := `{"Version":"2012-10-17","Statement":[{"Sid":"sns-invoke_1.a","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`
	if _, err := Parse(res, Resource); err != nil {
		t.Errorf("a resource policy with Sid sns-invoke_1.a: %v", err)
	}
	id := `{"Version":"2012-10-17","Statement":[{"Sid":"not-alnum","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	if _, err := Parse(id, Identity); err == nil {
		t.Errorf("an identity policy with Sid not-alnum parsed; want MalformedPolicyDocument")
	}
}
