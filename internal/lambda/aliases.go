package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// CreateAlias names a version (and optionally a weighted second one).
func (s *Service) CreateAlias(ctx context.Context, in *AliasInput) (*AliasConfiguration, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if !validAliasName(in.Name) {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", in.Name)
	}
	if in.FunctionVersion == nil {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null")
	}
	c := &AliasConfiguration{AliasArn: s.functionARN(r.account, r.name) + ":" + in.Name, Name: in.Name,
		FunctionVersion: *in.FunctionVersion, RoutingConfig: in.RoutingConfig, RevisionId: newRevision()}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if err := s.checkRouting(ctx, r, c); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(c)
	err = s.cfg.Store.PutFunctionAlias(ctx, store.FunctionAlias{Account: r.account, Function: r.name, Name: in.Name, Config: b, RevisionID: c.RevisionId}, true)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrResourceConflict.Errorf("Alias already exists: %s", c.AliasArn)
	}
	if err != nil {
		return nil, err
	}
	c.Status = http.StatusCreated
	return c, nil
}

// GetAlias returns an alias.
func (s *Service) GetAlias(ctx context.Context, in *AliasRef) (*AliasConfiguration, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	return s.alias(ctx, r.account, r.name, in.Name)
}

// UpdateAlias changes an alias's version, description or routing.
func (s *Service) UpdateAlias(ctx context.Context, in *AliasInput) (*AliasConfiguration, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.alias(ctx, r.account, r.name, in.AliasName)
	if err != nil {
		return nil, err
	}
	if in.RevisionId != "" && in.RevisionId != c.RevisionId {
		return nil, ErrPreconditionFailed.Errorf("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	if in.FunctionVersion != nil {
		c.FunctionVersion = *in.FunctionVersion
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.RoutingConfig != nil {
		c.RoutingConfig = in.RoutingConfig
	}
	if err := s.checkRouting(ctx, r, c); err != nil {
		return nil, err
	}
	c.RevisionId = newRevision()
	b, _ := json.Marshal(c)
	if err := s.cfg.Store.PutFunctionAlias(ctx, store.FunctionAlias{Account: r.account, Function: r.name, Name: c.Name, Config: b, RevisionID: c.RevisionId}, false); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteAliasOutput is empty (204).
type DeleteAliasOutput struct {
	Status int `rest:"status" json:"-"`
}

// DeleteAlias removes an alias.
func (s *Service) DeleteAlias(ctx context.Context, in *AliasRef) (*DeleteAliasOutput, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.DeleteFunctionAlias(ctx, r.account, r.name, in.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if err == nil {
		s.qualifierGone(ctx, r.account, r.name, in.Name)
	}
	return &DeleteAliasOutput{Status: http.StatusNoContent}, nil
}

// ListAliasesInput names a function.
type ListAliasesInput struct {
	FunctionName    string `rest:"uri=FunctionName" json:"-"`
	FunctionVersion string `rest:"query=FunctionVersion" json:"-"`
	Marker          string `rest:"query=Marker" json:"-"`
	MaxItems        int    `rest:"query=MaxItems" json:"-"`
}

// ListAliasesOutput lists aliases.
type ListAliasesOutput struct {
	Aliases    []*AliasConfiguration `json:"Aliases"`
	NextMarker string                `json:"NextMarker,omitempty"`
}

// ListAliases lists a function's aliases, optionally those of one version.
func (s *Service) ListAliases(ctx context.Context, in *ListAliasesInput) (*ListAliasesOutput, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if _, err := s.cfg.Store.Function(ctx, r.account, r.name); err != nil {
		return nil, s.storeErr(err, r)
	}
	as, err := s.cfg.Store.ListFunctionAliases(ctx, r.account, r.name)
	if err != nil {
		return nil, err
	}
	out := &ListAliasesOutput{Aliases: []*AliasConfiguration{}}
	for _, a := range as {
		c, err := decodeAlias(a)
		if err != nil {
			return nil, err
		}
		if in.FunctionVersion == "" || c.FunctionVersion == in.FunctionVersion {
			out.Aliases = append(out.Aliases, c)
		}
	}
	return out, nil
}
