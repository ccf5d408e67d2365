package cloudformation

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/s3"
)

// Buckets and their policies (S3). A bucket's sub-resources (notifications, lifecycle,
// website, versioning, CORS, tags) are written as the XML documents S3's API takes.

func init() {
	providers["AWS::S3::Bucket"] = &provider{
		props: []string{"BucketName", "NotificationConfiguration", "LifecycleConfiguration", "WebsiteConfiguration", "VersioningConfiguration",
			"CorsConfiguration", "Tags", "PublicAccessBlockConfiguration", "BucketEncryption", "OwnershipControls", "AccessControl"},
		replace: []string{"BucketName"},
		name:    "BucketName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "BucketName")
			if name == "" {
				name = strings.ToLower(x.name(63))
			}
			if _, err := x.s.calls.call(ctx, x.stack.Caller, "s3", "CreateBucket", &s3.CreateBucketInput{Bucket: name, ACL: bucketACL(props)}); err != nil {
				return err
			}
			r.PhysicalID = name
			r.Attrs = map[string]any{"Arn": "arn:aws:s3:::" + name, "DomainName": name + ".s3.amazonaws.com",
				"RegionalDomainName": name + ".s3." + x.region() + ".amazonaws.com", "DualStackDomainName": name + ".s3.dualstack." + x.region() + ".amazonaws.com",
				"WebsiteURL": "http://" + name + ".s3-website-" + x.region() + ".amazonaws.com"}
			return bucketConfigs(ctx, x, name, nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return bucketConfigs(ctx, x, r.PhysicalID, old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.s.calls.call(ctx, x.stack.Caller, "s3", "DeleteBucket", &s3.BucketInput{Bucket: r.PhysicalID})
			return err
		},
	}
	providers["AWS::S3::BucketPolicy"] = &provider{
		props:   []string{"Bucket", "PolicyDocument"},
		replace: []string{"Bucket"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			r.PhysicalID = str(props, "Bucket")
			return putBucketDoc(ctx, x, r.PhysicalID, "PutBucketPolicy", jsonText(props["PolicyDocument"]))
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return putBucketDoc(ctx, x, r.PhysicalID, "PutBucketPolicy", jsonText(props["PolicyDocument"]))
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			return putBucketDoc(ctx, x, r.PhysicalID, "DeleteBucketPolicy", "")
		},
	}
}

func bucketACL(props map[string]any) string {
	switch str(props, "AccessControl") {
	case "PublicRead":
		return "public-read"
	case "PublicReadWrite":
		return "public-read-write"
	case "AuthenticatedRead":
		return "authenticated-read"
	case "BucketOwnerRead":
		return "bucket-owner-read"
	case "BucketOwnerFullControl":
		return "bucket-owner-full-control"
	case "LogDeliveryWrite":
		return "log-delivery-write"
	}
	return ""
}

func putBucketDoc(ctx context.Context, x *exec, bucket, op, doc string) error {
	h := http.Header{}
	if doc != "" {
		sum := md5.Sum([]byte(doc))
		h.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
		h.Set("Content-Length", strconv.Itoa(len(doc)))
	}
	_, err := x.s.calls.call(ctx, x.stack.Caller, "s3", op, &s3.ConfigInput{Bucket: bucket, Header: h, Body: strings.NewReader(doc)})
	return err
}

// bucketSetting is one of a bucket's sub-resources: the template property, the S3 operations
// that put and delete it, the XML document built from the property, and (for a setting S3 has
// no delete for) the document that clears it.
type bucketSetting struct {
	prop, put, del string
	doc            *xmlEl
	clear          string
}

// bucketSettings, in the order they are applied. The public access block comes first, as AWS
// applies it at the bucket's creation: a bucket policy later in the stack is held to it.
var bucketSettings = []bucketSetting{
	{prop: "PublicAccessBlockConfiguration", put: "PutPublicAccessBlock", del: "DeletePublicAccessBlock", doc: el("PublicAccessBlockConfiguration",
		flag("BlockPublicAcls", "BlockPublicAcls"), flag("IgnorePublicAcls", "IgnorePublicAcls"),
		flag("BlockPublicPolicy", "BlockPublicPolicy"), flag("RestrictPublicBuckets", "RestrictPublicBuckets"))},
	{prop: "OwnershipControls", put: "PutBucketOwnershipControls", del: "DeleteBucketOwnershipControls", doc: el("OwnershipControls",
		each("Rules", "Rule", text("ObjectOwnership", "ObjectOwnership")))},
	{prop: "BucketEncryption", put: "PutBucketEncryption", del: "DeleteBucketEncryption", doc: el("ServerSideEncryptionConfiguration",
		each("ServerSideEncryptionConfiguration", "Rule",
			obj("ServerSideEncryptionByDefault", "ApplyServerSideEncryptionByDefault", text("SSEAlgorithm", "SSEAlgorithm"), text("KMSMasterKeyID", "KMSMasterKeyID")),
			text("BucketKeyEnabled", "BucketKeyEnabled")))},
	{prop: "VersioningConfiguration", put: "PutBucketVersioning", doc: el("VersioningConfiguration", text("Status", "Status")),
		clear: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"},
	{prop: "LifecycleConfiguration", put: "PutBucketLifecycleConfiguration", del: "DeleteBucketLifecycle", doc: el("LifecycleConfiguration",
		each("Rules", "Rule", text("Id", "ID"), group("Filter", always("Prefix", "Prefix")), text("Status", "Status"),
			group("Expiration", text("ExpirationInDays", "Days"), text("ExpirationDate", "Date")),
			group("NoncurrentVersionExpiration", text("NoncurrentVersionExpirationInDays", "NoncurrentDays")),
			obj("NoncurrentVersionExpiration", "NoncurrentVersionExpiration", text("NoncurrentDays", "NoncurrentDays"),
				text("NewerNoncurrentVersions", "NewerNoncurrentVersions")),
			obj("AbortIncompleteMultipartUpload", "AbortIncompleteMultipartUpload", text("DaysAfterInitiation", "DaysAfterInitiation"))))},
	{prop: "WebsiteConfiguration", put: "PutBucketWebsite", del: "DeleteBucketWebsite", doc: el("WebsiteConfiguration",
		group("IndexDocument", text("IndexDocument", "Suffix")), group("ErrorDocument", text("ErrorDocument", "Key")),
		obj("RedirectAllRequestsTo", "RedirectAllRequestsTo", text("HostName", "HostName"), text("Protocol", "Protocol")))},
	{prop: "CorsConfiguration", put: "PutBucketCors", del: "DeleteBucketCors", doc: el("CORSConfiguration",
		each("CorsRules", "CORSRule", text("Id", "ID"), texts("AllowedOrigins", "AllowedOrigin"), texts("AllowedMethods", "AllowedMethod"),
			texts("AllowedHeaders", "AllowedHeader"), texts("ExposedHeaders", "ExposeHeader"), text("MaxAge", "MaxAgeSeconds")))},
	{prop: "Tags", put: "PutBucketTagging", del: "DeleteBucketTagging", doc: el("Tagging",
		el("TagSet", each("", "Tag", text("Key", "Key"), always("Value", "Value"))))},
	{prop: "NotificationConfiguration", put: "PutBucketNotificationConfiguration", doc: el("NotificationConfiguration",
		notification("QueueConfigurations", "QueueConfiguration", "Queue", "Queue"),
		notification("TopicConfigurations", "TopicConfiguration", "Topic", "Topic"),
		notification("LambdaConfigurations", "CloudFunctionConfiguration", "Function", "CloudFunction"),
		&xmlEl{prop: "EventBridgeConfiguration", name: "EventBridgeConfiguration", kind: xmlEmpty}),
		clear: "<NotificationConfiguration/>"},
}

// notification is a list of one kind of notification configurations.
func notification(prop, name, target, targetEl string) *xmlEl {
	return each(prop, name, text("Id", "Id"), text(target, targetEl), text("Event", "Event"),
		omitEmpty(obj("Filter", "Filter", omitEmpty(obj("S3Key", "S3Key", each("Rules", "FilterRule", text("Name", "Name"), text("Value", "Value")))))))
}

// bucketConfigs writes the sub-resources that changed from old to props.
func bucketConfigs(ctx context.Context, x *exec, bucket string, old, props map[string]any) error {
	for _, s := range bucketSettings {
		now, had := props[s.prop], old[s.prop]
		if fmt.Sprint(normal(now)) == fmt.Sprint(normal(had)) {
			continue
		}
		var err error
		switch {
		case now != nil:
			err = putBucketDoc(ctx, x, bucket, s.put, s.doc.render(now))
		case s.del != "":
			err = putBucketDoc(ctx, x, bucket, s.del, "")
		default:
			err = putBucketDoc(ctx, x, bucket, s.put, s.clear)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.prop, err)
		}
	}
	return nil
}

// xmlEl describes how an XML element is built from a template value: an element per property,
// read from the value in hand (a map; prop "" is the value itself).
type xmlEl struct {
	prop, name string
	kind       xmlKind
	children   []*xmlEl
	omitEmpty  bool // an obj element with no content is left out
}

type xmlKind int

const (
	xmlText   xmlKind = iota // the property's text, left out when empty
	xmlAlways                // the property's text, written even when empty
	xmlFlag                  // true when the property is true, false otherwise
	xmlTexts                 // an element per string of a list
	xmlObj                   // the property's map, with the children read from it; left out without one
	xmlEach                  // an element per map of a list
	xmlGroup                 // children read from the same value, left out when they write nothing
	xmlRoot                  // children read from the same value, always written
	xmlEmpty                 // an empty element when the property is a map whose EventBridgeEnabled is not false
)

func el(name string, children ...*xmlEl) *xmlEl {
	return &xmlEl{name: name, kind: xmlRoot, children: children}
}
func text(prop, name string) *xmlEl   { return &xmlEl{prop: prop, name: name, kind: xmlText} }
func always(prop, name string) *xmlEl { return &xmlEl{prop: prop, name: name, kind: xmlAlways} }
func flag(prop, name string) *xmlEl   { return &xmlEl{prop: prop, name: name, kind: xmlFlag} }
func texts(prop, name string) *xmlEl  { return &xmlEl{prop: prop, name: name, kind: xmlTexts} }
func group(name string, children ...*xmlEl) *xmlEl {
	return &xmlEl{name: name, kind: xmlGroup, children: children}
}
func obj(prop, name string, children ...*xmlEl) *xmlEl {
	return &xmlEl{prop: prop, name: name, kind: xmlObj, children: children}
}
func each(prop, name string, children ...*xmlEl) *xmlEl {
	return &xmlEl{prop: prop, name: name, kind: xmlEach, children: children}
}
func omitEmpty(e *xmlEl) *xmlEl { e.omitEmpty = true; return e }

// render is the document the element describes for the value v.
func (e *xmlEl) render(v any) string {
	var b bytes.Buffer
	e.write(&b, v)
	return b.String()
}

func (e *xmlEl) write(b *bytes.Buffer, cur any) {
	v := cur
	if e.prop != "" {
		v = mapOf(cur)[e.prop]
	}
	switch e.kind {
	case xmlText, xmlAlways:
		s := str(map[string]any{"v": v}, "v")
		if s != "" || e.kind == xmlAlways {
			e.wrap(b, func() { xml.EscapeText(b, []byte(s)) })
		}
	case xmlFlag:
		s := "false"
		if str(map[string]any{"v": v}, "v") == "true" {
			s = "true"
		}
		e.wrap(b, func() { b.WriteString(s) })
	case xmlTexts:
		for _, s := range stringsOf(v) {
			if s != "" {
				e.wrap(b, func() { xml.EscapeText(b, []byte(s)) })
			}
		}
	case xmlObj:
		if m := mapOf(v); m != nil {
			e.children1(b, m)
		}
	case xmlEach:
		for _, m := range sliceOfMaps(v) {
			e.wrap(b, func() { e.childrenOf(b, m) })
		}
	case xmlGroup:
		e.children1(b, cur)
	case xmlRoot:
		e.wrap(b, func() { e.childrenOf(b, cur) })
	case xmlEmpty:
		if m := mapOf(v); m != nil && str(m, "EventBridgeEnabled") != "false" {
			b.WriteString("<" + e.name + "/>")
		}
	}
}

// children1 writes the element around its children unless (for a group, or an obj marked
// omitEmpty) they write nothing.
func (e *xmlEl) children1(b *bytes.Buffer, v any) {
	var inner bytes.Buffer
	e.childrenOf(&inner, v)
	if inner.Len() == 0 && (e.kind == xmlGroup || e.omitEmpty) {
		return
	}
	e.wrap(b, func() { b.Write(inner.Bytes()) })
}

func (e *xmlEl) childrenOf(b *bytes.Buffer, v any) {
	for _, c := range e.children {
		c.write(b, v)
	}
}

func (e *xmlEl) wrap(b *bytes.Buffer, inner func()) {
	b.WriteString("<" + e.name + ">")
	inner()
	b.WriteString("</" + e.name + ">")
}
