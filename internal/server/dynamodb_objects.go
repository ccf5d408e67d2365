package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/s3"
	"github.com/gureum/gureum/internal/service"
)

// tableObjects is S3 in process for DynamoDB's exports and imports (dynamodb.Objects): each
// call runs S3's own handler as the DynamoDB caller, authorized first as the router would
// authorize it (the caller's policies, the bucket's policy), with aws:CalledVia naming DynamoDB.
type tableObjects struct {
	s3   *s3.Service
	svc  *service.Service
	auth s3.Authorizer
}

func (o tableObjects) call(ctx context.Context, op string, in any) (any, error) {
	p := request.From(ctx).Principal
	if p == nil {
		return nil, fmt.Errorf("dynamodb: no caller for s3 %s", op)
	}
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Start: time.Now(), Path: "/", Service: "s3", Operation: op, Principal: p})
	row := o.svc.Op(op)
	if err := o.auth.Authorize(ctx, p, row.AuthChecks(ctx, in), calledVia{svc: o.svc, p: p}); err != nil {
		return nil, err
	}
	return row.Handler.Call(ctx, in)
}

func (o tableObjects) PutObject(ctx context.Context, bucket, key string, body []byte) (string, error) {
	h := http.Header{"Content-Length": {strconv.Itoa(len(body))}}
	out, err := o.call(ctx, "PutObject", &s3.PutObjectInput{Bucket: bucket, Key: key, Header: h, Body: bytes.NewReader(body)})
	if err != nil {
		return "", err
	}
	return out.(*s3.HeaderOutput).Header.Get("Etag"), nil
}

func (o tableObjects) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := o.call(ctx, "GetObject", &s3.ObjectInput{Bucket: bucket, Key: key, Header: http.Header{}})
	if err != nil {
		return nil, err
	}
	body := out.(*s3.GetObjectOutput).Body
	if c, ok := body.(io.Closer); ok {
		defer c.Close()
	}
	return io.ReadAll(body)
}

func (o tableObjects) ListObjects(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	token := ""
	for {
		out, err := o.call(ctx, "ListObjectsV2", &s3.ListInput{Bucket: bucket, Prefix: prefix, ContinuationToken: token})
		if err != nil {
			return nil, err
		}
		l := out.(*s3.ListObjectsOutput)
		for _, c := range l.Contents {
			keys = append(keys, c.Key)
		}
		if l.NextContinuationToken == "" {
			return keys, nil
		}
		token = l.NextContinuationToken
	}
}

// calledVia is the condition context of S3 calls DynamoDB makes for its caller.
type calledVia struct {
	svc *service.Service
	p   *request.Principal
}

func (c calledVia) ResourcePolicies() service.ResourcePolicyFunc { return c.svc.ResourcePolicies }

func (c calledVia) Lookup(key string) ([]string, bool) {
	switch strings.ToLower(key) {
	case "aws:calledvia", "aws:calledviafirst", "aws:calledvialast":
		return []string{"dynamodb.amazonaws.com"}, true
	case "aws:viaawsservice":
		return []string{"true"}, true
	case "aws:principalarn":
		return []string{c.p.ARN}, true
	case "aws:principalaccount":
		return []string{c.p.Account}, true
	}
	return nil, false
}
