package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// BucketsTopic is the notifier topic of S3's iam.PolicyCache: a bucket's name is announced on it
// when its owner, policy, ACL or public-access settings change, so every node drops what it
// cached of it.
const BucketsTopic = "s3_buckets"

// access is what authorization reads of a bucket beside its owner and policy document: the
// policy parsed, its canned ACL and its public-access block. It is the bucket's facts in S3's
// iam.PolicyCache (Service.buckets), shared by every request that reads it: never changed.
type access struct {
	exists  bool
	owner   string
	doc     string         // the bucket policy ("" without one)
	pol     *policy.Policy // doc parsed; nil without one
	public  bool           // the policy is public (publicPolicy)
	acl     string         // the bucket's canned ACL
	pab     publicAccessBlock
	aclsOff bool // bucket owner enforced
}

// noBucket is the access of a bucket that does not exist.
var noBucket = &access{}

// loadAccess is the loader of S3's policy cache, keyed by bucket name: the bucket's owner,
// policy and access facts (nothing for a bucket that does not exist).
func (s *Service) loadAccess(ctx context.Context, name string) (owner, doc string, facts any, err error) {
	b, err := s.store.Bucket(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", "", noBucket, nil
	case err != nil:
		return "", "", nil, err
	}
	a := accessOf(b)
	return a.owner, a.doc, a, nil
}

// bucketAccess reads a bucket's access settings through the node's cache.
func (s *Service) bucketAccess(ctx context.Context, name string) (*access, error) {
	_, _, facts, err := s.buckets.Facts(ctx, name)
	if err != nil {
		return nil, err
	}
	return facts.(*access), nil
}

func accessOf(b store.Bucket) *access {
	a := &access{exists: true, owner: b.Account, doc: b.Configs["policy"], acl: b.Configs["acl"], aclsOff: aclsDisabled(b)}
	xml.Unmarshal([]byte(b.Configs["publicAccessBlock"]), &a.pab)
	if a.doc != "" {
		if p, err := policy.Parse(a.doc, policy.Resource); err == nil {
			p.Name = "arn:aws:s3:::" + b.Name
			a.pol, a.public = p, publicPolicy(p)
		}
	}
	return a
}

// changed drops a bucket's cached access settings here and announces the change to every node.
func (s *Service) changed(ctx context.Context, bucket string) {
	s.buckets.Changed(context.WithoutCancel(ctx), bucket)
}

// bucketOfARN returns the bucket an S3 ARN names.
func bucketOfARN(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok || rest == "" {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, name != ""
}

// policyOps are the operations a bucket owner's root may always call, whatever the bucket policy
// says, so that a policy cannot lock its owner out.
var policyOps = map[string]bool{"GetBucketPolicy": true, "PutBucketPolicy": true, "DeleteBucketPolicy": true}

// resourcePolicy is S3's service.ResourcePolicyFunc: a bucket's (or its object's) owner and
// bucket policy, for the authorizer to weigh with the caller's own policies.
func (s *Service) resourcePolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	name, ok := bucketOfARN(resource)
	if !ok {
		return "", "", nil
	}
	info := request.From(ctx)
	if info.Operation == "CreateBucket" {
		return "", "", nil // the name's current owner is CreateBucket's own answer (BucketAlreadyExists)
	}
	a, err := s.bucketAccess(ctx, name)
	if err != nil || !a.exists {
		return "", "", err
	}
	p := info.Principal
	switch {
	case p != nil && p.Root && p.Account == a.owner && policyOps[info.Operation]:
		return a.owner, "", nil
	case a.public && a.pab.RestrictPublicBuckets && (p == nil || p.Account != a.owner):
		// A public policy grants only the owner's account and AWS services while the bucket
		// restricts public buckets; across accounts an unused grant is the same as none.
		return a.owner, "", nil
	}
	return a.owner, a.doc, nil
}

