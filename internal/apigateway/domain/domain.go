// Package domain holds API Gateway's custom domain names, which both generations share as AWS
// does: a domain made with apigateway's CreateDomainName is apigatewayv2's too, and a base path
// mapping (v1) is an API mapping (v2). Each domain is one document in the API Gateway store
// (kind "v2domain", parent "", id: the lower-cased name) holding its mappings, changed by
// compare-and-swap. Cache answers the data plane's "is this Host a domain, and which one" from
// memory, so that every request's Host can be asked.
package domain

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Kind is the store kind of a domain's document (named for the generation that came first).
const Kind store.APIKind = "v2domain"

// Name is a custom domain name as apigatewayv2 describes it (its wire shape).
type Name struct {
	APIMappingSelectionExpression string            `json:"apiMappingSelectionExpression,omitempty"`
	DomainName                    string            `json:"domainName"`
	DomainNameArn                 string            `json:"domainNameArn,omitempty"`
	DomainNameConfigurations      []Configuration   `json:"domainNameConfigurations,omitempty"`
	RoutingMode                   string            `json:"routingMode,omitempty"`
	Tags                          map[string]string `json:"tags,omitempty"`
}

// Configuration is a domain name's endpoint.
type Configuration struct {
	APIGatewayDomainName string `json:"apiGatewayDomainName,omitempty"`
	CertificateArn       string `json:"certificateArn,omitempty"`
	CertificateName      string `json:"certificateName,omitempty"`
	DomainNameStatus     string `json:"domainNameStatus,omitempty"`
	EndpointType         string `json:"endpointType,omitempty"`
	HostedZoneID         string `json:"hostedZoneId,omitempty"`
	IPAddressType        string `json:"ipAddressType,omitempty"`
	SecurityPolicy       string `json:"securityPolicy,omitempty"`
}

// Mapping maps a path under a domain name to an API's stage: an HTTP or WebSocket API's (v2),
// or a REST API's (v1's base path mapping). Key has no leading or trailing "/" ("" maps the
// whole domain) and may have several segments ("orders/v2").
type Mapping struct {
	APIID         string `json:"apiId"`
	APIMappingID  string `json:"apiMappingId"`
	APIMappingKey string `json:"apiMappingKey"`
	Stage         string `json:"stage"`
}

// Doc is a domain's stored document.
type Doc struct {
	Domain   Name                `json:"domain"`
	Mappings map[string]*Mapping `json:"mappings"`
}

// Store is the part of the API Gateway store domains use.
type Store interface {
	CreateAPIObject(ctx context.Context, o store.APIObject) error
	UpdateAPIObject(ctx context.Context, o store.APIObject, version int64) error
	APIObject(ctx context.Context, kind store.APIKind, account, parent, id string) (store.APIObject, error)
	APIObjects(ctx context.Context, kind store.APIKind, account, parent string) ([]store.APIObject, error)
	DeleteAPIObject(ctx context.Context, kind store.APIKind, account, parent, id string) error
}

// ErrNotFound and ErrConflict are what Load and Mutate report for callers to word as their
// generation does.
var (
	ErrNotFound = errors.New("domain: not found")
	ErrConflict = errors.New("domain: concurrent modification")
)

// Load reads a domain name of an account ("" for whatever account holds it).
func Load(ctx context.Context, st Store, account, name string) (*Doc, store.APIObject, error) {
	obj, err := st.APIObject(ctx, Kind, account, "", strings.ToLower(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, obj, ErrNotFound
	}
	if err != nil {
		return nil, obj, err
	}
	d, err := decode(obj.Doc)
	return d, obj, err
}

func decode(b []byte) (*Doc, error) {
	var d Doc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	if d.Mappings == nil {
		d.Mappings = map[string]*Mapping{}
	}
	return &d, nil
}

// Create stores a new domain; store.ErrExists when the name is taken (by any account).
func Create(ctx context.Context, st Store, account string, d *Doc, created time.Time) error {
	if d.Mappings == nil {
		d.Mappings = map[string]*Mapping{}
	}
	b, _ := json.Marshal(d)
	return st.CreateAPIObject(ctx, store.APIObject{Kind: Kind, Account: account, ID: strings.ToLower(d.Domain.DomainName), Doc: b, Created: created})
}

// List reads an account's domains, by name.
func List(ctx context.Context, st Store, account string) ([]*Doc, error) {
	objs, err := st.APIObjects(ctx, Kind, account, "")
	if err != nil {
		return nil, err
	}
	out := make([]*Doc, 0, len(objs))
	for _, o := range objs {
		if d, err := decode(o.Doc); err == nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// Delete removes an account's domain with its mappings.
func Delete(ctx context.Context, st Store, account, name string) error {
	err := st.DeleteAPIObject(ctx, Kind, account, "", strings.ToLower(name))
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// Mutate changes an account's domain with fn by compare-and-swap, retrying a few times when
// another writer got there first; fn's error is returned as it is.
func Mutate(ctx context.Context, st Store, account, name string, fn func(*Doc) error) (*Doc, error) {
	for attempt := 0; ; attempt++ {
		d, obj, err := Load(ctx, st, account, name)
		if err != nil {
			return nil, err
		}
		if err := fn(d); err != nil {
			return nil, err
		}
		obj.Doc, _ = json.Marshal(d)
		err = st.UpdateAPIObject(ctx, obj, obj.Version)
		switch {
		case err == nil:
			return d, nil
		case errors.Is(err, store.ErrConflict) && attempt < 8:
			continue
		case errors.Is(err, store.ErrConflict):
			return nil, ErrConflict
		}
		return nil, err
	}
}

// Match picks the mapping of a request path as AWS does: the longest key whose segments are the
// path's first segments ("" maps the whole domain), and the path left after it ("/" at least).
func Match(mappings map[string]*Mapping, path string) (*Mapping, string) {
	var best *Mapping
	rest := path
	for _, m := range mappings {
		if best != nil && len(m.APIMappingKey) <= len(best.APIMappingKey) {
			continue
		}
		if m.APIMappingKey == "" {
			best, rest = m, path
			continue
		}
		key := "/" + m.APIMappingKey
		if path == key || strings.HasPrefix(path, key+"/") {
			best, rest = m, strings.TrimPrefix(path, key)
		}
	}
	if rest == "" {
		rest = "/"
	}
	return best, rest
}

// OwnCertificate reports whether a certificate ARN given for a domain ("" for none) is the
// account's own: AWS takes a domain's certificate from the domain's account only, so a
// reference to another account's certificate is refused rather than authorized.
func OwnCertificate(arn, account string) bool {
	if arn == "" {
		return true
	}
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "acm" && (parts[4] == account || account == "")
}
