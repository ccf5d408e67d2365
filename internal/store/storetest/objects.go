package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

var objectTests = []suiteTest{
	{"Buckets", testBuckets},
	{"ObjectVersions", testObjectVersions},
	{"ListObjectsByteOrder", testListObjectsByteOrder},
	{"MultipartUploads", testMultipartUploads},
	{"ObjectDeliveries", testObjectDeliveries},
}

// testObjectDeliveries checks that a change's deliveries (event notifications) are recorded with
// it, and not when the change does not happen.
func testObjectDeliveries(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedBucket(t, s, "b")
	d := func(p string) store.Delivery {
		return store.Delivery{Kind: "s3.notification", Target: "arn:aws:sqs:us-east-1:111111111111:q", Payload: []byte(p)}
	}
	o := store.Object{Bucket: "b", Key: "k", VersionID: "null", ETag: `"e"`, Modified: epoch}
	if _, err := s.PutObject(ctx, o, nil, d("put")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutObject(ctx, o, &store.Precondition{Absent: true}, d("refused")); !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf("PutObject(if absent) = %v; want ErrPrecondition", err)
	}
	if err := s.SetObjectMeta(ctx, "b", "k", "null", store.ObjectMeta{Tags: map[string]string{"a": "b"}}, d("tagged")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteVersion(ctx, "b", "k", "null", d("deleted")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteVersion(ctx, "b", "k", "null", d("nothing to delete")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteVersion(gone) = %v; want ErrNotFound", err)
	}
	got, err := s.Deliveries(ctx, false, 10)
	var payloads []string
	for _, g := range got {
		payloads = append(payloads, string(g.Payload))
	}
	if diff := cmp.Diff([]string{"put", "tagged", "deleted"}, payloads); err != nil || diff != "" {
		t.Errorf("deliveries recorded = %v (-want +got):\n%s", err, diff)
	}
}

func testBuckets(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	b := store.Bucket{Name: "photos", Account: "111111111111", Region: "us-east-1", Configs: map[string]string{}, Created: epoch}
	if err := s.CreateBucket(ctx, b); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if err := s.CreateBucket(ctx, store.Bucket{Name: "photos", Account: "222222222222", Created: epoch}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateBucket(taken) = %v; want ErrExists", err)
	}
	if err := s.SetBucketConfig(ctx, "photos", "tagging", "<Tagging/>"); err != nil {
		t.Fatalf("SetBucketConfig: %v", err)
	}
	if err := s.SetBucketConfig(ctx, "photos", "versioning", "Enabled"); err != nil {
		t.Fatalf("SetBucketConfig(versioning): %v", err)
	}
	got, err := s.Bucket(ctx, "photos")
	if err != nil {
		t.Fatalf("Bucket: %v", err)
	}
	b.Configs, b.Versioning = map[string]string{"tagging": "<Tagging/>"}, "Enabled"
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("Bucket mismatch (-want +got):\n%s", diff)
	}
	list, err := s.ListBuckets(ctx, "111111111111")
	if err != nil || len(list) != 1 || list[0].Name != "photos" {
		t.Errorf("ListBuckets = %v, %v; want [photos]", list, err)
	}
	if all, err := s.ListBuckets(ctx, ""); err != nil || len(all) != 1 || all[0].Name != "photos" || all[0].Configs["tagging"] != "<Tagging/>" {
		t.Errorf("ListBuckets(every account) = %v, %v; want [photos] with its configs", all, err)
	}
	if _, err := s.PutObject(ctx, store.Object{Bucket: "photos", Key: "a", VersionID: "null", Modified: epoch}, nil); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if err := s.DeleteBucket(ctx, "photos"); !errors.Is(err, store.ErrNotEmpty) {
		t.Errorf("DeleteBucket(non-empty) = %v; want ErrNotEmpty", err)
	}
	if _, err := s.DeleteVersion(ctx, "photos", "a", "null"); err != nil {
		t.Fatalf("DeleteVersion: %v", err)
	}
	if err := s.DeleteBucket(ctx, "photos"); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	if _, err := s.Bucket(ctx, "photos"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Bucket(deleted) = %v; want ErrNotFound", err)
	}
	if _, err := s.PutObject(ctx, store.Object{Bucket: "photos", Key: "a", VersionID: "null"}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutObject(no bucket) = %v; want ErrNotFound", err)
	}
}

func seedBucket(t *testing.T, s store.Store, name string) {
	t.Helper()
	if err := s.CreateBucket(context.Background(), store.Bucket{Name: name, Account: "111111111111", Region: "us-east-1", Created: epoch}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
}

func testObjectVersions(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedBucket(t, s, "b")
	v1 := store.Object{Bucket: "b", Key: "k", VersionID: "v1", Size: 3, ETag: `"e1"`, Modified: epoch,
		Data: []store.Blob{{Ref: "r1", Size: 3}}, Meta: store.ObjectMeta{Headers: map[string]string{"Content-Type": "text/plain"}, User: map[string]string{"a": "b"}}}
	if _, err := s.PutObject(ctx, v1, nil); err != nil {
		t.Fatal(err)
	}
	v2 := v1
	v2.VersionID, v2.ETag, v2.Data = "v2", `"e2"`, []store.Blob{{Ref: "r2", Size: 3}}
	if _, err := s.PutObject(ctx, v2, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Object(ctx, "b", "k", "")
	if err != nil || got.VersionID != "v2" || !got.Latest || got.Seq != 2 {
		t.Fatalf("Object(latest) = %+v, %v; want v2, latest, seq 2", got, err)
	}
	old, err := s.Object(ctx, "b", "k", "v1")
	v1.Seq = 1
	if diff := cmp.Diff(v1, old); err != nil || diff != "" {
		t.Errorf("Object(v1) = %v (-want +got):\n%s", err, diff)
	}
	// Replacing a version id frees its data.
	v2b := v2
	v2b.Data = []store.Blob{{Ref: "r3", Size: 3}}
	freed, err := s.PutObject(ctx, v2b, nil)
	if err != nil || len(freed) != 1 || freed[0].Ref != "r2" {
		t.Errorf("PutObject(same version) freed %v, %v; want [r2]", freed, err)
	}
	marker := store.Object{Bucket: "b", Key: "k", VersionID: "dm", DeleteMarker: true, Modified: epoch}
	if _, err := s.PutObject(ctx, marker, nil); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListObjects(ctx, store.ObjectRange{Bucket: "b"}); len(list) != 0 {
		t.Errorf("ListObjects under a delete marker = %v; want none", list)
	}
	versions, err := s.ListVersions(ctx, store.ObjectRange{Bucket: "b"}, 0)
	var ids []string
	for _, v := range versions {
		ids = append(ids, fmt.Sprintf("%s:%v", v.VersionID, v.Latest))
	}
	if diff := cmp.Diff([]string{"dm:true", "v2:false", "v1:false"}, ids); err != nil || diff != "" {
		t.Errorf("ListVersions = %v (-want +got):\n%s", err, diff)
	}
	page, _ := s.ListVersions(ctx, store.ObjectRange{Bucket: "b", After: "k"}, versions[0].Seq)
	if len(page) != 2 || page[0].VersionID != "v2" {
		t.Errorf("ListVersions(after dm) = %v; want v2, v1", page)
	}
	if _, err := s.DeleteVersion(ctx, "b", "k", "dm"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Object(ctx, "b", "k", ""); got.VersionID != "v2" || !got.Latest {
		t.Errorf("after deleting the marker latest = %q; want v2", got.VersionID)
	}
	if _, err := s.PutObject(ctx, v1, &store.Precondition{Absent: true}); !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("PutObject(if absent, exists) = %v; want ErrPrecondition", err)
	}
	if _, err := s.PutObject(ctx, v1, &store.Precondition{ETag: `"nope"`}); !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("PutObject(if etag differs) = %v; want ErrPrecondition", err)
	}
	if _, err := s.PutObject(ctx, store.Object{Bucket: "b", Key: "new", VersionID: "null"}, &store.Precondition{ETag: `"e"`}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutObject(if etag, no object) = %v; want ErrNotFound", err)
	}
	v3 := v1
	v3.VersionID = "v3"
	if _, err := s.PutObject(ctx, v3, &store.Precondition{ETag: `"e2"`}); err != nil {
		t.Errorf("PutObject(if etag matches) = %v", err)
	}
	tags := store.ObjectMeta{Tags: map[string]string{"x": "y"}}
	if err := s.SetObjectMeta(ctx, "b", "k", "v1", tags); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Object(ctx, "b", "k", "v1"); got.Meta.Tags["x"] != "y" {
		t.Errorf("SetObjectMeta not kept: %+v", got.Meta)
	}
	if err := s.SetObjectMeta(ctx, "b", "k", "nope", tags); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetObjectMeta(missing) = %v; want ErrNotFound", err)
	}
}

func testListObjectsByteOrder(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedBucket(t, s, "b")
	keys := []string{"a", "a/b", "a/b/c", "a b", "a//..", "Z", "é", "a/\u00ff", "\x7f", "b"}
	long := string(make([]byte, 0)) + fmt.Sprintf("%01024d", 7)
	keys = append(keys, long)
	for _, k := range keys {
		if _, err := s.PutObject(ctx, store.Object{Bucket: "b", Key: k, VersionID: "null", Modified: epoch}, nil); err != nil {
			t.Fatalf("PutObject(%q): %v", k, err)
		}
	}
	small := store.Object{Bucket: "b", Key: "b", VersionID: "null", Size: 5, Inline: []byte("small"), Modified: epoch}
	if _, err := s.PutObject(ctx, small, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Object(ctx, "b", "b", ""); err != nil || string(got.Inline) != "small" {
		t.Errorf("Object(inline) = %q, %v; want its bytes", got.Inline, err)
	}
	all, err := s.ListObjects(ctx, store.ObjectRange{Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if o.Inline != nil {
			t.Errorf("ListObjects read %q's inline bytes", o.Key)
		}
	}
	var got []string
	for _, o := range all {
		got = append(got, o.Key)
	}
	want := []string{long, "Z", "a", "a b", "a//..", "a/b", "a/b/c", "a/\u00ff", "b", "\x7f", "é"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListObjects order (-want +got):\n%s", diff)
	}
	page, _ := s.ListObjects(ctx, store.ObjectRange{Bucket: "b", Prefix: "a/", After: "a/b", Limit: 2})
	got = nil
	for _, o := range page {
		got = append(got, o.Key)
	}
	if diff := cmp.Diff([]string{"a/b/c", "a/\u00ff"}, got); diff != "" {
		t.Errorf("ListObjects(prefix a/, after a/b) (-want +got):\n%s", diff)
	}
}

func testMultipartUploads(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedBucket(t, s, "b")
	u := store.Upload{ID: "up1", Bucket: "b", Key: "big", Initiated: epoch, Meta: store.ObjectMeta{User: map[string]string{"m": "1"}}}
	if err := s.CreateUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 3; n++ {
		p := store.Part{UploadID: "up1", Number: n, Size: int64(n), ETag: `"p"`, Ref: fmt.Sprint("r", n), Modified: epoch.Add(time.Duration(n))}
		if _, err := s.PutPart(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	freed, err := s.PutPart(ctx, store.Part{UploadID: "up1", Number: 2, Size: 5, ETag: `"q"`, Ref: "r2b", Modified: epoch})
	if err != nil || len(freed) != 1 || freed[0].Ref != "r2" {
		t.Errorf("PutPart(again) freed %v, %v; want [r2]", freed, err)
	}
	if _, err := s.PutPart(ctx, store.Part{UploadID: "nope", Number: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutPart(no upload) = %v; want ErrNotFound", err)
	}
	parts, err := s.ListParts(ctx, "up1", 1, 1)
	if err != nil || len(parts) != 1 || parts[0].Number != 2 || parts[0].Ref != "r2b" {
		t.Errorf("ListParts(after 1, 1) = %v, %v; want part 2", parts, err)
	}
	ups, err := s.ListUploads(ctx, store.ObjectRange{Bucket: "b"})
	if err != nil || len(ups) != 1 || ups[0].Meta.User["m"] != "1" {
		t.Errorf("ListUploads = %v, %v", ups, err)
	}
	if err := s.DeleteBucket(ctx, "b"); !errors.Is(err, store.ErrNotEmpty) {
		t.Errorf("DeleteBucket(with upload) = %v; want ErrNotEmpty", err)
	}
	o := store.Object{Bucket: "b", Key: "big", VersionID: "null", Size: 6, Data: []store.Blob{{Ref: "r1", Size: 1}, {Ref: "r2b", Size: 5}}, Modified: epoch}
	freed, err = s.CompleteUpload(ctx, "up1", o, nil)
	if err != nil || len(freed) != 1 || freed[0].Ref != "r3" {
		t.Errorf("CompleteUpload freed %v, %v; want [r3]", freed, err)
	}
	if _, err := s.Upload(ctx, "up1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Upload(completed) = %v; want ErrNotFound", err)
	}
	if got, err := s.Object(ctx, "b", "big", ""); err != nil || len(got.Data) != 2 {
		t.Errorf("Object(big) = %+v, %v", got, err)
	}
	if err := s.CreateUpload(ctx, store.Upload{ID: "up2", Bucket: "b", Key: "x", Initiated: epoch}); err != nil {
		t.Fatal(err)
	}
	s.PutPart(ctx, store.Part{UploadID: "up2", Number: 1, Ref: "z"})
	// Lambda's code and layer archives share S3's blob directory on SQLite: they are live too.
	if err := s.CreateFunction(ctx, store.Function{Account: "123456789012", Name: "fn", Created: epoch},
		store.FunctionVersion{Account: "123456789012", Function: "fn", Version: "$LATEST", CodeRef: "code", CodeSha256: "x", Config: []byte("{}"), Modified: epoch}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFunctionSetting(ctx, store.FunctionSetting{Account: "123456789012", Function: "layer:l", Kind: "layer-version", Name: "1",
		Config: []byte(`{"LayerArn":"arn","ref":"layer-zip"}`), Modified: epoch}, store.PutCreate); err != nil {
		t.Fatal(err)
	}
	live, err := s.LiveBlobs(ctx)
	if err != nil || !live["r1"] || !live["r2b"] || !live["z"] || live["r3"] || !live["code"] || !live["layer-zip"] {
		t.Errorf("LiveBlobs = %v, %v; want r1, r2b (object), z (part), code (a function's) and layer-zip (a layer's), not r3", live, err)
	}
	freed, err = s.AbortUpload(ctx, "up2")
	if err != nil || len(freed) != 1 || freed[0].Ref != "z" {
		t.Errorf("AbortUpload freed %v, %v; want [z]", freed, err)
	}
	if _, err := s.AbortUpload(ctx, "up2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AbortUpload(again) = %v; want ErrNotFound", err)
	}
}