// anonymousAllowed decides an anonymous request, which the authorizer leaves to S3: the bucket
// policy (unless it is public and the bucket restricts public buckets) must allow every check
// and deny none, or the bucket's or object's ACL must grant it (unless public ACLs are ignored).
func (s *Service) anonymousAllowed(ctx context.Context, action, resource string, objectACL func() string) error {
	name, ok := bucketOfARN(resource)
	if !ok {
		return accessDenied()
	}
	a, err := s.bucketAccess(ctx, name)
	if err != nil {
		return err
	}
	if !a.exists {
		return nil // the handler answers NoSuchBucket, as S3 does to anyone
	}
	if a.pol != nil && !(a.public && a.pab.RestrictPublicBuckets) {
		// An anonymous caller has no principal keys (aws:PrincipalArn and the like are absent,
		// aws:PrincipalType is "Anonymous"); the request's keys are the router's (or, on the data
		// plane, httpConditions'), with S3's own.
		r := &policy.Request{Principal: policy.Principal{Type: "Anonymous"}, Action: action, Resource: resource, ResourceAccount: a.owner}
		if c := service.ConditionsFrom(ctx); c != nil {
			r.Lookup = c.Lookup
		} else {
			r.Set("aws:SecureTransport", "false")
			r.Set("aws:CurrentTime", s.now().UTC().Format(time.RFC3339))
		}
		switch policy.Evaluate(r, &policy.Policies{Resource: a.pol}).Decision {
		case policy.Allowed:
			return nil
		case policy.ExplicitDeny:
			return accessDenied()
		}
	}
	if a.pab.IgnorePublicAcls || a.aclsOff {
		return accessDenied()
	}
	if aclGrants(a.acl, action, false) {
		return nil
	}
	if objectACL != nil && strings.Contains(resource[len("arn:aws:s3:::"):], "/") && aclGrants(objectACL(), action, true) {
		return nil
	}
	return accessDenied()
}

// aclGrants reports whether a canned ACL grants everyone the action: READ on a bucket lists
// it, WRITE on a bucket writes and deletes its objects, READ on an object reads it.
func aclGrants(canned, action string, object bool) bool {
	read := canned == "public-read" || canned == "public-read-write"
	switch {
	case object:
		return read && (action == "s3:GetObject" || action == "s3:GetObjectVersion")
	case action == "s3:ListBucket" || action == "s3:ListBucketVersions":
		return read
	case action == "s3:PutObject" || action == "s3:DeleteObject":
		return canned == "public-read-write"
	}
	return false
}

func accessDenied() error { return ErrAccessDenied.Errorf("Access Denied") }

// anonymousOps are the operations an anonymous caller may reach; S3 then decides with the
// bucket's policy and ACLs.
var anonymousOps = map[string]bool{
	"GetObject": true, "HeadObject": true, "PutObject": true, "DeleteObject": true,
	"ListObjects": true, "ListObjectsV2": true, "ListObjectVersions": true, "HeadBucket": true,
	"GetBucketLocation": true, "GetObjectTagging": true, "GetObjectAcl": true,
}

// anonymousGate runs an operation for an anonymous caller only when the bucket's policy or ACLs
// allow each of its checks; signed callers pass straight through (the authorizer decided).
type anonymousGate struct {
	service.Handler
	s  *Service
	op service.Operation
}

func (g anonymousGate) Call(ctx context.Context, in any) (any, error) {
	if request.From(ctx).Principal == nil {
		for _, c := range g.op.AuthChecks(ctx, in) {
			if err := g.s.anonymousAllowed(ctx, c.Action, c.Resource, g.s.objectACL(ctx, in)); err != nil {
				return nil, err
			}
		}
	}
	return g.Handler.Call(ctx, in)
}

// objectACL returns a reader of the canned ACL of the object a request names.
func (s *Service) objectACL(ctx context.Context, in any) func() string {
	oi, ok := in.(*ObjectInput)
	if !ok {
		return nil
	}
	return func() string {
		o, err := s.store.Object(ctx, oi.Bucket, oi.Key, oi.Query.Get("versionId"))
		if err != nil {
			return ""
		}
		return o.Meta.ACL
	}
}

// principalARN is the caller's ARN as S3's denials name it.
func principalARN(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.ARN
	}
	return "anonymous"
}
