// Package s3 is Amazon S3 (API 2006-03-01) over REST-XML: buckets, objects, listings, multipart
// uploads, versioning and the bucket sub-resources. Metadata lives in a store.Objects; object data
// in blobs (package blob), written, synced and renamed before the metadata that names them is
// committed, so a 2xx means both are durable.
package s3

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// Namespace is S3's XML namespace.
const Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Queues is what S3 needs of the queue service: sending a message to a queue by ARN (the
// notification test event, and so a destination's existence).
type Queues interface {
	Enqueue(ctx context.Context, queueARN, body string, attrs map[string]sqs.MessageAttributeValue, groupID, dedupID string) (string, error)
}

// Deps are what the service is built from.
type Deps struct {
	service.Env
	Store  store.Objects
	Queues Queues // nil: notification configurations naming queues are refused
	// Functions invokes functions for LambdaFunctionConfigurations (nil: refused).
	Functions Functions
	// Topics publishes to SNS topics for TopicConfigurations (nil: refused).
	Topics Topics
	// Notifier carries bucket changes between nodes (BucketsTopic); nil on a lone node.
	Notifier store.Notifier
	// Verifier checks the signatures of POST policies (form uploads): the router's own, so that
	// every request form has one authentication path; nil refuses signed forms.
	Verifier *sigv4.Verifier
	// Authorizer decides form uploads' signers as the router's authorizer decides API calls.
	Authorizer Authorizer
	// LifecycleDay is how long a lifecycle "day" lasts (24 h; shorter to test expiry).
	LifecycleDay time.Duration
	// Blobs keeps object data (postgres.Blobs when nodes share PostgreSQL); nil: files under
	// BlobDir, or under BlobDir(DataDir) when that is empty too.
	Blobs   Blobs
	BlobDir string
}

// Blobs is a blob store with its orphan sweep (blob.Files, postgres.Blobs).
type Blobs interface {
	blob.Store
	Sweep(ctx context.Context, now time.Time, minAge time.Duration, live func(blob.Ref) (bool, error)) (int, error)
}

// Service serves S3.
type Service struct {
	store  store.Objects
	blobs  Blobs
	deps   Deps
	region string
	now    func() time.Time
	log    *slog.Logger

	buckets  *iam.PolicyCache // by bucket name: owners, policies, ACLs and public-access blocks (*access)
	verifier *sigv4.Verifier  // POST policies' signatures
	unsub    func()           // the BucketsTopic subscription

	stop, done chan struct{} // the sweep's
}

// DeliveryKind is the outbox kind of S3's event notifications.
const DeliveryKind = "s3.notification"

// New returns the S3 service and registers its event notifications' delivery on the outbox.
// Start prepares its blob directory.
func New(d Deps) *Service {
	d.Env = d.Env.For("s3")
	s := &Service{store: d.Store, deps: d, region: d.Region, now: d.Clock.Now, log: d.Log}
	s.verifier = d.Verifier
	s.buckets = iam.NewPolicyCacheWithFacts(d.Notifier, BucketsTopic, func() time.Time { return s.now() }, s.loadAccess)
	if d.Outbox != nil {
		d.Outbox.Handle(DeliveryKind, s.deliver)
	}
	if d.Runner != nil {
		d.Runner.Every("s3.lifecycle", s.scanInterval(), s.lifecycleJob)
	}
	return s
}

// lifecycleJob is one run of the lifecycle scanner, acting as S3 itself (the events' principal).
func (s *Service) lifecycleJob(ctx context.Context) error {
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "s3", Operation: "Lifecycle",
		Principal: &request.Principal{ARN: "s3.amazonaws.com", UserID: "s3.amazonaws.com"}})
	n, err := s.ScanLifecycle(ctx)
	if n > 0 {
		s.log.Info("s3: lifecycle expired", "count", n)
	}
	return err
}

// Start opens the blob store and starts the orphan sweep: blobs that no object or part refers
// to (a crash between a blob's write and its metadata's commit) and temporary files, older than
// an hour, are removed at start and every hour.
func (s *Service) Start(ctx context.Context) error {
	s.blobs = s.deps.Blobs
	if s.blobs == nil {
		dir := s.deps.BlobDir
		if dir == "" {
			dir = BlobDir(s.deps.DataDir)
		}
		f, err := blob.NewFiles(dir)
		if err != nil {
			return err
		}
		s.blobs = f
	}
	s.unsub = s.buckets.Subscribe()
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.sweepLoop(s.stop, s.done)
	return nil
}

