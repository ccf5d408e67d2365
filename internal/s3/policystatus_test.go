package s3_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestPublicPolicyJudgement: one judgement of "public" (S3's "The meaning of public") drives
// GetBucketPolicyStatus, BlockPublicPolicy (PutBucketPolicy refused) and RestrictPublicBuckets
// (the grant ignored for callers outside the owner's account): a grant to everyone limited to
// fixed source addresses, VPCs, accounts or organizations is not public; one limited by a
// wildcard, a negation, …IfExists or a key that names nobody (aws:Referer) is.
func TestPublicPolicyJudgement(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "judged")
		put(t, c, "judged", "doc.txt", "hello")
		if _, err := c.GetBucketPolicyStatus(bg, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("judged")}); code(err) != "NoSuchBucketPolicy" {
			t.Errorf("GetBucketPolicyStatus without a policy = %v; want NoSuchBucketPolicy", err)
		}
		if _, err := c.GetBucketPolicyStatus(bg, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("nobucket")}); code(err) != "NoSuchBucket" {
			t.Errorf("GetBucketPolicyStatus of a missing bucket = %v; want NoSuchBucket", err)
		}
		grant := func(cond string) string {
			if cond != "" {
				cond = `,"Condition":` + cond
			}
			return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::judged/*"` + cond + `}]}`
		}
		tests := []struct {
			name, cond string
			public     bool
			anonGET    int // an anonymous GET from 127.0.0.1 under RestrictPublicBuckets
		}{
			{"no condition", ``, true, 403},
			{"this host's address", `{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}`, false, 200},
			{"every address", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, true, 403},
			{"every address but one", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.1/32"}}`, true, 403},
			{"a fixed VPC", `{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`, false, 403},
			{"any VPC", `{"StringLike":{"aws:SourceVpc":"vpc-*"}}`, true, 403},
			{"a fixed organization", `{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`, false, 403},
			{"a fixed source account", `{"StringEquals":{"aws:SourceAccount":"111122223333"}}`, false, 403},
			{"a referer", `{"StringLike":{"aws:Referer":"http://example.com/*"}}`, true, 403},
		}
		for _, tt := range tests {
			doc := grant(tt.cond)
			// The bucket blocks public policies (the default of a new bucket).
			if _, err := c.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: aws.String("judged"),
				PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}); err != nil {
				t.Fatal(err)
			}
			_, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("judged"), Policy: aws.String(doc)})
			switch {
			case tt.public && code(err) != "AccessDenied":
				t.Errorf("%s: PutBucketPolicy under BlockPublicPolicy = %v; want AccessDenied", tt.name, err)
			case !tt.public && err != nil:
				t.Errorf("%s: PutBucketPolicy under BlockPublicPolicy = %v; want accepted (not public)", tt.name, err)
			}
			// Without the block the policy is stored, and its status says what S3 judged.
			if _, err := c.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: aws.String("judged"),
				PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("judged"), Policy: aws.String(doc)}); err != nil {
				t.Fatalf("%s: PutBucketPolicy = %v", tt.name, err)
			}
			st, err := c.GetBucketPolicyStatus(bg, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("judged")})
			if err != nil || st.PolicyStatus == nil || aws.ToBool(st.PolicyStatus.IsPublic) != tt.public {
				t.Errorf("%s: GetBucketPolicyStatus = %+v, %v; want IsPublic %v", tt.name, st, err, tt.public)
			}
			if status, _ := anonGet(t, srv.Endpoint+"/judged/doc.txt"); status != tt.anonGET {
				t.Errorf("%s: anonymous GET under RestrictPublicBuckets = %d; want %d", tt.name, status, tt.anonGET)
			}
		}
		// Without RestrictPublicBuckets a public grant works for anonymous callers.
		if _, err := c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("judged")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("judged"), Policy: aws.String(grant(""))}); err != nil {
			t.Fatal(err)
		}
		if status, body := anonGet(t, srv.Endpoint+"/judged/doc.txt"); status != 200 || body != "hello" {
			t.Errorf("anonymous GET under a public policy without the block = %d %q; want 200 hello", status, body)
		}
	})
}
