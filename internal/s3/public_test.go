package s3

import (
	"testing"

	"github.com/gureum/gureum/internal/iam/policy"
)

// publicCases are bucket policies and whether S3 judges them public ("The meaning of public"):
// a grant to everyone is public unless a condition limits it to fixed values of a key naming
// the caller or where it comes from.
var publicCases = []struct {
	name   string
	stmt   string // one statement on bucket b
	public bool
}{
	{"everyone", `"Principal":"*"`, true},
	{"everyone as AWS", `"Principal":{"AWS":"*"}`, true},
	{"an account", `"Principal":{"AWS":"arn:aws:iam::111122223333:root"}`, false},
	{"a service", `"Principal":{"Service":"logging.s3.amazonaws.com"}`, false},
	{"source ip", `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, false},
	{"source ips, one everything", `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","0.0.0.0/0"]}}`, true},
	{"source ip everything v6", `"Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"::/0"}}`, true},
	{"not source ip", `"Principal":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, true},
	{"source vpc fixed", `"Principal":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`, false},
	{"source vpc wildcard", `"Principal":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}`, true},
	{"source vpc not equals", `"Principal":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-91237329"}}`, true},
	{"source vpc if exists", `"Principal":"*","Condition":{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-91237329"}}`, true},
	{"source vpce", `"Principal":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`, false},
	{"source arn", `"Principal":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:topic"}}`, false},
	{"source arn wildcard", `"Principal":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:*"}}`, true},
	{"source account", `"Principal":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}`, false},
	{"source owner", `"Principal":"*","Condition":{"StringEquals":{"aws:SourceOwner":"111122223333"}}`, false},
	{"org id", `"Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`, false},
	{"org id variable", `"Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"${aws:username}"}}`, true},
	{"userid role sessions", `"Principal":"*","Condition":{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}`, false},
	{"userid anything", `"Principal":"*","Condition":{"StringLike":{"aws:userid":"*"}}`, true},
	{"kms key", `"Principal":"*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/k"}}`, false},
	{"access points of an account", `"Principal":"*","Condition":{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:111122223333:accesspoint/*"}}`, false},
	{"access points of anyone", `"Principal":"*","Condition":{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:*:accesspoint/*"}}`, true},
	{"secure transport only", `"Principal":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}`, true},
	{"referer", `"Principal":"*","Condition":{"StringLike":{"aws:Referer":"https://example.com/*"}}`, true},
	{"referer and source ip", `"Principal":"*","Condition":{"StringLike":{"aws:Referer":"https://example.com/*"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, false},
	{"for all values", `"Principal":"*","Condition":{"ForAllValues:StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`, true},
}

func TestPublicPolicy(t *testing.T) {
	for _, tt := range publicCases {
		for _, effect := range []string{"Allow", "Deny"} {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `",` + tt.stmt + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
			p, err := policy.Parse(doc, policy.Resource)
			if err != nil {
				t.Fatalf("%s: Parse = %v", tt.name, err)
			}
			want := tt.public && effect == "Allow"
			if got := publicPolicy(p); got != want {
				t.Errorf("publicPolicy(%s, %s) = %v; want %v", tt.name, effect, got, want)
			}
		}
	}
}

// TestPublicPolicyAnyStatement: one public statement makes the policy public.
func TestPublicPolicyAnyStatement(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	p, err := policy.Parse(doc, policy.Resource)
	if err != nil {
		t.Fatal(err)
	}
	if !publicPolicy(p) {
		t.Errorf("publicPolicy(one public statement of two) = false; want true")
	}
}