// Stop ends the sweep.
func (s *Service) Stop() {
	if s.unsub != nil {
		s.unsub()
		s.unsub = nil
	}
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
}

func (s *Service) sweepLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel()
	}()
	for {
		if n, err := s.Sweep(ctx, time.Hour); err != nil && ctx.Err() == nil {
			s.log.Warn("s3: blob sweep", "err", err)
		} else if n > 0 {
			s.log.Info("s3: removed orphaned blobs", "count", n)
		}
		select {
		case <-stop:
			return
		case <-time.After(time.Hour):
		}
	}
}

// Sweep removes blobs older than minAge that nothing refers to, and returns how many.
func (s *Service) Sweep(ctx context.Context, minAge time.Duration) (int, error) {
	live, err := s.store.LiveBlobs(ctx)
	if err != nil {
		return 0, err
	}
	return s.blobs.Sweep(ctx, s.now(), minAge, func(r blob.Ref) (bool, error) { return live[string(r)], nil })
}

// BlobDir is where a data directory keeps S3's blobs.
func BlobDir(dataDir string) string { return filepath.Join(dataDir, "blobs") }

// actions maps operations whose IAM action is not "s3:" + their name.
var actions = map[string]string{
	"HeadObject": "s3:GetObject", "HeadBucket": "s3:ListBucket", "ListObjects": "s3:ListBucket",
	"ListObjectsV2": "s3:ListBucket", "ListObjectVersions": "s3:ListBucketVersions",
	"ListBuckets": "s3:ListAllMyBuckets", "CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject",
	"UploadPartCopy": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject", "CopyObject": "s3:PutObject",
	"AbortMultipartUpload": "s3:AbortMultipartUpload", "ListParts": "s3:ListMultipartUploadParts",
	"ListMultipartUploads": "s3:ListBucketMultipartUploads", "DeleteObjects": "s3:DeleteObject",
	"GetBucketCors": "s3:GetBucketCORS", "PutBucketCors": "s3:PutBucketCORS", "DeleteBucketCors": "s3:PutBucketCORS",
	"GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration", "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
	"DeleteBucketLifecycle": "s3:PutLifecycleConfiguration", "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
	"PutBucketNotificationConfiguration": "s3:PutBucketNotification", "GetBucketTagging": "s3:GetBucketTagging",
	"DeleteBucketTagging": "s3:PutBucketTagging", "DeleteBucketWebsite": "s3:DeleteBucketWebsite",
	"GetBucketEncryption": "s3:GetEncryptionConfiguration", "PutBucketEncryption": "s3:PutEncryptionConfiguration",
	"DeleteBucketEncryption": "s3:PutEncryptionConfiguration", "GetObjectAttributes": "s3:GetObjectAttributes",
}

// Describe returns S3's operation table: every operation of the 2006-03-01 API.
func (s *Service) Describe() *service.Service {
	h := s.handlers()
	names := make([]string, 0, len(routes))
	for n := range routes {
		names = append(names, n)
	}
	sort.Strings(names)
	ops := make([]service.Operation, 0, len(names))
	for _, n := range names {
		action := actions[n]
		if action == "" {
			action = "s3:" + n
		}
		op := service.Operation{Name: n, Action: action, Route: routes[n], Resource: resourceOf, Anonymous: anonymousOps[n], Conditions: s.conditionKeys}
		if fn, ok := h[n]; ok {
			op.Handler = withResource{fn}
			if op.Anonymous {
				op.Handler = anonymousGate{s: s, op: op, Handler: op.Handler}
			}
		}
		op.UnsignedTrailer = n == "PutObject" || n == "UploadPart"
		if n == "CopyObject" || n == "UploadPartCopy" {
			op.Checks = copyChecks
		}
		ops = append(ops, op)
	}
	return (&service.Service{
		Name:         "s3",
		SigningName:  "s3",
		Protocol:     service.RESTXML,
		APIVersion:   "2006-03-01",
		XMLNamespace: Namespace,
		Payload:      service.PayloadUnsigned | service.PayloadStreaming,
		Operations:   ops,
		Endpoints:    s.Endpoints(),
		// Bucket policies are weighed by the authorizer for signed callers; anonymous callers
		// are decided by anonymousGate.
		ResourcePolicies: s.resourcePolicy,
	}).Index()
}

