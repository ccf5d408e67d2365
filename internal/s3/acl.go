package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// Canned ACLs are stored by name and rendered as grants. Buckets made since April 2023 enforce
// bucket ownership (ACLs off): only the ACLs that grant nothing beyond the owner are accepted then.
var cannedACLs = map[string]bool{
	"private": true, "public-read": true, "public-read-write": true, "authenticated-read": true,
	"aws-exec-read": true, "bucket-owner-read": true, "bucket-owner-full-control": true, "log-delivery-write": true,
}

const (
	allUsers  = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

// aclDoc renders a canned ACL as an AccessControlPolicy.
func aclDoc(canned, account string) string {
	o := ownerOf(account)
	var b strings.Builder
	b.WriteString(`<AccessControlPolicy xmlns="` + Namespace + `"><Owner><ID>` + o.ID + `</ID><DisplayName>` + o.DisplayName + `</DisplayName></Owner><AccessControlList>`)
	grant := func(grantee, perm string) {
		b.WriteString(`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` + grantee + `</Grantee><Permission>` + perm + `</Permission></Grant>`)
	}
	grant(`xsi:type="CanonicalUser"><ID>`+o.ID+`</ID><DisplayName>`+o.DisplayName+`</DisplayName>`, "FULL_CONTROL")
	switch canned {
	case "public-read":
		grant(`xsi:type="Group"><URI>`+allUsers+`</URI>`, "READ")
	case "public-read-write":
		grant(`xsi:type="Group"><URI>`+allUsers+`</URI>`, "READ")
		grant(`xsi:type="Group"><URI>`+allUsers+`</URI>`, "WRITE")
	case "authenticated-read":
		grant(`xsi:type="Group"><URI>`+authUsers+`</URI>`, "READ")
	}
	b.WriteString(`</AccessControlList></AccessControlPolicy>`)
	return b.String()
}

// aclsDisabled reports whether a bucket enforces bucket ownership (ACLs off).
func aclsDisabled(b store.Bucket) bool {
	var oc ownershipControls
	xml.Unmarshal([]byte(b.Configs["ownership"]), &oc)
	return len(oc.Rules) == 1 && oc.Rules[0].ObjectOwnership == "BucketOwnerEnforced"
}

func aclNotSupported() error {
	return (&aclUnsupported).Errorf("The bucket does not allow ACLs")
}

var aclUnsupported = *ErrInvalidRequest

func init() { aclUnsupported.Name = "AccessControlListNotSupported" }

// ACLInput is the request of PutBucketAcl and PutObjectAcl: a canned ACL header or a document.
type ACLInput struct {
	Bucket    string      `rest:"uri=Bucket"`
	Key       string      `rest:"uri=Key"`
	VersionID string      `rest:"query=versionId"`
	ACL       string      `rest:"header=x-amz-acl"`
	Header    http.Header `rest:"headers"`
	Body      io.Reader   `rest:"payload"`
}

// cannedFrom reads the canned ACL of a put: the header, or a document granting only the owner
// (private). Other grants need ACL evaluation that gureum does not do.
func cannedFrom(in *ACLInput) (string, error) {
	doc, err := readDoc(in.Body)
	if err != nil {
		return "", err
	}
	if in.ACL != "" {
		if !cannedACLs[in.ACL] {
			return "", invalidArgument("", "x-amz-acl", in.ACL)
		}
		return in.ACL, nil
	}
	if len(strings.TrimSpace(string(doc))) == 0 {
		return "", ErrMissingSecurityHeader.Errorf("Your request was missing a required header").With("MissingHeaderName", "x-amz-acl")
	}
	var p struct {
		Grants []struct {
			URI        string `xml:"Grantee>URI"`
			Permission string `xml:"Permission"`
		} `xml:"AccessControlList>Grant"`
	}
	if xml.Unmarshal(doc, &p) != nil {
		return "", malformedXML()
	}
	canned := "private"
	for _, g := range p.Grants {
		if g.URI == allUsers && g.Permission == "READ" {
			canned = "public-read"
		}
	}
	return canned, nil
}

// ErrMissingSecurityHeader is S3's answer to a request without a header it needs.
var ErrMissingSecurityHeader = &missingHeader

var missingHeader = *ErrInvalidRequest

func init() { missingHeader.Name = "MissingSecurityHeader" }

// GetBucketAcl renders the bucket's canned ACL.
func (s *Service) GetBucketAcl(ctx context.Context, in *BucketInput) (*DocOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	return xmlDoc(aclDoc(b.Configs["acl"], b.Account)), nil
}

// PutBucketAcl sets the bucket's canned ACL.
func (s *Service) PutBucketAcl(ctx context.Context, in *ACLInput) (*Empty, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	canned, err := cannedFrom(in)
	if err != nil {
		return nil, err
	}
	if err := aclAllowed(b, canned); err != nil {
		return nil, err
	}
	return &Empty{}, s.setConfig(ctx, in.Bucket, "acl", canned)
}

// GetObjectAcl renders an object's canned ACL.
func (s *Service) GetObjectAcl(ctx context.Context, in *ObjectInput) (*DocOutput, error) {
	_, o, err := s.lookup(ctx, in.Bucket, in.Key, in.Query.Get("versionId"))
	if err == nil && o.DeleteMarker {
		err = noSuchKey(in.Key)
	}
	if err != nil {
		return nil, err
	}
	return xmlDoc(aclDoc(o.Meta.ACL, o.Meta.Owner)), nil
}

// PutObjectAcl sets an object's canned ACL.
func (s *Service) PutObjectAcl(ctx context.Context, in *ACLInput) (*Empty, error) {
	b, o, err := s.lookup(ctx, in.Bucket, in.Key, in.VersionID)
	if err == nil && o.DeleteMarker {
		err = noSuchKey(in.Key)
	}
	if err != nil {
		return nil, err
	}
	canned, err := cannedFrom(in)
	if err != nil {
		return nil, err
	}
	if err := aclAllowed(b, canned); err != nil {
		return nil, err
	}
	o.Meta.ACL = canned
	if err := s.store.SetObjectMeta(ctx, in.Bucket, in.Key, o.VersionID, o.Meta); errors.Is(err, store.ErrNotFound) {
		return nil, noSuchKey(in.Key)
	} else if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// VersioningConfiguration is the versioning document.
type VersioningConfiguration struct {
	XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
	Status    string   `xml:"Status,omitempty"`
	MFADelete string   `xml:"MfaDelete,omitempty"`
}

// GetBucketVersioning answers the bucket's versioning state (none until it was first set).
func (s *Service) GetBucketVersioning(ctx context.Context, in *BucketInput) (*VersioningConfiguration, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	return &VersioningConfiguration{Status: b.Versioning}, nil
}

// PutBucketVersioning enables or suspends versioning.
func (s *Service) PutBucketVersioning(ctx context.Context, in *ConfigInput) (*Empty, error) {
	if _, err := s.bucketFor(ctx, in.Bucket); err != nil {
		return nil, err
	}
	doc, err := readDoc(in.Body)
	if err != nil {
		return nil, err
	}
	if err := checkMD5(in.Header, doc); err != nil {
		return nil, err
	}
	var v struct {
		Status    string `xml:"Status"`
		MFADelete string `xml:"MfaDelete"`
	}
	if xml.Unmarshal(doc, &v) != nil {
		return nil, malformedXML()
	}
	if v.Status != "Enabled" && v.Status != "Suspended" {
		return nil, malformedXML()
	}
	if v.MFADelete == "Enabled" {
		return nil, ErrInvalidRequest.Errorf("DevPay and Mfa are mutually exclusive authorization methods.")
	}
	return &Empty{}, s.setConfig(ctx, in.Bucket, "versioning", v.Status)
}

// aclAllowed refuses a canned ACL the bucket does not take: any grant beyond the owner while
// ACLs are off (AccessControlListNotSupported), a public one while the public-access block
// blocks public ACLs (AccessDenied, as S3 answers).
func aclAllowed(b store.Bucket, canned string) error {
	if canned == "" || canned == "private" || canned == "bucket-owner-full-control" {
		return nil
	}
	if aclsDisabled(b) {
		return aclNotSupported()
	}
	var pab publicAccessBlock
	xml.Unmarshal([]byte(b.Configs["publicAccessBlock"]), &pab)
	if pab.BlockPublicAcls && (canned == "public-read" || canned == "public-read-write" || canned == "authenticated-read") {
		return accessDenied()
	}
	return nil
}
