package s3

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/awserr"
)

// Each fuzz target holds a parser of a document S3 accepts to two rules: it never panics, and
// what it refuses it refuses with an S3 error (never an internal one).

func checkRefusal(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if e := awserr.As(err); e.Code == nil {
		t.Fatalf("refused with a non-S3 error: %v", err)
	}
}

func FuzzDelete(f *testing.F) {
	f.Add([]byte(`<Delete><Quiet>true</Quiet><Object><Key>a</Key><VersionId>v</VersionId></Object></Delete>`))
	f.Add([]byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a b</Key></Object></Delete>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		req, err := parseDelete(doc)
		checkRefusal(t, err)
		if err == nil && (len(req.Objects) == 0 || len(req.Objects) > 1000) {
			t.Fatalf("accepted %d objects", len(req.Objects))
		}
	})
}

func FuzzCompleteMultipart(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>y</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>2</PartNumber></Part><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		req, err := parseComplete(doc)
		checkRefusal(t, err)
		if err != nil {
			return
		}
		for i := 1; i < len(req.Parts); i++ {
			if req.Parts[i].PartNumber <= req.Parts[i-1].PartNumber {
				t.Fatalf("accepted parts out of order: %v", req.Parts)
			}
		}
	})
}

func FuzzTagging(f *testing.F) {
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag><Tag><Key>a</Key><Value>c</Value></Tag></TagSet></Tagging>`))
	parse := parseTagging(50)
	f.Fuzz(func(t *testing.T, doc []byte) {
		stored, err := parse(doc)
		checkRefusal(t, err)
		if err == nil {
			if _, err := parse([]byte(stored)); err != nil {
				t.Fatalf("the stored form %q does not parse again: %v", stored, err)
			}
		}
	})
}

// fuzzDoc fuzzes a stored document kind: accepted documents must parse again in their stored form.
func fuzzDoc(f *testing.F, k configKind, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		stored, err := k.parse(doc)
		checkRefusal(t, err)
		if err == nil {
			if _, err := k.parse([]byte(stored)); err != nil {
				t.Fatalf("the stored form %q does not parse again: %v", stored, err)
			}
		}
	})
}

func FuzzCORS(f *testing.F) {
	fuzzDoc(f, corsKind, `<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><MaxAgeSeconds>3</MaxAgeSeconds></CORSRule></CORSConfiguration>`)
}

func FuzzLifecycle(f *testing.F) {
	fuzzDoc(f, lifecycleKind,
		`<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>`,
		`<LifecycleConfiguration><Rule><Filter><And><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Disabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`)
}

func FuzzWebsite(f *testing.F) {
	fuzzDoc(f, websiteKind,
		`<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>`,
		`<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.com</HostName></RedirectAllRequestsTo></WebsiteConfiguration>`)
}

func FuzzPolicy(f *testing.F) {
	fuzzDoc(f, policyKind, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`)
}

func FuzzNotification(f *testing.F) {
	f.Add([]byte(`<NotificationConfiguration><QueueConfiguration><Id>a</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>x</Value></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		n, err := parseNotification(doc)
		checkRefusal(t, err)
		if err == nil {
			for _, q := range n.Queues {
				if q.ID == "" || len(q.Events) == 0 {
					t.Fatalf("accepted a configuration without id or events: %+v", q)
				}
			}
		}
	})
}

func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-0", "bytes=-5", "bytes=3-", "bytes=9-2", "bytes=0-1,3-4", "bytes=--1"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			return
		}
		start, end, ok, err := parseRange(v, size)
		checkRefusal(t, err)
		if ok && (start < 0 || end >= size || start > end) {
			t.Fatalf("parseRange(%q, %d) = %d-%d", v, size, start, end)
		}
	})
}

func FuzzCopySource(f *testing.F) {
	f.Add("bucket/key?versionId=abc")
	f.Add("/bucket/a%20b")
	f.Fuzz(func(t *testing.T, v string) {
		cs, err := parseCopySource(v)
		checkRefusal(t, err)
		if err == nil && (cs.bucket == "" || cs.key == "" || strings.Contains(cs.bucket, "/")) {
			t.Fatalf("parseCopySource(%q) = %+v", v, cs)
		}
	})
}

// FuzzPostPolicy: any base64 POST policy decodes to a document or InvalidPolicyDocument, and
// its conditions evaluate without panicking.
func FuzzPostPolicy(f *testing.F) {
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key","u/"],["content-length-range",1,10]]}`)
	f.Add(`{"expiration":"x","conditions":[["eq"]]}`)
	f.Add(`{"conditions":[{"a":1}],"expiration":"2030-01-01T00:00:00.000Z"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(doc)))
		if err != nil {
			if e := awserr.As(err); e.Code != ErrInvalidPolicyDocument {
				t.Fatalf("parsePostPolicy(%q) = %v; want InvalidPolicyDocument", doc, err)
			}
			return
		}
		for _, c := range p.conditions {
			c.holds("value")
		}
	})
}
