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

// bucketConfigs writes the sub-resources that changed from old to props.
func bucketConfigs(ctx context.Context, x *exec, bucket string, old, props map[string]any) error {
	type sub struct {
		prop, put, del string
		doc            func(v any) string
	}
	subs := []sub{
		// The public access block first, as AWS applies it at the bucket's creation: a bucket
		// policy later in the stack is held to it.
		{"PublicAccessBlockConfiguration", "PutPublicAccessBlock", "DeletePublicAccessBlock", publicAccessBlockXML},
		{"OwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls", ownershipXML},
		{"BucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption", encryptionXML},
		{"VersioningConfiguration", "PutBucketVersioning", "", versioningXML},
		{"LifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", lifecycleXML},
		{"WebsiteConfiguration", "PutBucketWebsite", "DeleteBucketWebsite", websiteXML},
		{"CorsConfiguration", "PutBucketCors", "DeleteBucketCors", corsXML},
		{"Tags", "PutBucketTagging", "DeleteBucketTagging", taggingXML},
		{"NotificationConfiguration", "PutBucketNotificationConfiguration", "", notificationXML},
	}
	for _, s := range subs {
		now, had := props[s.prop], old[s.prop]
		if fmt.Sprint(normal(now)) == fmt.Sprint(normal(had)) {
			continue
		}
		var err error
		switch {
		case now != nil:
			err = putBucketDoc(ctx, x, bucket, s.put, s.doc(now))
		case s.del != "":
			err = putBucketDoc(ctx, x, bucket, s.del, "")
		case s.prop == "NotificationConfiguration":
			err = putBucketDoc(ctx, x, bucket, s.put, "<NotificationConfiguration/>")
		case s.prop == "VersioningConfiguration":
			err = putBucketDoc(ctx, x, bucket, s.put, versioningXML(map[string]any{"Status": "Suspended"}))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.prop, err)
		}
	}
	return nil
}

// xmlDoc builds small XML documents.
type xmlDoc struct{ bytes.Buffer }

func (b *xmlDoc) open(name string)  { b.WriteString("<" + name + ">") }
func (b *xmlDoc) close(name string) { b.WriteString("</" + name + ">") }
func (b *xmlDoc) text(name, v string) {
	if v == "" {
		return
	}
	b.open(name)
	xml.EscapeText(&b.Buffer, []byte(v))
	b.close(name)
}

func versioningXML(v any) string {
	var b xmlDoc
	b.open("VersioningConfiguration")
	b.text("Status", str(mapOf(v), "Status"))
	b.close("VersioningConfiguration")
	return b.String()
}

func publicAccessBlockXML(v any) string {
	m := mapOf(v)
	var b xmlDoc
	b.open("PublicAccessBlockConfiguration")
	for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
		if str(m, k) == "true" {
			b.text(k, "true")
		} else {
			b.text(k, "false")
		}
	}
	b.close("PublicAccessBlockConfiguration")
	return b.String()
}

func ownershipXML(v any) string {
	var b xmlDoc
	b.open("OwnershipControls")
	for _, r := range sliceOfMaps(mapOf(v)["Rules"]) {
		b.open("Rule")
		b.text("ObjectOwnership", str(r, "ObjectOwnership"))
		b.close("Rule")
	}
	b.close("OwnershipControls")
	return b.String()
}

func encryptionXML(v any) string {
	var b xmlDoc
	b.open("ServerSideEncryptionConfiguration")
	for _, r := range sliceOfMaps(mapOf(v)["ServerSideEncryptionConfiguration"]) {
		b.open("Rule")
		if d := mapOf(r["ServerSideEncryptionByDefault"]); d != nil {
			b.open("ApplyServerSideEncryptionByDefault")
			b.text("SSEAlgorithm", str(d, "SSEAlgorithm"))
			b.text("KMSMasterKeyID", str(d, "KMSMasterKeyID"))
			b.close("ApplyServerSideEncryptionByDefault")
		}
		b.text("BucketKeyEnabled", str(r, "BucketKeyEnabled"))
		b.close("Rule")
	}
	b.close("ServerSideEncryptionConfiguration")
	return b.String()
}

func filterXML(b *xmlDoc, f map[string]any) {
	rules := sliceOfMaps(mapOf(f["S3Key"])["Rules"])
	if len(rules) == 0 {
		return
	}
	b.open("Filter")
	b.open("S3Key")
	for _, r := range rules {
		b.open("FilterRule")
		b.text("Name", str(r, "Name"))
		b.text("Value", str(r, "Value"))
		b.close("FilterRule")
	}
	b.close("S3Key")
	b.close("Filter")
}

