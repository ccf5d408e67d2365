package s3

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
)

// headerKeys are the request headers S3 offers to policy conditions, by condition key.
var headerKeys = map[string]string{
	"s3:x-amz-acl":                                       "X-Amz-Acl",
	"s3:x-amz-content-sha256":                            "X-Amz-Content-Sha256",
	"s3:x-amz-copy-source":                               "X-Amz-Copy-Source",
	"s3:x-amz-metadata-directive":                        "X-Amz-Metadata-Directive",
	"s3:x-amz-server-side-encryption":                    "X-Amz-Server-Side-Encryption",
	"s3:x-amz-server-side-encryption-aws-kms-key-id":     "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id",
	"s3:x-amz-storage-class":                             "X-Amz-Storage-Class",
	"s3:x-amz-website-redirect-location":                 "X-Amz-Website-Redirect-Location",
	"s3:x-amz-grant-read":                                "X-Amz-Grant-Read",
	"s3:x-amz-grant-write":                               "X-Amz-Grant-Write",
	"s3:x-amz-grant-read-acp":                            "X-Amz-Grant-Read-Acp",
	"s3:x-amz-grant-write-acp":                           "X-Amz-Grant-Write-Acp",
	"s3:x-amz-grant-full-control":                        "X-Amz-Grant-Full-Control",
	"s3:object-lock-mode":                                "X-Amz-Object-Lock-Mode",
	"s3:object-lock-retain-until-date":                   "X-Amz-Object-Lock-Retain-Until-Date",
	"s3:object-lock-legal-hold":                          "X-Amz-Object-Lock-Legal-Hold",
	"s3:x-amz-server-side-encryption-customer-algorithm": "X-Amz-Server-Side-Encryption-Customer-Algorithm",
}

// existingTagOps are the operations on an existing object whose s3:ExistingObjectTag/<key>
// keys hold that object's tags.
var existingTagOps = map[string]bool{
	"GetObject": true, "HeadObject": true, "GetObjectAcl": true, "PutObjectAcl": true, "GetObjectTagging": true,
	"PutObjectTagging": true, "DeleteObjectTagging": true, "GetObjectAttributes": true,
}

// conditionKeys is S3's Operation.Conditions: the service's own condition keys of a call, for
// signed and anonymous callers alike (computed only when a policy's condition asks for one):
// the listing's s3:prefix, s3:delimiter and s3:max-keys; the request headers of headerKeys; the
// tags a write sets (s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys); s3:VersionId; an
// existing object's tags (s3:ExistingObjectTag/<key>, one read of the object); and how a signed
// call was signed (s3:authType, s3:signatureversion).
func (s *Service) conditionKeys(ctx context.Context, in any) map[string][]string {
	m := map[string][]string{}
	set := func(k, v string) {
		if v != "" {
			m[k] = []string{v}
		}
	}
	switch i := in.(type) {
	case *ListInput:
		set("s3:prefix", i.Prefix)
		set("s3:delimiter", i.Delimiter)
		set("s3:max-keys", i.MaxKeys)
	case *ListVersionsInput:
		set("s3:prefix", i.Prefix)
		set("s3:delimiter", i.Delimiter)
		set("s3:max-keys", i.MaxKeys)
	case *ObjectInput:
		set("s3:VersionId", i.Query.Get("versionId"))
	case *ObjectDocInput:
		set("s3:VersionId", i.VersionID)
	case *ACLInput:
		set("s3:VersionId", i.VersionID)
	case *GetObjectAttributesInput:
		set("s3:VersionId", i.VersionID)
	}
	h := headerOf(in)
	for key, name := range headerKeys {
		set(key, h.Get(name))
	}
	requestTags(m, h.Get("X-Amz-Tagging"))
	info := request.From(ctx)
	if existingTagOps[info.Operation] {
		s.existingTags(ctx, m, in)
	}
	if info.Principal != nil {
		set("s3:signatureversion", "AWS4-HMAC-SHA256")
		if h.Get("Authorization") != "" {
			set("s3:authType", "REST-HEADER")
		} else {
			set("s3:authType", "REST-QUERY-STRING")
		}
	}
	return m
}

// headerOf is the request headers an input holds (nil for inputs without).
func headerOf(in any) http.Header {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f := v.FieldByName("Header")
	if !f.IsValid() {
		return nil
	}
	h, _ := f.Interface().(http.Header)
	return h
}

// requestTags sets the keys of the tags an x-amz-tagging header asks for.
func requestTags(m map[string][]string, tagging string) {
	if tagging == "" {
		return
	}
	q, err := url.ParseQuery(tagging)
	if err != nil {
		return
	}
	keys := make([]string, 0, len(q))
	for k, v := range q {
		keys = append(keys, k)
		m["s3:RequestObjectTag/"+k] = v
	}
	sort.Strings(keys)
	m["s3:RequestObjectTagKeys"] = keys
}

// existingTags sets s3:ExistingObjectTag/<key> for each tag of the object a call names.
func (s *Service) existingTags(ctx context.Context, m map[string][]string, in any) {
	var bucket, key, version string
	switch i := in.(type) {
	case *ObjectInput:
		bucket, key, version = i.Bucket, i.Key, i.Query.Get("versionId")
	case *ObjectDocInput:
		bucket, key, version = i.Bucket, i.Key, i.VersionID
	case *ACLInput:
		bucket, key, version = i.Bucket, i.Key, i.VersionID
	case *GetObjectAttributesInput:
		bucket, key, version = i.Bucket, i.Key, i.VersionID
	default:
		return
	}
	o, err := s.store.Object(ctx, bucket, key, version)
	if err != nil {
		return
	}
	for k, v := range o.Meta.Tags {
		m["s3:ExistingObjectTag/"+k] = []string{v}
	}
}

// httpConditions is the condition context of a request S3 serves on its data plane (website
// hosting, form uploads), which never passes the router's authorizer: the global keys AWS sets
// for an anonymous caller, then S3's own.
type httpConditions struct {
	r   *http.Request
	now time.Time
	s3  map[string][]string
}

func (c httpConditions) Lookup(key string) ([]string, bool) {
	one := func(v string) ([]string, bool) { return []string{v}, v != "" }
	switch strings.ToLower(key) {
	case "aws:sourceip":
		host, _, err := net.SplitHostPort(c.r.RemoteAddr)
		if err != nil {
			host = c.r.RemoteAddr
		}
		return one(host)
	case "aws:securetransport":
		return one(strconv.FormatBool(c.r.TLS != nil))
	case "aws:currenttime":
		return one(c.now.UTC().Format(time.RFC3339))
	case "aws:epochtime":
		return one(strconv.FormatInt(c.now.Unix(), 10))
	case "aws:useragent":
		return one(c.r.UserAgent())
	case "aws:referer":
		return one(c.r.Referer())
	}
	for k, v := range c.s3 {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// dataPlaneContext returns ctx carrying a data-plane request's condition context, for
// anonymousAllowed.
func (s *Service) dataPlaneContext(ctx context.Context, r *http.Request, keys map[string][]string) context.Context {
	return service.WithConditions(ctx, httpConditions{r: r, now: s.now(), s3: keys})
}
