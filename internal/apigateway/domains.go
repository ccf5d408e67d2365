package apigateway

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/gureum/gureum/internal/apigateway/domain"
	"github.com/gureum/gureum/internal/store"
)

// Custom domain names (package domain keeps them, shared with apigatewayv2 as AWS shares them):
// a request whose Host is the domain name is answered on the main listener by the mapping whose
// base path is the longest whole-segment prefix of its path.

// DomainNameInput is CreateDomainName's request (and names the domain of the other calls).
type DomainNameInput struct {
	DomainName              string                 `json:"domainName"`
	CertificateName         string                 `json:"certificateName"`
	CertificateArn          string                 `json:"certificateArn"`
	RegionalCertificateArn  string                 `json:"regionalCertificateArn"`
	RegionalCertificateName string                 `json:"regionalCertificateName"`
	EndpointConfiguration   *EndpointConfiguration `json:"endpointConfiguration"`
	SecurityPolicy          string                 `json:"securityPolicy"`
	RoutingMode             string                 `json:"routingMode"`
	Tags                    map[string]string      `json:"tags"`
}

// DomainNameIDInput names a domain name (GetDomainNames: none).
type DomainNameIDInput struct {
	DomainName string `rest:"uri=domain_name" json:"-"`
}

// DomainName is a custom domain name as the REST APIs' API describes it.
type DomainName struct {
	DomainName              string                 `json:"domainName"`
	DomainNameArn           string                 `json:"domainNameArn,omitempty"`
	CertificateArn          string                 `json:"certificateArn,omitempty"`
	CertificateName         string                 `json:"certificateName,omitempty"`
	RegionalCertificateArn  string                 `json:"regionalCertificateArn,omitempty"`
	RegionalCertificateName string                 `json:"regionalCertificateName,omitempty"`
	RegionalDomainName      string                 `json:"regionalDomainName,omitempty"`
	RegionalHostedZoneID    string                 `json:"regionalHostedZoneId,omitempty"`
	DistributionDomainName  string                 `json:"distributionDomainName,omitempty"`
	EndpointConfiguration   *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	DomainNameStatus        string                 `json:"domainNameStatus,omitempty"`
	SecurityPolicy          string                 `json:"securityPolicy,omitempty"`
	RoutingMode             string                 `json:"routingMode,omitempty"`
	Tags                    map[string]string      `json:"tags,omitempty"`
	Status                  int                    `rest:"status" json:"-"`
}

// DomainNamesOutput is GetDomainNames' answer.
type DomainNamesOutput struct {
	Items    []DomainName `json:"item"`
	Position string       `json:"position,omitempty"`
}

// BasePathMappingInput is the base path mapping calls' request.
type BasePathMappingInput struct {
	DomainName string `rest:"uri=domain_name" json:"-"`
	PathBase   string `rest:"uri=base_path" json:"-"`
	BasePath   string `json:"basePath"`
	RestAPIID  string `json:"restApiId"`
	Stage      string `json:"stage"`
}

// BasePathMapping maps a base path of a domain name to a REST API's stage.
type BasePathMapping struct {
	BasePath  string `json:"basePath"`
	RestAPIID string `json:"restApiId"`
	Stage     string `json:"stage,omitempty"`
	Status    int    `rest:"status" json:"-"`
}

// BasePathMappingsOutput is GetBasePathMappings' answer.
type BasePathMappingsOutput struct {
	Items    []BasePathMapping `json:"item"`
	Position string            `json:"position,omitempty"`
}

var domainPattern = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// basePathPattern is a base path: segments of URL-safe characters ("" is the whole domain).
var basePathPattern = regexp.MustCompile(`^([A-Za-z0-9_.\-~]+(/[A-Za-z0-9_.\-~]+)*)?$`)

