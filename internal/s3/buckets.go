package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// CreateBucketInput is CreateBucket's request.
type CreateBucketInput struct {
	Bucket          string    `rest:"uri=Bucket"`
	ACL             string    `rest:"header=x-amz-acl"`
	ObjectOwnership string    `rest:"header=x-amz-object-ownership"`
	Body            io.Reader `rest:"payload"`
}

// CreateBucketOutput is CreateBucket's response.
type CreateBucketOutput struct {
	Location string `rest:"header=Location"`
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// CreateBucket creates a bucket. Names are global: another account's bucket is
// BucketAlreadyExists; the caller's own is success in us-east-1 (as AWS answers there) and
// BucketAlreadyOwnedByYou elsewhere.
func (s *Service) CreateBucket(ctx context.Context, in *CreateBucketInput) (*CreateBucketOutput, error) {
	if err := validBucketName(in.Bucket); err != nil {
		return nil, err
	}
	var conf createBucketConfiguration
	if err := readXML(in.Body, &conf); err != nil {
		return nil, err
	}
	region := s.region
	switch lc := conf.LocationConstraint; {
	case lc == "":
	case lc == "us-east-1":
		return nil, ErrInvalidLocationConstraint.Errorf("The specified location-constraint is not valid").With("LocationConstraint", lc)
	case lc != s.region && !(lc == "EU" && s.region == "eu-west-1"):
		return nil, ErrIllegalLocationConstraint.Errorf("The %s location constraint is incompatible for the region specific endpoint this request was sent to.", lc)
	default:
		region = lc
	}
	if in.ACL != "" && !cannedACLs[in.ACL] {
		return nil, invalidArgument("", "x-amz-acl", in.ACL)
	}
	b := store.Bucket{Name: in.Bucket, Account: caller(ctx), Region: region, Created: s.now(), Configs: defaultConfigs(in)}
	err := s.store.CreateBucket(ctx, b)
	if errors.Is(err, store.ErrExists) {
		old, rerr := s.store.Bucket(ctx, in.Bucket)
		if rerr != nil {
			return nil, rerr
		}
		if old.Account != b.Account {
			return nil, ErrBucketAlreadyExists.Errorf("The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").With("BucketName", in.Bucket)
		}
		if s.region != "us-east-1" {
			return nil, ErrBucketAlreadyOwnedByYou.Errorf("Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", in.Bucket)
		}
		err = nil
	}
	if err != nil {
		return nil, err
	}
	s.changed(ctx, in.Bucket) // a node may have cached the name as free
	return &CreateBucketOutput{Location: "/" + in.Bucket}, nil
}

// defaultConfigs are a new bucket's sub-resources as AWS sets them since April 2023: ACLs off
// (BucketOwnerEnforced) unless asked otherwise, and public access blocked.
func defaultConfigs(in *CreateBucketInput) map[string]string {
	own := in.ObjectOwnership
	if own == "" {
		own = "BucketOwnerEnforced"
	}
	acl := in.ACL
	if acl == "" {
		acl = "private"
	}
	return map[string]string{
		"ownership":         mustXML(ownershipControls{Rules: []ownershipRule{{ObjectOwnership: own}}}),
		"publicAccessBlock": mustXML(publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}),
		"acl":               acl,
	}
}

// validBucketName applies S3's general-purpose bucket naming rules.
func validBucketName(name string) error {
	bad := func() error {
		return ErrInvalidBucketName.Errorf("The specified bucket is not valid.").With("BucketName", name)
	}
	if len(name) < 3 || len(name) > 63 || net.ParseIP(name) != nil || strings.Contains(name, "..") {
		return bad()
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && c != '.' && c != '-' || (i == 0 || i == len(name)-1) && !alnum {
			return bad()
		}
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return bad()
		}
	}
	for _, suf := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suf) {
			return bad()
		}
	}
	return nil
}

// BucketInput is the request of operations that name only a bucket.
type BucketInput struct {
	Bucket string `rest:"uri=Bucket"`
}

// NoContent is an empty 204 response.
type NoContent struct {
	Status int `rest:"status"`
}

func noContent() *NoContent { return &NoContent{Status: http.StatusNoContent} }

