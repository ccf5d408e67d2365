package sts_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestGetCallerIdentity(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	client := sts.NewFromConfig(srv.Config())
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(out.Account) != gureumtest.AccountID || aws.ToString(out.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(out.UserId) != gureumtest.AccountID {
		t.Errorf("GetCallerIdentity = %s %s %s; want the root of %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId), gureumtest.AccountID)
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	client := sts.NewFromConfig(srv.Config())
	out, err := client.GetAccessKeyInfo(context.Background(), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(gureumtest.AccessKeyID)})
	if err != nil || aws.ToString(out.Account) != gureumtest.AccountID {
		t.Fatalf("GetAccessKeyInfo = %v, %v; want account %s", out, err, gureumtest.AccountID)
	}
	_, err = client.GetAccessKeyInfo(context.Background(), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("short")})
	if apiCode(err) != "ValidationError" {
		t.Errorf("GetAccessKeyInfo(short) = %v; want ValidationError", err)
	}
}

func TestAuthenticationFailures(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	tests := []struct {
		name string
		cfg  aws.Config
		want string
	}{
		{"wrong secret", gureumtest.ConfigFor(srv.Endpoint, gureumtest.AccessKeyID, "wrong", ""), "SignatureDoesNotMatch"},
		{"unknown key", gureumtest.ConfigFor(srv.Endpoint, "AKIAUNKNOWNUNKNOWN00", "x", ""), "InvalidClientTokenId"},
		{"token on a long-term key", gureumtest.ConfigFor(srv.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, "forged"), "InvalidClientTokenId"},
		{"wrong region", func() aws.Config {
			c := srv.Config()
			c.Region = "eu-west-1"
			return c
		}(), "IncompleteSignature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sts.NewFromConfig(tt.cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if apiCode(err) != tt.want {
				t.Errorf("GetCallerIdentity = %v; want %s", err, tt.want)
			}
		})
	}
}

func TestNotImplemented(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	_, err := sts.NewFromConfig(srv.Config()).GetFederationToken(context.Background(), &sts.GetFederationTokenInput{Name: aws.String("fed")})
	if apiCode(err) != "NotImplemented" {
		t.Errorf("GetFederationToken = %v; want NotImplemented", err)
	}
}

// TestPresignedGetCallerIdentity is the EKS-style use: a presigned GetCallerIdentity URL that a third
// party calls without credentials.
func TestPresignedGetCallerIdentity(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	presigner := sts.NewPresignClient(sts.NewFromConfig(srv.Config()))
	req, err := presigner.PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(url string) (int, string) {
		r, _ := http.NewRequest(req.Method, url, nil)
		for k, v := range req.SignedHeader {
			r.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get(req.URL)
	if status != 200 || !strings.Contains(body, "<Arn>arn:aws:iam::000000000000:root</Arn>") {
		t.Errorf("presigned GET = %d %s; want 200 with the root ARN", status, body)
	}
	status, body = get(strings.Replace(req.URL, "GetCallerIdentity", "GetAccessKeyInfo", 1))
	if status != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered presigned GET = %d %s; want 403 SignatureDoesNotMatch", status, body)
	}
}
