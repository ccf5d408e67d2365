package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"

	"github.com/gureum/gureum/internal/store"
)

// PublishVersionInput publishes $LATEST.
type PublishVersionInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	CodeSha256   string
	Description  string
	RevisionId   string
}

// PublishVersionOutput is the new version's configuration, answered with 201.
type PublishVersionOutput struct {
	Status int `rest:"status" json:"-"`
	FunctionConfiguration
}

// PublishVersion snapshots $LATEST as the next numbered version.
func (s *Service) PublishVersion(ctx context.Context, in *PublishVersionInput) (*PublishVersionOutput, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	c, err := s.publish(ctx, r.account, r.name, in.CodeSha256, in.RevisionId, in.Description)
	if err != nil {
		return nil, err
	}
	return &PublishVersionOutput{Status: http.StatusCreated, FunctionConfiguration: *c}, nil
}

func (s *Service) publish(ctx context.Context, acct, name, sha, revision, desc string) (*FunctionConfiguration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publishLocked(ctx, acct, name, sha, revision, desc)
}

func (s *Service) publishLocked(ctx context.Context, acct, name, sha, revision, desc string) (*FunctionConfiguration, error) {
	v, c, err := s.version(ctx, ref{account: acct, name: name})
	if err != nil {
		return nil, err
	}
	if sha != "" && sha != v.CodeSha256 {
		return nil, invalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", sha, v.CodeSha256)
	}
	if revision != "" && revision != v.RevisionID {
		return nil, ErrPreconditionFailed.Errorf("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	// Publishing an unchanged $LATEST again returns the version that already holds it.
	vs, err := s.cfg.Store.ListFunctionVersions(ctx, acct, name)
	if err != nil {
		return nil, err
	}
	if last := vs[len(vs)-1]; last.Version != latest && last.CodeSha256 == v.CodeSha256 && sameConfig(last, v) {
		return decodeConfig(last)
	}
	if desc != "" {
		c.Description = desc
	}
	c.RevisionId, c.LastModified = newRevision(), lastModified(s.cfg.Now())
	c.FunctionArn = s.functionARN(acct, name)
	v.RevisionID, v.Config = c.RevisionId, nil
	v.Config, _ = json.Marshal(c)
	p, err := s.cfg.Store.PublishFunctionVersion(ctx, v)
	if err != nil {
		return nil, err
	}
	return decodeConfig(p)
}

// sameConfig compares two versions' configurations apart from what publishing changes.
func sameConfig(a, b store.FunctionVersion) bool {
	ca, err1 := decodeConfig(a)
	cb, err2 := decodeConfig(b)
	if err1 != nil || err2 != nil {
		return false
	}
	for _, c := range []*FunctionConfiguration{ca, cb} {
		c.Version, c.FunctionArn, c.RevisionId, c.LastModified, c.Description = "", "", "", "", ""
	}
	ja, _ := json.Marshal(ca)
	jb, _ := json.Marshal(cb)
	return string(ja) == string(jb)
}

// ListVersionsByFunctionInput names a function.
type ListVersionsByFunctionInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Marker       string `rest:"query=Marker" json:"-"`
	MaxItems     int    `rest:"query=MaxItems" json:"-"`
}

// ListVersionsByFunctionOutput lists versions.
type ListVersionsByFunctionOutput struct {
	Versions   []*FunctionConfiguration `json:"Versions"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

// ListVersionsByFunction lists $LATEST and the published versions.
func (s *Service) ListVersionsByFunction(ctx context.Context, in *ListVersionsByFunctionInput) (*ListVersionsByFunctionOutput, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	vs, err := s.cfg.Store.ListFunctionVersions(ctx, r.account, r.name)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, notFound(s.functionARN(r.account, r.name))
	}
	out := &ListVersionsByFunctionOutput{Versions: []*FunctionConfiguration{}}
	limit := in.MaxItems
	if limit <= 0 || limit > maxListFunction {
		limit = maxListFunction
	}
	started := in.Marker == ""
	for _, v := range vs {
		if !started {
			started = v.Version == in.Marker
			continue
		}
		if len(out.Versions) == limit {
			out.NextMarker = out.Versions[limit-1].Version
			break
		}
		c, err := decodeConfig(v)
		if err != nil {
			return nil, err
		}
		out.Versions = append(out.Versions, c)
	}
	return out, nil
}

// AliasRoutingConfiguration sends a share of an alias's invokes to a second version.
type AliasRoutingConfiguration struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

// AliasConfiguration is an alias as the API returns it (and the store keeps it).
type AliasConfiguration struct {
	Status          int                        `rest:"status" json:"-"`
	AliasArn        string                     `json:"AliasArn"`
	Name            string                     `json:"Name"`
	FunctionVersion string                     `json:"FunctionVersion"`
	Description     string                     `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig,omitempty"`
	RevisionId      string                     `json:"RevisionId"`
}

func (a *AliasConfiguration) weight(version string) float64 {
	if a.RoutingConfig == nil {
		return 0
	}
	return a.RoutingConfig.AdditionalVersionWeights[version]
}

// pick chooses the version an invoke through the alias runs.
func (a *AliasConfiguration) pick() string {
	if a.RoutingConfig != nil {
		x := rand.Float64()
		for v, w := range a.RoutingConfig.AdditionalVersionWeights {
			if x < w {
				return v
			}
			x -= w
		}
	}
	return a.FunctionVersion
}

// AliasInput is CreateAlias's and UpdateAlias's request.
type AliasInput struct {
	FunctionName    string `rest:"uri=FunctionName" json:"-"`
	AliasName       string `rest:"uri=Name" json:"-"`
	Name            string
	FunctionVersion *string
	Description     *string
	RoutingConfig   *AliasRoutingConfiguration
	RevisionId      string
}

// AliasRef names an alias.
type AliasRef struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Name         string `rest:"uri=Name" json:"-"`
}

func validAliasName(n string) bool {
	if n == "" || len(n) > 128 {
		return false
	}
	digits := true
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
		digits = digits && c >= '0' && c <= '9'
	}
	return !digits
}

func decodeAlias(a store.FunctionAlias) (*AliasConfiguration, error) {
	c := &AliasConfiguration{}
	return c, json.Unmarshal(a.Config, c)
}

func (s *Service) alias(ctx context.Context, acct, fn, name string) (*AliasConfiguration, error) {
	a, err := s.cfg.Store.FunctionAlias(ctx, acct, fn, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf("Cannot find alias arn: %s:%s", s.functionARN(acct, fn), name)
	}
	if err != nil {
		return nil, err
	}
	return decodeAlias(a)
}

// checkRouting validates an alias's versions and weights.
func (s *Service) checkRouting(ctx context.Context, r ref, c *AliasConfiguration) error {
	if _, _, err := s.version(ctx, ref{account: r.account, name: r.name, qualifier: c.FunctionVersion}); err != nil {
		return err
	}
	if c.RoutingConfig == nil || len(c.RoutingConfig.AdditionalVersionWeights) == 0 {
		c.RoutingConfig = nil
		return nil
	}
	if len(c.RoutingConfig.AdditionalVersionWeights) > 1 {
		return invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for v, w := range c.RoutingConfig.AdditionalVersionWeights {
		if w < 0 || w > 1 {
			return invalid("Invalid weight %v for version %s: weights are between 0.0 and 1.0", w, v)
		}
		if v == c.FunctionVersion || v == latest || c.FunctionVersion == latest {
			return invalid("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
		if _, _, err := s.version(ctx, ref{account: r.account, name: r.name, qualifier: v}); err != nil {
			return err
		}
	}
	return nil
}