func notificationXML(v any) string {
	m := mapOf(v)
	var b xmlDoc
	b.open("NotificationConfiguration")
	kinds := []struct{ prop, el, target, targetEl string }{
		{"QueueConfigurations", "QueueConfiguration", "Queue", "Queue"},
		{"TopicConfigurations", "TopicConfiguration", "Topic", "Topic"},
		{"LambdaConfigurations", "CloudFunctionConfiguration", "Function", "CloudFunction"},
	}
	for _, k := range kinds {
		for _, c := range sliceOfMaps(m[k.prop]) {
			b.open(k.el)
			b.text("Id", str(c, "Id"))
			b.text(k.targetEl, str(c, k.target))
			b.text("Event", str(c, "Event"))
			filterXML(&b, mapOf(c["Filter"]))
			b.close(k.el)
		}
	}
	if eb := mapOf(m["EventBridgeConfiguration"]); eb != nil && str(eb, "EventBridgeEnabled") != "false" {
		b.WriteString("<EventBridgeConfiguration/>")
	}
	b.close("NotificationConfiguration")
	return b.String()
}

func lifecycleXML(v any) string {
	var b xmlDoc
	b.open("LifecycleConfiguration")
	for _, r := range sliceOfMaps(mapOf(v)["Rules"]) {
		b.open("Rule")
		b.text("ID", str(r, "Id"))
		b.open("Filter")
		b.WriteString("<Prefix>")
		xml.EscapeText(&b.Buffer, []byte(str(r, "Prefix")))
		b.WriteString("</Prefix>")
		b.close("Filter")
		b.text("Status", str(r, "Status"))
		if d, date := str(r, "ExpirationInDays"), str(r, "ExpirationDate"); d != "" || date != "" {
			b.open("Expiration")
			b.text("Days", d)
			b.text("Date", date)
			b.close("Expiration")
		}
		if d := str(r, "NoncurrentVersionExpirationInDays"); d != "" {
			b.open("NoncurrentVersionExpiration")
			b.text("NoncurrentDays", d)
			b.close("NoncurrentVersionExpiration")
		}
		if a := mapOf(r["AbortIncompleteMultipartUpload"]); a != nil {
			b.open("AbortIncompleteMultipartUpload")
			b.text("DaysAfterInitiation", str(a, "DaysAfterInitiation"))
			b.close("AbortIncompleteMultipartUpload")
		}
		b.close("Rule")
	}
	b.close("LifecycleConfiguration")
	return b.String()
}

func websiteXML(v any) string {
	m := mapOf(v)
	var b xmlDoc
	b.open("WebsiteConfiguration")
	if s := str(m, "IndexDocument"); s != "" {
		b.open("IndexDocument")
		b.text("Suffix", s)
		b.close("IndexDocument")
	}
	if s := str(m, "ErrorDocument"); s != "" {
		b.open("ErrorDocument")
		b.text("Key", s)
		b.close("ErrorDocument")
	}
	if rd := mapOf(m["RedirectAllRequestsTo"]); rd != nil {
		b.open("RedirectAllRequestsTo")
		b.text("HostName", str(rd, "HostName"))
		b.text("Protocol", str(rd, "Protocol"))
		b.close("RedirectAllRequestsTo")
	}
	b.close("WebsiteConfiguration")
	return b.String()
}

func corsXML(v any) string {
	var b xmlDoc
	b.open("CORSConfiguration")
	for _, r := range sliceOfMaps(mapOf(v)["CorsRules"]) {
		b.open("CORSRule")
		b.text("ID", str(r, "Id"))
		for _, k := range []struct{ prop, el string }{{"AllowedOrigins", "AllowedOrigin"}, {"AllowedMethods", "AllowedMethod"},
			{"AllowedHeaders", "AllowedHeader"}, {"ExposedHeaders", "ExposeHeader"}} {
			for _, s := range stringsOf(r[k.prop]) {
				b.text(k.el, s)
			}
		}
		b.text("MaxAgeSeconds", str(r, "MaxAge"))
		b.close("CORSRule")
	}
	b.close("CORSConfiguration")
	return b.String()
}

func taggingXML(v any) string {
	var b xmlDoc
	b.open("Tagging")
	b.open("TagSet")
	for _, t := range tagList(map[string]any{"Tags": v}) {
		b.open("Tag")
		b.text("Key", t["Key"].(string))
		b.WriteString("<Value>")
		xml.EscapeText(&b.Buffer, []byte(t["Value"].(string)))
		b.WriteString("</Value>")
		b.close("Tag")
	}
	b.close("TagSet")
	b.close("Tagging")
	return b.String()
}
