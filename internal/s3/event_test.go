package s3

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEventRecord(t *testing.T) {
	e := Event{Name: "ObjectCreated:Put", Time: time.Date(2026, 12, 7, 1, 2, 3, 456000000, time.UTC), Region: "us-east-1",
		Bucket: "photos", Owner: "000000000000", Principal: "AIDAEXAMPLE", SourceIP: "10.0.0.1", RequestID: "req-1",
		Key: "dir a/Happy Face.jpg", Size: 1024, HasSize: true, ETag: "d41d8cd98f00b204e9800998ecf8427e", Sequencer: "0A1B2C3D4E5F678901", ConfigID: "images"}
	b, err := json.Marshal(EventMessage{Records: []EventRecord{e.Record()}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-07T01:02:03.456Z",` +
		`"eventName":"ObjectCreated:Put","userIdentity":{"principalId":"AIDAEXAMPLE"},"requestParameters":{"sourceIPAddress":"10.0.0.1"},` +
		`"responseElements":{"x-amz-id-2":"req-1","x-amz-request-id":"req-1"},"s3":{"s3SchemaVersion":"1.0","configurationId":"images",` +
		`"bucket":{"name":"photos","ownerIdentity":{"principalId":"000000000000"},"arn":"arn:aws:s3:::photos"},` +
		`"object":{"key":"dir+a%2FHappy+Face.jpg","size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"0A1B2C3D4E5F678901"}}}]}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("event JSON (-want +got):\n%s", diff)
	}
	del := Event{Name: "ObjectRemoved:Delete", Key: "k", Bucket: "b", Time: e.Time}
	r := del.Record()
	if r.S3.Object.Size != nil || r.S3.Object.ETag != "" {
		t.Errorf("a delete's record carries size %v and eTag %q; want neither", r.S3.Object.Size, r.S3.Object.ETag)
	}
}

func TestNotificationFilters(t *testing.T) {
	c := notificationCfg{Events: []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"},
		Rules: []filterRule{{Name: "prefix", Value: "images/"}, {Name: "suffix", Value: ".jpg"}}}
	tests := []struct {
		event, key string
		want       bool
	}{
		{"ObjectCreated:Put", "images/a.jpg", true},
		{"ObjectCreated:CompleteMultipartUpload", "images/b.jpg", true},
		{"ObjectRemoved:Delete", "images/a.jpg", true},
		{"ObjectRemoved:DeleteMarkerCreated", "images/a.jpg", false},
		{"ObjectCreated:Put", "images/a.png", false},
		{"ObjectCreated:Put", "docs/a.jpg", false},
	}
	for _, tt := range tests {
		if got := c.matches(tt.event, tt.key); got != tt.want {
			t.Errorf("matches(%q, %q) = %v; want %v", tt.event, tt.key, got, tt.want)
		}
	}
}
