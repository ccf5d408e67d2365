package iam

import (
	"context"
	"testing"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
)

func TestAuthorizeDefaultDeny(t *testing.T) {
	root := request.RootPrincipal("111111111111", "AKIA")
	user := &request.Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/bob"}
	tests := []struct {
		name     string
		p        *request.Principal
		resource string
		allowed  bool
	}{
		{"root, any resource", root, "*", true},
		{"root, own queue", root, "arn:aws:sqs:us-east-1:111111111111:q", true},
		{"root, bucket", root, "arn:aws:s3:::bucket", true},
		{"root, other account", root, "arn:aws:sqs:us-east-1:222222222222:q", false},
		{"root, not an arn", root, "queue", false},
		{"non-root user", user, "*", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorizer{}.Authorize(context.Background(), tt.p, "sqs:SendMessage", tt.resource)
			if tt.allowed && err != nil {
				t.Errorf("Authorize = %v; want allowed", err)
			}
			if !tt.allowed && (err == nil || awserr.As(err).Kind != awserr.AccessDenied) {
				t.Errorf("Authorize = %v; want AccessDenied", err)
			}
		})
	}
}
