package apigatewayv2

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/gureum/gureum/internal/apigateway/domain"
	"github.com/gureum/gureum/internal/store"
)

// DomainNameInput is CreateDomainName's and UpdateDomainName's request.
type DomainNameInput struct {
	PathDomainName           string                    `rest:"uri=domainName" json:"-"`
	DomainName               string                    `json:"domainName"`
	DomainNameConfigurations []DomainNameConfiguration `json:"domainNameConfigurations"`
	RoutingMode              string                    `json:"routingMode"`
	Tags                     map[string]string         `json:"tags"`
}

// DomainNameOutput is a domain name in an answer.
type DomainNameOutput struct {
	DomainName
	Status int `rest:"status" json:"-"`
}

// DomainNameIDInput names a domain name.
type DomainNameIDInput struct {
	DomainName string `rest:"uri=domainName" json:"-"`
}

// DomainNamesOutput is GetDomainNames' answer.
type DomainNamesOutput struct {
	Items     []DomainName `json:"items"`
	NextToken string       `json:"nextToken,omitempty"`
}

// DomainListInput is GetDomainNames' paging.
type DomainListInput struct {
	MaxResults string `rest:"query=maxResults" json:"-"`
	NextToken  string `rest:"query=nextToken" json:"-"`
}

var domainPattern = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// CreateDomainName registers a custom domain name, served on the main listener by Host.
func (s *Service) CreateDomainName(ctx context.Context, in *DomainNameInput) (*DomainNameOutput, error) {
	name := strings.ToLower(in.DomainName)
	if len(name) > 512 || !domainPattern.MatchString(name) {
		return nil, badRequest("Invalid domain name specified: %s", in.DomainName)
	}
	d := DomainName{DomainName: name, APIMappingSelectionExpression: "$request.basepath", Tags: in.Tags, RoutingMode: in.RoutingMode,
		DomainNameArn: "arn:aws:apigateway:" + s.region + "::/domainnames/" + name}
	if d.RoutingMode == "" {
		d.RoutingMode = "API_MAPPING_ONLY"
	}
	if err := ownCertificates(ctx, in.DomainNameConfigurations); err != nil {
		return nil, err
	}
	d.DomainNameConfigurations = domainConfigs(in.DomainNameConfigurations)
	err := domain.Create(ctx, s.store, callerAccount(ctx), &domainDoc{Domain: d}, s.now())
	s.domains.Drop(name)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrConflict.Errorf("The domain name you provided already exists.")
	}
	if err != nil {
		return nil, err
	}
	return &DomainNameOutput{DomainName: d, Status: 201}, nil
}

// ownCertificates refuses a certificate of another account (AWS takes the domain's own only).
func ownCertificates(ctx context.Context, cs []DomainNameConfiguration) error {
	for _, c := range cs {
		if !domain.OwnCertificate(c.CertificateArn, callerAccount(ctx)) {
			return badRequest("Invalid certificate ARN specified: %s", c.CertificateArn)
		}
	}
	return nil
}

func domainConfigs(in []DomainNameConfiguration) []DomainNameConfiguration {
	if len(in) == 0 {
		in = []DomainNameConfiguration{{}}
	}
	out := make([]DomainNameConfiguration, len(in))
	for i, c := range in {
		if c.EndpointType == "" {
			c.EndpointType = "REGIONAL"
		}
		if c.SecurityPolicy == "" {
			c.SecurityPolicy = "TLS_1_2"
		}
		if c.IPAddressType == "" {
			c.IPAddressType = "ipv4"
		}
		c.APIGatewayDomainName = "d-" + newID(10) + ".execute-api.localhost"
		c.DomainNameStatus = "AVAILABLE"
		out[i] = c
	}
	return out
}

// keepTargets keeps an endpoint's target (its API Gateway domain name and hosted zone) when an
// update gives a configuration of the same endpoint type, as AWS does: a new certificate or
// policy does not move the name a DNS record points at.
func keepTargets(old, next []DomainNameConfiguration) []DomainNameConfiguration {
	for i := range next {
		for _, o := range old {
			if o.EndpointType == next[i].EndpointType {
				next[i].APIGatewayDomainName, next[i].HostedZoneID = o.APIGatewayDomainName, o.HostedZoneID
			}
		}
	}
	return next
}

// loadDomain reads a domain name of the caller's account.
func (s *Service) loadDomain(ctx context.Context, name string) (*domainDoc, error) {
	d, _, err := domain.Load(ctx, s.store, callerAccount(ctx), name)
	return d, domainError(err)
}

