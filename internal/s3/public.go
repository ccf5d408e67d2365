package s3

import (
	"context"
	"encoding/xml"
	"net/netip"
	"strings"

	"github.com/gureum/gureum/internal/iam/policy"
)

// What makes a bucket policy public, as S3's "The meaning of public" defines it: S3 starts from
// public and finds a policy non-public only when each of its Allow statements to everyone ("*",
// or {"AWS":"*"}) is limited by a condition to fixed values (no wildcard, no policy variable)
// of a key that names who or where the caller is. GetBucketPolicyStatus, BlockPublicPolicy
// and RestrictPublicBuckets all read this one judgement (access.public).

// restrictingKeys are the condition keys whose fixed values make a grant non-public (lower-cased,
// as policy.Condition.Key holds them).
var restrictingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourceowner": true, "aws:sourceaccount": true, "aws:userid": true,
	"aws:principalorgid": true, "aws:principalaccount": true, "aws:principalarn": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
}

// publicPolicy reports whether a policy is public: one of its statements grants something to
// everyone without a condition that limits the grant to fixed callers or places.
func publicPolicy(p *policy.Policy) bool {
	for i := range p.Statements {
		if publicStatement(&p.Statements[i]) {
			return true
		}
	}
	return false
}

func publicStatement(st *policy.Statement) bool {
	if st.Effect != policy.Allow || st.Principal == nil || st.NotPrinc || !st.Principal.All {
		return false
	}
	for i := range st.Conds {
		if restricts(&st.Conds[i]) {
			return false // conditions are all required: one that limits the grant limits it
		}
	}
	return true
}

// restricts reports whether a condition admits only fixed values of a restricting key. A
// negated operator (StringNotEquals, NotIpAddress, …) admits everything else; …IfExists and
// ForAllValues: pass a request without the key; a Null test or a numeric or date comparison
// fixes nothing.
func restricts(c *policy.Condition) bool {
	if !restrictingKeys[c.Key] || len(c.Values) == 0 {
		return false
	}
	op := c.Operator
	if strings.HasPrefix(op, "ForAllValues:") || strings.HasSuffix(op, "IfExists") {
		return false
	}
	op = strings.TrimPrefix(op, "ForAnyValue:")
	switch op {
	case "IpAddress":
		if c.Key != "aws:sourceip" {
			return false
		}
		for _, v := range c.Values {
			if !fixedCIDR(v) {
				return false
			}
		}
		return true
	case "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike":
		if c.Key == "aws:sourceip" {
			return false
		}
		for _, v := range c.Values {
			if !fixedValue(c.Key, v) {
				return false
			}
		}
		return true
	}
	return false
}

// fixedCIDR reports whether an aws:SourceIp value names a range smaller than every address.
func fixedCIDR(v string) bool {
	if strings.Contains(v, "${") {
		return false
	}
	if pfx, err := netip.ParsePrefix(v); err == nil {
		return pfx.Bits() > 0
	}
	_, err := netip.ParseAddr(v)
	return err == nil
}

// fixedValue reports whether a value is fixed: no policy variable and no wildcard, save the two
// S3 allows: a role's sessions ("AROLEID:*") in aws:userid, and any access point of a fixed
// account ("arn:aws:s3:region:account:accesspoint/*") in s3:DataAccessPointArn.
func fixedValue(key, v string) bool {
	if v == "" || strings.Contains(v, "${") {
		return false
	}
	if !strings.ContainsAny(v, "*?") {
		return true
	}
	switch key {
	case "aws:userid":
		id, ok := strings.CutSuffix(v, ":*")
		return ok && id != "" && !strings.ContainsAny(id, "*?:")
	case "s3:dataaccesspointarn":
		prefix, ok := strings.CutSuffix(v, ":accesspoint/*")
		parts := strings.Split(prefix, ":")
		return ok && len(parts) == 5 && parts[0] == "arn" && parts[2] == "s3" && isAccount(parts[4]) && !strings.ContainsAny(prefix, "*?")
	}
	return false
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PolicyStatusOutput is GetBucketPolicyStatus' answer.
type PolicyStatusOutput struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PolicyStatus"`
	IsPublic bool     `xml:"IsPublic"`
}

// GetBucketPolicyStatus says whether the bucket's policy is public (NoSuchBucketPolicy without
// one, as S3 answers).
func (s *Service) GetBucketPolicyStatus(ctx context.Context, in *BucketInput) (*PolicyStatusOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	a := accessOf(b)
	if a.doc == "" {
		return nil, policyKind.notFound(in.Bucket)
	}
	return &PolicyStatusOutput{IsPublic: a.public}, nil
}