// CreateDomainName registers a custom domain name.
func (s *Service) CreateDomainName(ctx context.Context, in *DomainNameInput) (*DomainName, error) {
	name := strings.ToLower(in.DomainName)
	if len(name) > 512 || !domainPattern.MatchString(name) {
		return nil, badRequest("Invalid domain name specified: %s", in.DomainName)
	}
	endpoint, cert, certName := "EDGE", in.CertificateArn, in.CertificateName
	if in.EndpointConfiguration != nil && len(in.EndpointConfiguration.Types) > 0 {
		endpoint = in.EndpointConfiguration.Types[0]
	}
	if endpoint != "EDGE" {
		cert, certName = in.RegionalCertificateArn, in.RegionalCertificateName
	}
	if !domain.OwnCertificate(cert, callerAccount(ctx)) {
		return nil, badRequest("Invalid certificate ARN specified: %s", cert)
	}
	policy := in.SecurityPolicy
	if policy == "" {
		policy = "TLS_1_2"
	}
	d := &domain.Doc{Domain: domain.Name{DomainName: name, APIMappingSelectionExpression: "$request.basepath", Tags: in.Tags,
		RoutingMode: in.RoutingMode, DomainNameArn: "arn:aws:apigateway:" + s.region + "::/domainnames/" + name,
		DomainNameConfigurations: []domain.Configuration{{APIGatewayDomainName: "d-" + randomString(10, idAlphabet) + ".execute-api.localhost",
			CertificateArn: cert, CertificateName: certName, EndpointType: endpoint, SecurityPolicy: policy, DomainNameStatus: "AVAILABLE", IPAddressType: "ipv4"}}}}
	if d.Domain.RoutingMode == "" {
		d.Domain.RoutingMode = "BASE_PATH_MAPPING_ONLY"
	}
	err := domain.Create(ctx, s.store, callerAccount(ctx), d, s.now())
	s.domains.Drop(name)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrConflict.Errorf("The domain name you provided already exists.")
	}
	if err != nil {
		return nil, err
	}
	out := describeDomain(d)
	out.Status = 201
	return &out, nil
}

// describeDomain is a stored domain in the REST APIs' words.
func describeDomain(d *domain.Doc) DomainName {
	out := DomainName{DomainName: d.Domain.DomainName, DomainNameArn: d.Domain.DomainNameArn, Tags: d.Domain.Tags, RoutingMode: d.Domain.RoutingMode}
	if len(d.Domain.DomainNameConfigurations) > 0 {
		c := d.Domain.DomainNameConfigurations[0]
		out.EndpointConfiguration = &EndpointConfiguration{Types: []string{c.EndpointType}}
		out.DomainNameStatus, out.SecurityPolicy = c.DomainNameStatus, c.SecurityPolicy
		if c.EndpointType == "EDGE" {
			out.CertificateArn, out.CertificateName, out.DistributionDomainName = c.CertificateArn, c.CertificateName, c.APIGatewayDomainName
		} else {
			out.RegionalCertificateName = c.CertificateName
			out.RegionalCertificateArn, out.RegionalDomainName, out.RegionalHostedZoneID = c.CertificateArn, c.APIGatewayDomainName, c.HostedZoneID
		}
	}
	return out
}

// domainError words package domain's kinds as API Gateway does.
func domainError(err error) error {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return ErrNotFound.Errorf("Invalid domain name identifier specified")
	case errors.Is(err, domain.ErrConflict):
		return ErrConflict.Errorf("Unable to complete operation due to concurrent modification. Please try again later.")
	}
	return err
}