// withResource adds S3's <Resource> (the request path) to the errors a handler returns.
type withResource struct{ service.Handler }

func (w withResource) Call(ctx context.Context, in any) (any, error) {
	out, err := w.Handler.Call(ctx, in)
	if err != nil {
		var e *awserr.Error
		if errors.As(err, &e) && e.Code != nil {
			e.With("Resource", request.From(ctx).Path)
		}
	}
	return out, err
}

// resourceOf names the IAM resource of a call: the bucket's or the object's ARN.
func resourceOf(_ context.Context, in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "*"
	}
	b := v.FieldByName("Bucket")
	if !b.IsValid() || b.Kind() != reflect.String || b.String() == "" {
		return "*"
	}
	arn := "arn:aws:s3:::" + b.String()
	if k := v.FieldByName("Key"); k.IsValid() && k.Kind() == reflect.String && k.String() != "" {
		arn += "/" + k.String()
	}
	return arn
}

// copyChecks are a copy's authorization questions: reading its source and writing its target.
func copyChecks(ctx context.Context, in any) []service.Check {
	var h http.Header
	switch i := in.(type) {
	case *ObjectInput:
		h = i.Header
	case *UploadPartCopyInput:
		h = i.Header
	}
	checks := []service.Check{{Action: "s3:PutObject", Resource: resourceOf(ctx, in)}}
	if cs, err := parseCopySource(h.Get("X-Amz-Copy-Source")); err == nil {
		checks = append(checks, service.Check{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + cs.bucket + "/" + cs.key})
	}
	return checks
}

// caller is the account making the request ("" when anonymous).
func caller(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

// Owner is an S3 owner: a canonical user id and a display name.
type Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// canonicalID is the 64-hex canonical user id S3 shows for an account.
func canonicalID(account string) string {
	sum := sha256.Sum256([]byte("gureum-canonical-user:" + account))
	return hex.EncodeToString(sum[:])
}

func ownerOf(account string) *Owner {
	return &Owner{ID: canonicalID(account), DisplayName: account}
}

// newVersionID returns a version id in S3's shape (32 URL-safe characters).
func newVersionID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._"
	var b [32]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// bucketFor reads a bucket, mapping a missing one to NoSuchBucket. Who may use it was decided
// before the handler ran: by the authorizer with the bucket's owner and policy
// (Service.resourcePolicy) for signed callers, by anonymousGate for anonymous ones.
func (s *Service) bucketFor(ctx context.Context, name string) (store.Bucket, error) {
	b, err := s.store.Bucket(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return b, noSuchBucket(name)
	}
	return b, err
}

// free deletes blobs that a committed change no longer refers to.
func (s *Service) free(ctx context.Context, blobs []store.Blob) {
	for _, b := range blobs {
		if err := s.blobs.Delete(context.WithoutCancel(ctx), blob.Ref(b.Ref)); err != nil {
			s.log.Warn("s3: deleting a freed blob", "ref", b.Ref, "err", err)
		}
	}
}

// xmlTime is the timestamp form S3 uses in XML documents.
func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func lower(s string) string { return strings.ToLower(s) }

// Functions is what S3 needs of the function service for LambdaFunctionConfigurations: an
// asynchronous invocation by ARN for a bucket (src: its ARN and owner, which the function's
// policy must allow s3.amazonaws.com), and the same decision without invoking, when a
// configuration is saved.
type Functions interface {
	InvokeAsync(ctx context.Context, functionARN string, src request.Source, payload []byte) error
	Authorize(ctx context.Context, functionARN string, src request.Source) error
}

// Topics is what S3 needs of the topic service: publishing a message to a topic by ARN, for
// TopicConfigurations (and their s3:TestEvent).
type Topics interface {
	Publish(ctx context.Context, topicARN, message string) error
}
