// Package sts is AWS Security Token Service (query protocol, API version 2011-06-15).
package sts

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Service serves STS. Accounts is the store; when it also holds the identity store (every
// backend's store.Store does) AssumeRole and GetSessionToken work. Enforcer decides AssumeRole's
// caller side; when nil, the service makes its own on the store (its cache then learns of IAM
// changes within iam.GenerationCheck). Now is the clock (time.Now when nil).
type Service struct {
	Accounts store.Accounts
	Enforcer *iam.Enforcer
	Now      func() time.Time

	mu     sync.Mutex
	ownEnf *iam.Enforcer
	tokens sealer
}

// Deps is what STS is built with.
type Deps struct {
	service.Env
	Store IAM // accounts and keys; roles and sessions
	// Enforcer evaluates trust policies and the caller's policies: the server's, so that a change
	// the IAM service makes is seen at once; nil: STS keeps one of its own.
	Enforcer *iam.Enforcer
}

// New returns the STS service.
func New(d Deps) *Service {
	d.Env = d.Env.For("sts")
	s := &Service{Enforcer: d.Enforcer, Now: d.Clock.Now}
	if d.Store != nil {
		s.Accounts = d.Store
	}
	return s
}

// IAM is the store STS needs for roles and sessions.
type IAM interface {
	store.Accounts
	store.Identity
}

func (s *Service) identity() (IAM, error) {
	idn, ok := s.Accounts.(IAM)
	if !ok {
		return nil, awserr.New(awserr.NotImplemented, "This gureum store keeps no roles.")
	}
	return idn, nil
}

func (s *Service) enforcer() *iam.Enforcer {
	if s.Enforcer != nil {
		return s.Enforcer
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ownEnf == nil {
		idn, _ := s.identity()
		s.ownEnf = iam.NewEnforcer(idn, s.Now)
	}
	return s.ownEnf
}

func (s *Service) clock() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Describe returns STS's operation table: every operation of the 2011-06-15 API, with a handler
// where gureum serves it.
func (s *Service) Describe() *service.Service {
	op := func(name string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "sts:" + name, Handler: h}
	}
	return (&service.Service{
		Name:         "sts",
		SigningName:  "sts",
		Protocol:     service.Query,
		APIVersion:   "2011-06-15",
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		// A role's trust policy is the resource policy of AssumeRole on it.
		ResourcePolicies: s.roleTrust,
		Operations: []service.Operation{
			{Name: "AssumeRole", Action: "sts:AssumeRole", Handler: service.Func(s.AssumeRole),
				Resource: func(_ context.Context, in any) string {
					if arn := in.(*AssumeRoleInput).RoleArn; arn != "" {
						return arn
					}
					return "*"
				},
				Conditions: func(_ context.Context, in any) map[string][]string { return assumeConditions(in.(*AssumeRoleInput)) }},
			op("AssumeRoleWithSAML", nil),
			op("AssumeRoleWithWebIdentity", nil),
			op("AssumeRoot", nil),
			op("DecodeAuthorizationMessage", service.Func(s.DecodeAuthorizationMessage)),
			op("GetAccessKeyInfo", service.Func(s.GetAccessKeyInfo)),
			// GetCallerIdentity needs no permission (AWS: "No permissions are required"): an
			// explicit deny of sts:GetCallerIdentity does not stop it either.
			{Name: "GetCallerIdentity", Action: "sts:GetCallerIdentity", Handler: service.Func(s.GetCallerIdentity),
				Checks: func(context.Context, any) []service.Check { return []service.Check{} }},
			op("GetDelegatedAccessToken", nil),
			op("GetFederationToken", nil),
			op("GetSessionToken", service.Func(s.GetSessionToken)),
			op("GetWebIdentityToken", nil),
		},
	}).Index()
}

// GetCallerIdentityInput is empty.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput names the caller.
type GetCallerIdentityOutput struct {
	UserId  string
	Account string
	Arn     string
}

// GetCallerIdentity returns the authenticated principal.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	p := request.From(ctx).Principal
	if p == nil {
		return nil, awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
	}
	return &GetCallerIdentityOutput{UserId: p.UserID, Account: p.Account, Arn: p.ARN}, nil
}

// GetAccessKeyInfoInput names an access key.
type GetAccessKeyInfoInput struct {
	AccessKeyId string
}

// GetAccessKeyInfoOutput names the key's account.
type GetAccessKeyInfoOutput struct {
	Account string
}

// GetAccessKeyInfo returns the account that owns an access key.
func (s *Service) GetAccessKeyInfo(ctx context.Context, in *GetAccessKeyInfoInput) (*GetAccessKeyInfoOutput, error) {
	if n := len(in.AccessKeyId); n < 16 || n > 128 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value at 'accessKeyId' failed to satisfy constraint: Member must have length between 16 and 128")
	}
	key, err := s.Accounts.AccessKey(ctx, in.AccessKeyId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, awserr.New(awserr.Validation, "The access key %s does not exist.", in.AccessKeyId)
	}
	if err != nil {
		return nil, err
	}
	return &GetAccessKeyInfoOutput{Account: key.Account}, nil
}