// GetDomainName describes a domain name.
func (s *Service) GetDomainName(ctx context.Context, in *DomainNameIDInput) (*DomainName, error) {
	d, _, err := domain.Load(ctx, s.store, callerAccount(ctx), in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	out := describeDomain(d)
	return &out, nil
}

// GetDomainNames lists the caller's domain names.
func (s *Service) GetDomainNames(ctx context.Context, _ *DomainNameIDInput) (*DomainNamesOutput, error) {
	docs, err := domain.List(ctx, s.store, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	out := &DomainNamesOutput{Items: []DomainName{}}
	for _, d := range docs {
		out.Items = append(out.Items, describeDomain(d))
	}
	return out, nil
}

// DeleteDomainName removes a domain name with its mappings.
func (s *Service) DeleteDomainName(ctx context.Context, in *DomainNameIDInput) (*Empty, error) {
	err := domain.Delete(ctx, s.store, callerAccount(ctx), in.DomainName)
	s.domains.Drop(in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	return &Empty{Status: 202}, nil
}

// basePathKey is a base path as stored ("(none)" and "" are the whole domain).
func basePathKey(p string) string {
	p = strings.Trim(p, "/")
	if p == "(none)" {
		return ""
	}
	return p
}

func describeMapping(m *domain.Mapping) BasePathMapping {
	bp := m.APIMappingKey
	if bp == "" {
		bp = "(none)"
	}
	return BasePathMapping{BasePath: bp, RestAPIID: m.APIID, Stage: m.Stage}
}

// CreateBasePathMapping maps a base path (of one or more segments) of a domain name to a REST
// API's stage.
func (s *Service) CreateBasePathMapping(ctx context.Context, in *BasePathMappingInput) (*BasePathMapping, error) {
	key := basePathKey(in.BasePath)
	if !basePathPattern.MatchString(key) {
		return nil, badRequest("Invalid base path specified: %s", in.BasePath)
	}
	account := callerAccount(ctx)
	if err := s.checkMappingTarget(ctx, account, in.RestAPIID, in.Stage); err != nil {
		return nil, err
	}
	m := &domain.Mapping{APIMappingID: randomString(6, idAlphabet), APIID: in.RestAPIID, APIMappingKey: key, Stage: in.Stage}
	_, err := domain.Mutate(ctx, s.store, account, in.DomainName, func(d *domain.Doc) error {
		for _, o := range d.Mappings {
			if o.APIMappingKey == key {
				return ErrConflict.Errorf("Base path already exists for this domain name")
			}
		}
		d.Mappings[m.APIMappingID] = m
		return nil
	})
	s.domains.Drop(in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	out := describeMapping(m)
	out.Status = 201
	return &out, nil
}

// mappingByBasePath finds a domain's mapping of a base path.
func mappingByBasePath(d *domain.Doc, basePath string) *domain.Mapping {
	key := basePathKey(basePath)
	for _, m := range d.Mappings {
		if m.APIMappingKey == key {
			return m
		}
	}
	return nil
}

// GetBasePathMapping describes a base path mapping.
func (s *Service) GetBasePathMapping(ctx context.Context, in *BasePathMappingInput) (*BasePathMapping, error) {
	d, _, err := domain.Load(ctx, s.store, callerAccount(ctx), in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	m := mappingByBasePath(d, in.PathBase)
	if m == nil {
		return nil, ErrNotFound.Errorf("Invalid base path mapping identifier specified")
	}
	out := describeMapping(m)
	return &out, nil
}

// GetBasePathMappings lists a domain name's base path mappings, by base path.
func (s *Service) GetBasePathMappings(ctx context.Context, in *BasePathMappingInput) (*BasePathMappingsOutput, error) {
	d, _, err := domain.Load(ctx, s.store, callerAccount(ctx), in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	out := &BasePathMappingsOutput{Items: []BasePathMapping{}}
	for _, m := range d.Mappings {
		out.Items = append(out.Items, describeMapping(m))
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].BasePath < out.Items[j].BasePath })
	return out, nil
}

// DeleteBasePathMapping removes a base path mapping.
func (s *Service) DeleteBasePathMapping(ctx context.Context, in *BasePathMappingInput) (*Empty, error) {
	_, err := domain.Mutate(ctx, s.store, callerAccount(ctx), in.DomainName, func(d *domain.Doc) error {
		m := mappingByBasePath(d, in.PathBase)
		if m == nil {
			return ErrNotFound.Errorf("Invalid base path mapping identifier specified")
		}
		delete(d.Mappings, m.APIMappingID)
		return nil
	})
	s.domains.Drop(in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	return &Empty{Status: 202}, nil
}

// DomainNameUpdateInput is UpdateDomainName's request.
type DomainNameUpdateInput struct {
	DomainName      string           `rest:"uri=domain_name" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// BasePathMappingUpdateInput is UpdateBasePathMapping's request.
type BasePathMappingUpdateInput struct {
	DomainName      string           `rest:"uri=domain_name" json:"-"`
	PathBase        string           `rest:"uri=base_path" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// securityPolicies and routingModes are the values a domain name may take.
var (
	securityPolicies = map[string]bool{"TLS_1_0": true, "TLS_1_2": true}
	routingModes     = map[string]bool{"BASE_PATH_MAPPING_ONLY": true, "ROUTING_RULE_THEN_BASE_PATH_MAPPING": true, "ROUTING_RULE_ONLY": true}
	endpointTypes    = map[string]bool{"EDGE": true, "REGIONAL": true}
)

// UpdateDomainName applies patch operations to a domain name: its certificates (the edge one,
// /certificateArn, or the regional one, /regionalCertificateArn; names alike), its endpoint
// type (replace /endpointConfiguration/types/<current> with the other, whose certificate the same
// call must give unless the domain has it), /securityPolicy and /routingMode.
func (s *Service) UpdateDomainName(ctx context.Context, in *DomainNameUpdateInput) (*DomainName, error) {
	account := callerAccount(ctx)
	d, err := domain.Mutate(ctx, s.store, account, in.DomainName, func(d *domain.Doc) error {
		if len(d.Domain.DomainNameConfigurations) == 0 {
			d.Domain.DomainNameConfigurations = []domain.Configuration{{EndpointType: "REGIONAL", DomainNameStatus: "AVAILABLE"}}
		}
		return patchDomain(d, &d.Domain.DomainNameConfigurations[0], in.PatchOperations, account)
	})
	s.domains.Drop(in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	out := describeDomain(d)
	return &out, nil
}

// patchDomain applies UpdateDomainName's operations to a domain and its endpoint.
func patchDomain(d *domain.Doc, c *domain.Configuration, ops []PatchOperation, account string) error {
	certs := map[string]string{} // endpoint type → certificate given by this call
	names := map[string]string{}
	newType := c.EndpointType
	for _, op := range ops {
		if op.Op != "replace" {
			return invalidPatch(op)
		}
		switch path := op.Path; {
		case path == "/certificateArn" || path == "/regionalCertificateArn":
			if !strings.HasPrefix(op.Value, "arn:") || !domain.OwnCertificate(op.Value, account) {
				return badRequest("Invalid certificate ARN specified: %s", op.Value)
			}
			certs[certEndpoint(path)] = op.Value
		case path == "/certificateName" || path == "/regionalCertificateName":
			names[certEndpoint(path)] = op.Value
		case strings.HasPrefix(path, "/endpointConfiguration/types/"):
			if strings.TrimPrefix(path, "/endpointConfiguration/types/") != c.EndpointType {
				return invalidPatch(op)
			}
			if !endpointTypes[op.Value] {
				return badRequest("Invalid endpoint configuration type specified: %s", op.Value)
			}
			newType = op.Value
		case path == "/securityPolicy":
			if !securityPolicies[op.Value] {
				return badRequest("Invalid security policy specified: %s", op.Value)
			}
			c.SecurityPolicy = op.Value
		case path == "/routingMode":
			if !routingModes[op.Value] {
				return badRequest("Invalid routing mode specified: %s", op.Value)
			}
			d.Domain.RoutingMode = op.Value
		default:
			return invalidPatch(op)
		}
	}
	if newType != c.EndpointType {
		if certs[newType] == "" {
			return badRequest("A %s certificate is required to change the endpoint type to %s", strings.ToLower(newType), newType)
		}
		c.EndpointType, c.HostedZoneID = newType, ""
	}
	if arn := certs[c.EndpointType]; arn != "" {
		c.CertificateArn = arn
	}
	if name, ok := names[c.EndpointType]; ok {
		c.CertificateName = name
	}
	return nil
}

// certEndpoint is the endpoint type a certificate patch path is for.
func certEndpoint(path string) string {
	if strings.HasPrefix(path, "/regional") {
		return "REGIONAL"
	}
	return "EDGE"
}

// UpdateBasePathMapping applies patch operations to a base path mapping: replace /basePath (a
// base path the domain does not map yet), /restapiId (with its stage: the mapping's stage must be
// one of the new API's) and /stage.
func (s *Service) UpdateBasePathMapping(ctx context.Context, in *BasePathMappingUpdateInput) (*BasePathMapping, error) {
	account := callerAccount(ctx)
	var out BasePathMapping
	_, err := domain.Mutate(ctx, s.store, account, in.DomainName, func(d *domain.Doc) error {
		m := mappingByBasePath(d, in.PathBase)
		if m == nil {
			return ErrNotFound.Errorf("Invalid base path mapping identifier specified")
		}
		next := *m
		for _, op := range in.PatchOperations {
			if op.Op != "replace" {
				return invalidPatch(op)
			}
			switch op.Path {
			case "/basePath":
				next.APIMappingKey = basePathKey(op.Value)
				if !basePathPattern.MatchString(next.APIMappingKey) {
					return badRequest("Invalid base path specified: %s", op.Value)
				}
			case "/restapiId":
				next.APIID = op.Value
			case "/stage":
				next.Stage = op.Value
			default:
				return invalidPatch(op)
			}
		}
		if err := s.checkMappingTarget(ctx, account, next.APIID, next.Stage); err != nil {
			return err
		}
		if next.APIMappingKey != m.APIMappingKey && mappingByBasePath(d, next.APIMappingKey) != nil {
			return ErrConflict.Errorf("Base path already exists for this domain name")
		}
		*m = next
		out = describeMapping(m)
		return nil
	})
	s.domains.Drop(in.DomainName)
	if err != nil {
		return nil, domainError(err)
	}
	return &out, nil
}

// checkMappingTarget checks that a mapping names one of the caller's REST APIs and, when it
// names a stage, one of that API's stages.
func (s *Service) checkMappingTarget(ctx context.Context, account, apiID, stage string) error {
	if _, _, err := s.loadAPI(ctx, account, apiID); err != nil {
		return err
	}
	if stage == "" {
		return nil
	}
	if _, err := s.store.APIObject(ctx, store.KindStage, account, apiID, stage); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return badRequest("Invalid stage identifier specified")
		}
		return err
	}
	return nil
}
