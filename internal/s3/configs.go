package s3

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/gureum/gureum/internal/store"
)

// A bucket sub-resource (tagging, CORS, policy, …) is stored as a document. Each kind parses and
// validates what a client puts, and stores its normalised form.
type configKind struct {
	name      string
	notFound  func(bucket string) error    // nil: def is answered when nothing is stored
	def       string                       // the document a bucket has by default
	parse     func([]byte) (string, error) // validates a put document and returns what to store
	needsHash bool                         // the request must carry Content-MD5 or a checksum
}

// ConfigInput is the request of a sub-resource put.
type ConfigInput struct {
	Bucket string      `rest:"uri=Bucket"`
	Header http.Header `rest:"headers"`
	Body   io.Reader   `rest:"payload"`
}

// DocOutput is a stored document, sent as it is.
type DocOutput struct {
	ContentType string `rest:"header=Content-Type"`
	Doc         []byte `rest:"payload"`
}

func xmlDoc(doc string) *DocOutput {
	return &DocOutput{ContentType: "application/xml", Doc: []byte(xml.Header + doc)}
}

// withNamespace puts S3's namespace on a document's root element.
func withNamespace(b []byte) string {
	i := bytes.IndexAny(b, " />")
	if len(b) == 0 || b[0] != '<' || i < 0 || bytes.Contains(b[:bytes.IndexByte(b, '>')+1], []byte("xmlns=")) {
		return string(b)
	}
	return string(b[:i]) + ` xmlns="` + Namespace + `"` + string(b[i:])
}

// marshalDoc renders v with S3's namespace.
func marshalDoc(v any) string {
	b, _ := xml.Marshal(v)
	return withNamespace(b)
}

// parseXMLDoc is a parse function for a document type T with a validate method.
func parseXMLDoc[T any, P interface {
	*T
	validate() error
}]() func([]byte) (string, error) {
	return func(b []byte) (string, error) {
		var v T
		if len(bytes.TrimSpace(b)) == 0 || xml.Unmarshal(b, &v) != nil {
			return "", malformedXML()
		}
		if err := P(&v).validate(); err != nil {
			return "", err
		}
		return marshalDoc(&v), nil
	}
}

func (s *Service) getConfig(k configKind) func(ctx context.Context, in *BucketInput) (*DocOutput, error) {
	return func(ctx context.Context, in *BucketInput) (*DocOutput, error) {
		b, err := s.bucketFor(ctx, in.Bucket)
		if err != nil {
			return nil, err
		}
		doc, ok := b.Configs[k.name]
		if !ok {
			if k.notFound != nil {
				return nil, k.notFound(in.Bucket)
			}
			doc = k.def
		}
		if k.name == "policy" {
			return &DocOutput{ContentType: "application/json", Doc: []byte(doc)}, nil
		}
		return xmlDoc(doc), nil
	}
}

func (s *Service) putConfig(k configKind) func(ctx context.Context, in *ConfigInput) (*Empty, error) {
	return func(ctx context.Context, in *ConfigInput) (*Empty, error) {
		b, err := s.bucketFor(ctx, in.Bucket)
		if err != nil {
			return nil, err
		}
		doc, err := readDoc(in.Body)
		if err != nil {
			return nil, err
		}
		if err := checkMD5(in.Header, doc); err != nil {
			return nil, err
		}
		if k.needsHash && in.Header.Get("Content-Md5") == "" && !hasChecksumHeader(in.Header) {
			return nil, ErrInvalidRequest.Errorf("Missing required header for this request: Content-MD5")
		}
		stored, err := k.parse(doc)
		if err != nil {
			return nil, err
		}
		if k.name == "policy" && blocksPublicPolicy(b) && accessOf(store.Bucket{Configs: map[string]string{"policy": stored}}).public {
			return nil, ErrAccessDenied.Errorf("User: %s is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::%s\" because public policies are blocked by the BlockPublicPolicy block public access setting.", principalARN(ctx), in.Bucket)
		}
		return &Empty{}, s.setConfig(ctx, in.Bucket, k.name, stored)
	}
}

func hasChecksumHeader(h http.Header) bool {
	alg, _, announced, _ := requestedChecksum(h)
	return announced && alg != ""
}

func (s *Service) deleteConfig(k configKind) func(ctx context.Context, in *BucketInput) (*NoContent, error) {
	return func(ctx context.Context, in *BucketInput) (*NoContent, error) {
		if _, err := s.bucketFor(ctx, in.Bucket); err != nil {
			return nil, err
		}
		return noContent(), s.setConfig(ctx, in.Bucket, k.name, "")
	}
}

func (s *Service) setConfig(ctx context.Context, bucket, kind, doc string) error {
	err := s.store.SetBucketConfig(ctx, bucket, kind, doc)
	if errors.Is(err, store.ErrNotFound) {
		return noSuchBucket(bucket)
	}
	if err == nil {
		s.changed(ctx, bucket)
	}
	return err
}