// mutateDomain changes a domain name's document with fn by compare-and-swap.
func (s *Service) mutateDomain(ctx context.Context, name string, fn func(*domainDoc) error) (*domainDoc, error) {
	d, err := domain.Mutate(ctx, s.store, callerAccount(ctx), name, fn)
	s.domains.Drop(name)
	return d, domainError(err)
}

// domainError words package domain's kinds as API Gateway V2 does.
func domainError(err error) error {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return ErrNotFound.Errorf("The domain name resource specified in the request was not found.")
	case errors.Is(err, domain.ErrConflict):
		return ErrConflict.Errorf("Unable to complete operation due to concurrent modification. Please try again later.")
	}
	return err
}

// GetDomainName describes a domain name.
func (s *Service) GetDomainName(ctx context.Context, in *DomainNameIDInput) (*DomainNameOutput, error) {
	d, err := s.loadDomain(ctx, in.DomainName)
	if err != nil {
		return nil, err
	}
	return &DomainNameOutput{DomainName: d.Domain, Status: 200}, nil
}

// GetDomainNames lists the caller's domain names.
func (s *Service) GetDomainNames(ctx context.Context, in *DomainListInput) (*DomainNamesOutput, error) {
	docs, err := domain.List(ctx, s.store, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	items := []DomainName{}
	for _, d := range docs {
		items = append(items, d.Domain)
	}
	items, next, err := page(items, in.MaxResults, in.NextToken, func(d DomainName) string { return d.DomainName })
	if err != nil {
		return nil, err
	}
	return &DomainNamesOutput{Items: items, NextToken: next}, nil
}

// UpdateDomainName changes a domain name's configurations or routing mode.
func (s *Service) UpdateDomainName(ctx context.Context, in *DomainNameInput) (*DomainNameOutput, error) {
	if err := ownCertificates(ctx, in.DomainNameConfigurations); err != nil {
		return nil, err
	}
	d, err := s.mutateDomain(ctx, in.PathDomainName, func(d *domainDoc) error {
		if in.DomainNameConfigurations != nil {
			d.Domain.DomainNameConfigurations = keepTargets(d.Domain.DomainNameConfigurations, domainConfigs(in.DomainNameConfigurations))
		}
		if in.RoutingMode != "" {
			d.Domain.RoutingMode = in.RoutingMode
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DomainNameOutput{DomainName: d.Domain, Status: 200}, nil
}

// DeleteDomainName removes a domain name with its mappings.
func (s *Service) DeleteDomainName(ctx context.Context, in *DomainNameIDInput) (*Empty, error) {
	err := domain.Delete(ctx, s.store, callerAccount(ctx), in.DomainName)
	s.domains.Drop(in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	return &Empty{Status: 204}, nil
}

// APIMappingInput is CreateApiMapping's and UpdateApiMapping's request.
type APIMappingInput struct {
	DomainName    string  `rest:"uri=domainName" json:"-"`
	APIMappingID  string  `rest:"uri=apiMappingId" json:"-"`
	APIID         *string `json:"apiId"`
	APIMappingKey *string `json:"apiMappingKey"`
	Stage         *string `json:"stage"`
}

// APIMappingOutput is an API mapping in an answer.
type APIMappingOutput struct {
	APIMapping
	Status int `rest:"status" json:"-"`
}

// APIMappingIDInput names an API mapping.
type APIMappingIDInput struct {
	DomainName   string `rest:"uri=domainName" json:"-"`
	APIMappingID string `rest:"uri=apiMappingId" json:"-"`
}

// APIMappingsOutput is GetApiMappings' answer.
type APIMappingsOutput struct {
	Items     []APIMapping `json:"items"`
	NextToken string       `json:"nextToken,omitempty"`
}

// MappingListInput is GetApiMappings' request.
type MappingListInput struct {
	DomainName string `rest:"uri=domainName" json:"-"`
	MaxResults string `rest:"query=maxResults" json:"-"`
	NextToken  string `rest:"query=nextToken" json:"-"`
}

var mappingKeyPattern = regexp.MustCompile(`^([A-Za-z0-9_.\-~]+(/[A-Za-z0-9_.\-~]+)*)?$`)

// CreateApiMapping maps a path of a domain name to an API's stage.
func (s *Service) CreateApiMapping(ctx context.Context, in *APIMappingInput) (*APIMappingOutput, error) {
	if in.APIID == nil || in.Stage == nil {
		return nil, badRequest("ApiId and Stage are required")
	}
	m := &APIMapping{APIMappingID: newID(6)}
	if _, err := s.mutateDomain(ctx, in.DomainName, func(d *domainDoc) error {
		if err := s.applyMapping(ctx, d, m, in); err != nil {
			return err
		}
		d.Mappings[m.APIMappingID] = m
		return nil
	}); err != nil {
		return nil, err
	}
	return &APIMappingOutput{APIMapping: *m, Status: 201}, nil
}

// applyMapping sets what a request gives on a mapping: an API and stage of the caller's, and a
// key no other mapping of the domain has.
func (s *Service) applyMapping(ctx context.Context, d *domainDoc, m *APIMapping, in *APIMappingInput) error {
	set(&m.APIID, in.APIID)
	set(&m.Stage, in.Stage)
	set(&m.APIMappingKey, in.APIMappingKey)
	m.APIMappingKey = strings.Trim(m.APIMappingKey, "/")
	if !mappingKeyPattern.MatchString(m.APIMappingKey) {
		return badRequest("Invalid API mapping key specified: %s", m.APIMappingKey)
	}
	if err := s.mappableStage(ctx, m.APIID, m.Stage); err != nil {
		return err
	}
	for _, o := range d.Mappings {
		if o.APIMappingKey == m.APIMappingKey && o.APIMappingID != m.APIMappingID {
			return ErrConflict.Errorf("ApiMapping with key %q already exists for domain name %s", m.APIMappingKey, d.Domain.DomainName)
		}
	}
	return nil
}

// mappableStage checks that a mapping's API and stage are the caller's: an HTTP or WebSocket
// API's stage, or a REST API's (AWS maps both through API mappings).
func (s *Service) mappableStage(ctx context.Context, apiID, stage string) error {
	account := callerAccount(ctx)
	doc, _, err := s.loadAPI(ctx, account, apiID)
	if err != nil {
		if _, rerr := s.store.APIObject(ctx, store.KindRestAPI, account, "", apiID); rerr != nil {
			return err
		}
		if _, serr := s.store.APIObject(ctx, store.KindStage, account, apiID, stage); serr != nil {
			return badRequest("Invalid stage identifier specified")
		}
		return nil
	}
	if doc.Stages[stage] == nil {
		return badRequest("Invalid stage identifier specified")
	}
	return nil
}

// GetApiMapping describes an API mapping.
func (s *Service) GetApiMapping(ctx context.Context, in *APIMappingIDInput) (*APIMappingOutput, error) {
	d, err := s.loadDomain(ctx, in.DomainName)
	if err != nil {
		return nil, err
	}
	m := d.Mappings[in.APIMappingID]
	if m == nil {
		return nil, ErrNotFound.Errorf("Invalid ApiMapping identifier specified %s", in.APIMappingID)
	}
	return &APIMappingOutput{APIMapping: *m, Status: 200}, nil
}

// GetApiMappings lists a domain name's API mappings.
func (s *Service) GetApiMappings(ctx context.Context, in *MappingListInput) (*APIMappingsOutput, error) {
	d, err := s.loadDomain(ctx, in.DomainName)
	if err != nil {
		return nil, err
	}
	items, next, err := page(values(d.Mappings), in.MaxResults, in.NextToken, func(m APIMapping) string { return m.APIMappingID })
	if err != nil {
		return nil, err
	}
	return &APIMappingsOutput{Items: items, NextToken: next}, nil
}

// UpdateApiMapping changes an API mapping.
func (s *Service) UpdateApiMapping(ctx context.Context, in *APIMappingInput) (*APIMappingOutput, error) {
	var out APIMapping
	if _, err := s.mutateDomain(ctx, in.DomainName, func(d *domainDoc) error {
		m := d.Mappings[in.APIMappingID]
		if m == nil {
			return ErrNotFound.Errorf("Invalid ApiMapping identifier specified %s", in.APIMappingID)
		}
		if err := s.applyMapping(ctx, d, m, in); err != nil {
			return err
		}
		out = *m
		return nil
	}); err != nil {
		return nil, err
	}
	return &APIMappingOutput{APIMapping: out, Status: 200}, nil
}

// DeleteApiMapping removes an API mapping.
func (s *Service) DeleteApiMapping(ctx context.Context, in *APIMappingIDInput) (*Empty, error) {
	if _, err := s.mutateDomain(ctx, in.DomainName, func(d *domainDoc) error {
		if d.Mappings[in.APIMappingID] == nil {
			return ErrNotFound.Errorf("Invalid ApiMapping identifier specified %s", in.APIMappingID)
		}
		delete(d.Mappings, in.APIMappingID)
		return nil
	}); err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