// Empty is an empty 200 response.
type Empty struct{}

// DeleteBucket deletes an empty bucket.
func (s *Service) DeleteBucket(ctx context.Context, in *BucketInput) (*NoContent, error) {
	if _, err := s.bucketFor(ctx, in.Bucket); err != nil {
		return nil, err
	}
	err := s.store.DeleteBucket(ctx, in.Bucket)
	switch {
	case errors.Is(err, store.ErrNotEmpty):
		return nil, ErrBucketNotEmpty.Errorf("The bucket you tried to delete is not empty").With("BucketName", in.Bucket)
	case errors.Is(err, store.ErrNotFound):
		return nil, noSuchBucket(in.Bucket)
	case err != nil:
		return nil, err
	}
	s.changed(ctx, in.Bucket)
	return noContent(), nil
}

// HeadBucketOutput is HeadBucket's response.
type HeadBucketOutput struct {
	Region string `rest:"header=x-amz-bucket-region"`
}

// HeadBucket reports whether the bucket exists and the caller may use it.
func (s *Service) HeadBucket(ctx context.Context, in *BucketInput) (*HeadBucketOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	return &HeadBucketOutput{Region: b.Region}, nil
}

// ListBucketsInput is ListBuckets' request.
type ListBucketsInput struct {
	Prefix            string `rest:"query=prefix"`
	ContinuationToken string `rest:"query=continuation-token"`
	MaxBuckets        int    `rest:"query=max-buckets"`
	BucketRegion      string `rest:"query=bucket-region"`
}

// ListBucketsOutput is ListAllMyBucketsResult.
type ListBucketsOutput struct {
	XMLName           xml.Name     `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner             *Owner       `xml:"Owner"`
	Buckets           []bucketItem `xml:"Buckets>Bucket"`
	ContinuationToken string       `xml:"ContinuationToken,omitempty"`
	Prefix            string       `xml:"Prefix,omitempty"`
}

type bucketItem struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

// ListBuckets lists the caller's buckets, with an optional prefix and pages of max-buckets.
func (s *Service) ListBuckets(ctx context.Context, in *ListBucketsInput) (*ListBucketsOutput, error) {
	if in.MaxBuckets < 0 || in.MaxBuckets > 10000 {
		return nil, invalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", "")
	}
	all, err := s.store.ListBuckets(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	out := &ListBucketsOutput{Owner: ownerOf(caller(ctx)), Prefix: in.Prefix, Buckets: []bucketItem{}}
	max := in.MaxBuckets
	if max == 0 {
		max = 10000
	}
	for _, b := range all {
		if !strings.HasPrefix(b.Name, in.Prefix) || b.Name <= in.ContinuationToken || in.BucketRegion != "" && b.Region != in.BucketRegion {
			continue
		}
		if len(out.Buckets) == max {
			out.ContinuationToken = out.Buckets[len(out.Buckets)-1].Name
			break
		}
		out.Buckets = append(out.Buckets, bucketItem{Name: b.Name, CreationDate: xmlTime(b.Created), BucketRegion: b.Region})
	}
	return out, nil
}

// LocationOutput is GetBucketLocation's LocationConstraint document.
type LocationOutput struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

// GetBucketLocation answers the bucket's region; us-east-1 is the empty constraint, as on AWS.
func (s *Service) GetBucketLocation(ctx context.Context, in *BucketInput) (*LocationOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	region := b.Region
	if region == "us-east-1" {
		region = ""
	}
	return &LocationOutput{Region: region}, nil
}

// readXML reads a request document of at most 1 MiB into v; an empty body leaves v as it is.
func readXML(body io.Reader, v any) error {
	b, err := readDoc(body)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return err
	}
	if xml.Unmarshal(b, v) != nil {
		return malformedXML()
	}
	return nil
}

const maxDoc = 1 << 20

func readDoc(body io.Reader) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(body, maxDoc+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDoc {
		return nil, ErrInvalidRequest.Errorf("Your XML document exceeds the maximum allowed size.")
	}
	return b, nil
}

func mustXML(v any) string {
	b, _ := xml.Marshal(v)
	return string(b)
}