// The sub-resources stored as documents.
var (
	taggingKind = configKind{name: "tagging", parse: parseTagging(50),
		notFound: func(b string) error {
			return ErrNoSuchTagSet.Errorf("The TagSet does not exist").With("BucketName", b)
		}}
	corsKind = configKind{name: "cors", parse: parseXMLDoc[corsConfiguration](),
		notFound: func(b string) error {
			return ErrNoSuchCORSConfiguration.Errorf("The CORS configuration does not exist").With("BucketName", b)
		}}
	policyKind = configKind{name: "policy", parse: parsePolicy,
		notFound: func(b string) error {
			return ErrNoSuchBucketPolicy.Errorf("The bucket policy does not exist").With("BucketName", b)
		}}
	ownershipKind = configKind{name: "ownership", parse: parseXMLDoc[ownershipControls](),
		notFound: func(b string) error {
			return ErrOwnershipControlsNotFound.Errorf("The bucket ownership controls were not found").With("BucketName", b)
		}}
	publicAccessKind = configKind{name: "publicAccessBlock", parse: parseXMLDoc[publicAccessBlock](),
		notFound: func(b string) error {
			return ErrNoSuchPublicAccessBlock.Errorf("The public access block configuration was not found").With("BucketName", b)
		}}
	encryptionKind = configKind{name: "encryption", parse: parseXMLDoc[encryptionConfiguration](),
		def: marshalDoc(&encryptionConfiguration{Rules: []encryptionRule{{Default: &sseDefault{SSEAlgorithm: "AES256"}}}})}
	websiteKind = configKind{name: "website", parse: parseXMLDoc[websiteConfiguration](),
		notFound: func(b string) error {
			return ErrNoSuchWebsiteConfiguration.Errorf("The specified bucket does not have a website configuration").With("BucketName", b)
		}}
	lifecycleKind = configKind{name: "lifecycle", parse: parseXMLDoc[lifecycleConfiguration](), needsHash: true,
		notFound: func(b string) error {
			return ErrNoSuchLifecycleConfiguration.Errorf("The lifecycle configuration does not exist").With("BucketName", b)
		}}
	requestPaymentKind = configKind{name: "requestPayment", parse: parseXMLDoc[requestPayment](),
		def: marshalDoc(&requestPayment{Payer: "BucketOwner"})}
	accelerateKind = configKind{name: "accelerate", parse: parseXMLDoc[accelerateConfiguration](),
		def: marshalDoc(&accelerateConfiguration{})}
)

// ownershipControls is OwnershipControls.
type ownershipControls struct {
	XMLName xml.Name        `xml:"OwnershipControls"`
	Rules   []ownershipRule `xml:"Rule"`
}

type ownershipRule struct {
	ObjectOwnership string `xml:"ObjectOwnership"`
}

func (o *ownershipControls) validate() error {
	if len(o.Rules) != 1 {
		return malformedXML()
	}
	switch o.Rules[0].ObjectOwnership {
	case "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter":
		return nil
	}
	return malformedXML()
}

// publicAccessBlock is PublicAccessBlockConfiguration.
type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

func (*publicAccessBlock) validate() error { return nil }

// encryptionConfiguration is ServerSideEncryptionConfiguration.
type encryptionConfiguration struct {
	XMLName xml.Name         `xml:"ServerSideEncryptionConfiguration"`
	Rules   []encryptionRule `xml:"Rule"`
}

type encryptionRule struct {
	Default          *sseDefault `xml:"ApplyServerSideEncryptionByDefault,omitempty"`
	BucketKeyEnabled *bool       `xml:"BucketKeyEnabled,omitempty"`
}

type sseDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

func (e *encryptionConfiguration) validate() error {
	if len(e.Rules) == 0 {
		return malformedXML()
	}
	for _, r := range e.Rules {
		if r.Default == nil {
			continue
		}
		switch r.Default.SSEAlgorithm {
		case "AES256", "aws:kms", "aws:kms:dsse":
		default:
			return malformedXML()
		}
	}
	return nil
}

type requestPayment struct {
	XMLName xml.Name `xml:"RequestPaymentConfiguration"`
	Payer   string   `xml:"Payer"`
}

func (r *requestPayment) validate() error {
	if r.Payer != "Requester" && r.Payer != "BucketOwner" {
		return malformedXML()
	}
	return nil
}

type accelerateConfiguration struct {
	XMLName xml.Name `xml:"AccelerateConfiguration"`
	Status  string   `xml:"Status,omitempty"`
}

func (a *accelerateConfiguration) validate() error {
	if a.Status != "Enabled" && a.Status != "Suspended" {
		return malformedXML()
	}
	return nil
}

// blocksPublicPolicy reports whether the bucket's public-access block refuses public policies.
func blocksPublicPolicy(b store.Bucket) bool {
	var pab publicAccessBlock
	xml.Unmarshal([]byte(b.Configs["publicAccessBlock"]), &pab)
	return pab.BlockPublicPolicy
}
