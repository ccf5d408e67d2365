package policy

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333"],"Service":"s3.amazonaws.com"},"Action":"sqs:*","Resource":"arn:aws:sqs:*:*:*"}}`,
	} {
		f.Add(s, 0)
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, doc string, k int) {
		kind := Kind(k & 3 % 3)
		p, err := Parse(doc, kind)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse error %T %v; want *Error", err, err)
			}
			return
		}
		r := &Request{Principal: Principal{Type: "User", Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/a", Username: "a"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/a/k"}
		r.Set("aws:SourceIp", "10.0.0.1")
		r.Set("aws:TagKeys", "a", "b")
		ps := &Policies{Identity: []*Policy{p}}
		if kind != Identity {
			ps = &Policies{Resource: p}
		}
		Evaluate(r, ps)
	})
}
