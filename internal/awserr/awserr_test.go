package awserr

import (
	"errors"
	"fmt"
	"testing"
)

func TestEveryFamilyNamesEveryKind(t *testing.T) {
	for f, table := range families {
		for k, c := range table {
			if c == nil || c.Name == "" || c.Status < 400 {
				t.Errorf("family %d kind %s: code %+v", f, kindNames[k], c)
			}
		}
	}
}

func TestResolve(t *testing.T) {
	custom := &Code{Name: "QueueDoesNotExist", Status: 400, Query: "AWS.SimpleQueueService.NonExistentQueue"}
	tests := []struct {
		name   string
		family Family
		err    error
		want   string
		status int
	}{
		{"kind in query", Query, New(SignatureMismatch, "x"), "SignatureDoesNotMatch", 403},
		{"kind in json", JSON, New(SignatureMismatch, "x"), "InvalidSignatureException", 403},
		{"kind in s3", RESTXML, New(RequestTimeTooSkewed, "x"), "RequestTimeTooSkewed", 403},
		{"code wins", JSON, custom.Errorf("gone"), "QueueDoesNotExist", 400},
		{"bare code", Query, fmt.Errorf("wrapped: %w", custom), "QueueDoesNotExist", 400},
		{"plain error is internal", RESTJSON, errors.New("disk on fire"), "ServiceException", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, e := Resolve(tt.family, tt.err)
			if code.Name != tt.want || code.Status != tt.status {
				t.Errorf("Resolve(%v) = %s %d; want %s %d", tt.err, code.Name, code.Status, tt.want, tt.status)
			}
			if tt.status == 500 && e.Message == "disk on fire" {
				t.Errorf("internal cause leaked into message")
			}
		})
	}
	if got := custom.QueryCode(); got != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("QueryCode() = %q", got)
	}
}
