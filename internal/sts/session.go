package sts

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// GetSessionToken limits, from the API reference.
const (
	sessionDefault = 12 * time.Hour
	sessionMax     = 36 * time.Hour
	rootSessionMax = time.Hour
)

type GetSessionTokenInput struct {
	DurationSeconds int
	SerialNumber    string
	TokenCode       string
}

type GetSessionTokenOutput struct {
	Credentials Credentials
}

// GetSessionToken returns temporary credentials with the caller's own permissions, for a user
// or an account's root; a role session cannot call it.
func (s *Service) GetSessionToken(ctx context.Context, in *GetSessionTokenInput) (*GetSessionTokenOutput, error) {
	p := request.From(ctx).Principal
	if p == nil {
		return nil, awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
	}
	if strings.HasPrefix(p.AccessKeyID, "ASIA") {
		return nil, awserr.New(awserr.AccessDenied, "Cannot call GetSessionToken with session credentials")
	}
	d := time.Duration(in.DurationSeconds) * time.Second
	limit := sessionMax
	if p.Root {
		limit = rootSessionMax
	}
	if in.DurationSeconds == 0 {
		d = min(sessionDefault, limit)
	}
	if d < minDuration || d > sessionMax {
		return nil, validation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600", in.DurationSeconds)
	}
	d = min(d, limit) // the root's sessions last at most an hour, silently
	idn, err := s.identity()
	if err != nil {
		return nil, err
	}
	creds, err := s.issue(ctx, idn, p.Account, p.ARN, p.UserID, d, store.Session{})
	if err != nil {
		return nil, err
	}
	return &GetSessionTokenOutput{Credentials: creds}, nil
}

type DecodeAuthorizationMessageInput struct {
	EncodedMessage string
}

type DecodeAuthorizationMessageOutput struct {
	DecodedMessage string
}

// AuthorizationMessage is what an encoded authorization message carries.
type AuthorizationMessage struct {
	Allowed      bool              `json:"allowed"`
	ExplicitDeny bool              `json:"explicitDeny"`
	Context      AuthorizationInfo `json:"context"`
}

// AuthorizationInfo is the request an authorization message is about.
type AuthorizationInfo struct {
	Principal  map[string]string   `json:"principal"`
	Action     string              `json:"action"`
	Resource   string              `json:"resource"`
	Conditions map[string][]string `json:"conditions,omitempty"`
}

// EncodeAuthorizationMessage seals a denial's details for DecodeAuthorizationMessage: services
// that return encoded messages on AWS call it.
func (s *Service) EncodeAuthorizationMessage(ctx context.Context, m AuthorizationMessage) (string, error) {
	idn, err := s.identity()
	if err != nil {
		return "", err
	}
	if err := s.tokens.init(ctx, idn); err != nil {
		return "", err
	}
	return s.tokens.seal("authorization-message", m)
}

// DecodeAuthorizationMessage opens a message sealed by EncodeAuthorizationMessage; only the
// account the message is about may read it.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, in *DecodeAuthorizationMessageInput) (*DecodeAuthorizationMessageOutput, error) {
	p := request.From(ctx).Principal
	if p == nil {
		return nil, awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
	}
	if in.EncodedMessage == "" {
		return nil, validation("1 validation error detected: Value null at 'encodedMessage' failed to satisfy constraint: Member must not be null")
	}
	idn, err := s.identity()
	if err != nil {
		return nil, err
	}
	if err := s.tokens.init(ctx, idn); err != nil {
		return nil, err
	}
	var m AuthorizationMessage
	if err := s.tokens.open("authorization-message", in.EncodedMessage, &m); err != nil || m.Context.Principal["account"] != p.Account {
		return nil, ErrInvalidAuthorization.Errorf("Invalid authorization message.")
	}
	b, _ := json.Marshal(m)
	return &DecodeAuthorizationMessageOutput{DecodedMessage: string(b)}, nil
}
