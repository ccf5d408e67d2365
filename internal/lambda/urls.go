package lambda

// Function URLs, the control plane: Create/Get/Update/Delete/ListFunctionUrlConfigs. A URL is a
// function setting of kind "url" under its qualifier ("" for the function, else an alias); the
// URL's id is indexed as a setting of kind "url-id" outside any account, which the data plane
// (urlserve.go) reads to find the function a request's host names.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

const (
	settingURL   = "url"
	settingURLID = "url-id"
)

var urlQualifierRE = regexp.MustCompile(`^[0-9a-zA-Z-_]{1,128}$`)

// Cors is a function URL's cross-origin resource sharing settings.
type Cors struct {
	AllowCredentials *bool    `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigins     []string `json:"AllowOrigins,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           *int32   `json:"MaxAge,omitempty"`
}

// FunctionUrlConfig is a function URL as the API shows it.
type FunctionUrlConfig struct {
	Status           int    `rest:"status" json:"-"`
	FunctionUrl      string `json:"FunctionUrl"`
	FunctionArn      string `json:"FunctionArn"`
	AuthType         string `json:"AuthType"`
	Cors             *Cors  `json:"Cors,omitempty"`
	CreationTime     string `json:"CreationTime"`
	LastModifiedTime string `json:"LastModifiedTime,omitempty"`
	InvokeMode       string `json:"InvokeMode"`
}

// storedURL is a function URL as kept: its configuration and its id.
type storedURL struct {
	ID        string            `json:"id"`
	Qualifier string            `json:"qualifier"`
	Config    FunctionUrlConfig `json:"config"`
}

// urlIndex is the index entry of a URL id.
type urlIndex struct {
	Account, Function, Qualifier string
}

// FunctionUrlInput is the request of Create and UpdateFunctionUrlConfig.
type FunctionUrlInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
	AuthType     string
	Cors         *Cors
	InvokeMode   string
}

// FunctionUrlRef names a function URL.
type FunctionUrlRef struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
}

// ListFunctionUrlConfigsInput pages through a function's URLs.
type ListFunctionUrlConfigsInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Marker       string `rest:"query=Marker" json:"-"`
	MaxItems     int    `rest:"query=MaxItems" json:"-"`
}

// ListFunctionUrlConfigsOutput is a page of URLs.
type ListFunctionUrlConfigsOutput struct {
	FunctionUrlConfigs []*FunctionUrlConfig
	NextMarker         string `json:",omitempty"`
}

func urlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// newURLID is a URL id as Lambda's: 32 lowercase letters and digits.
func newURLID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [32]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// urlOf is the address of a URL id: <id>.lambda-url.<region>.localhost on the server's port.
func (s *Service) urlOf(id string) string {
	port := "80"
	if u, err := url.Parse(s.baseURL); err == nil && u.Port() != "" {
		port = u.Port()
	} else if _, p, err := net.SplitHostPort(strings.TrimPrefix(s.baseURL, "http://")); err == nil {
		port = p
	}
	return "http://" + id + ".lambda-url." + s.cfg.Region + ".localhost:" + port + "/"
}

// urlHostSuffix is the host pattern function URLs are served under.
func (s *Service) urlHostSuffix() string { return ".lambda-url." + s.cfg.Region + ".localhost" }

// urlRef resolves a URL call's function and qualifier (an alias, or none).
func (s *Service) urlRef(ctx context.Context, fn, qualifier string) (ref, string, error) {
	r, err := s.parseRef(ctx, fn, qualifier)
	if err != nil {
		return r, "", err
	}
	if r.qualifier != "" && (!urlQualifierRE.MatchString(r.qualifier) || isVersion(r.qualifier)) {
		return r, "", awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)", r.qualifier)
	}
	if _, _, err := s.version(ctx, r); err != nil {
		return r, "", err
	}
	arn := s.functionARN(r.account, r.name)
	if r.qualifier != "" {
		arn += ":" + r.qualifier
	}
	return r, arn, nil
}

func checkURLInput(in *FunctionUrlInput, create bool) error {
	if (create || in.AuthType != "") && in.AuthType != "NONE" && in.AuthType != "AWS_IAM" {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]", in.AuthType)
	}
	if in.InvokeMode != "" && in.InvokeMode != "BUFFERED" && in.InvokeMode != "RESPONSE_STREAM" {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]", in.InvokeMode)
	}
	return checkCors(in.Cors)
}

func checkCors(c *Cors) error {
	if c == nil {
		return nil
	}
	if c.MaxAge != nil && (*c.MaxAge < 0 || *c.MaxAge > 86400) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'cors.maxAge' failed to satisfy constraint: Member must have value %s", *c.MaxAge, bound(*c.MaxAge < 0, 0, 86400))
	}
	if len(c.AllowMethods) > 6 {
		return awserr.New(awserr.Validation, "1 validation error detected: Value at 'cors.allowMethods' failed to satisfy constraint: Member must have length less than or equal to 6")
	}
	for _, m := range c.AllowMethods {
		switch strings.ToUpper(m) {
		case "GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*":
		default:
			return invalid("Invalid CORS configuration: AllowMethods %s is not a valid HTTP method.", m)
		}
	}
	for _, list := range [][]string{c.AllowOrigins, c.AllowHeaders, c.ExposeHeaders} {
		if len(list) > 100 {
			return awserr.New(awserr.Validation, "1 validation error detected: Value at 'cors' failed to satisfy constraint: Member must have length less than or equal to 100")
		}
	}
	return nil
}

func (s *Service) readURL(ctx context.Context, r ref) (*storedURL, error) {
	set, err := s.cfg.Store.FunctionSetting(ctx, r.account, r.name, settingURL, r.qualifier)
	if err != nil {
		return nil, err
	}
	u := &storedURL{}
	return u, json.Unmarshal(set.Config, u)
}

func (s *Service) writeURL(ctx context.Context, r ref, u *storedURL, mode store.PutMode) error {
	b, _ := json.Marshal(u)
	return s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: r.account, Function: r.name, Kind: settingURL,
		Name: r.qualifier, Config: b, Modified: s.cfg.Now()}, mode)
}

func noURL(arn string) error {
	return ErrResourceNotFound.Errorf("The resource you requested does not exist.")
}

// CreateFunctionUrlConfig gives a function (or an alias) a URL.
func (s *Service) CreateFunctionUrlConfig(ctx context.Context, in *FunctionUrlInput) (*FunctionUrlConfig, error) {
	r, arn, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if err := checkURLInput(in, true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.readURL(ctx, r); err == nil {
		return nil, ErrResourceConflict.Errorf("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", arn)
	}
	now := urlTime(s.cfg.Now())
	u := &storedURL{ID: newURLID(), Qualifier: r.qualifier, Config: FunctionUrlConfig{FunctionArn: arn, AuthType: in.AuthType,
		Cors: in.Cors, CreationTime: now, LastModifiedTime: now, InvokeMode: in.InvokeMode}}
	if u.Config.InvokeMode == "" {
		u.Config.InvokeMode = "BUFFERED"
	}
	u.Config.FunctionUrl = s.urlOf(u.ID)
	idx, _ := json.Marshal(urlIndex{Account: r.account, Function: r.name, Qualifier: r.qualifier})
	if err := s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Kind: settingURLID, Name: u.ID, Config: idx, Modified: s.cfg.Now()}, store.PutCreate); err != nil {
		return nil, err
	}
	if err := s.writeURL(ctx, r, u, store.PutCreate); err != nil {
		return nil, err
	}
	out := u.Config
	out.Status, out.LastModifiedTime = http.StatusCreated, ""
	return &out, nil
}

// GetFunctionUrlConfig returns a URL's configuration.
func (s *Service) GetFunctionUrlConfig(ctx context.Context, in *FunctionUrlRef) (*FunctionUrlConfig, error) {
	r, arn, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	u, err := s.readURL(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noURL(arn)
	}
	if err != nil {
		return nil, err
	}
	u.Config.FunctionUrl = s.urlOf(u.ID)
	return &u.Config, nil
}

// UpdateFunctionUrlConfig changes the settings given.
func (s *Service) UpdateFunctionUrlConfig(ctx context.Context, in *FunctionUrlInput) (*FunctionUrlConfig, error) {
	r, arn, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if err := checkURLInput(in, false); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.readURL(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noURL(arn)
	}
	if err != nil {
		return nil, err
	}
	if in.AuthType != "" {
		u.Config.AuthType = in.AuthType
	}
	if in.Cors != nil {
		u.Config.Cors = in.Cors
	}
	if in.InvokeMode != "" {
		u.Config.InvokeMode = in.InvokeMode
	}
	u.Config.LastModifiedTime = urlTime(s.cfg.Now())
	if err := s.writeURL(ctx, r, u, store.PutReplace); err != nil {
		return nil, err
	}
	s.urlCache.Delete(u.ID)
	u.Config.FunctionUrl = s.urlOf(u.ID)
	return &u.Config, nil
}

// DeleteFunctionUrlConfig removes a URL.
func (s *Service) DeleteFunctionUrlConfig(ctx context.Context, in *FunctionUrlRef) (*EmptyOutput, error) {
	r, arn, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.readURL(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noURL(arn)
	}
	if err != nil {
		return nil, err
	}
	s.dropURL(ctx, r, u.ID)
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}

// dropURL removes a URL and its index entry.
func (s *Service) dropURL(ctx context.Context, r ref, id string) {
	s.cfg.Store.DeleteFunctionSetting(ctx, r.account, r.name, settingURL, r.qualifier)
	s.cfg.Store.DeleteFunctionSetting(ctx, "", "", settingURLID, id)
	s.urlCache.Delete(id)
}

// ListFunctionUrlConfigs lists a function's URLs.
func (s *Service) ListFunctionUrlConfigs(ctx context.Context, in *ListFunctionUrlConfigsInput) (*ListFunctionUrlConfigsOutput, error) {
	_, sets, limit, err := s.listSettings(ctx, in.FunctionName, in.MaxItems, settingURL)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionUrlConfigsOutput{FunctionUrlConfigs: []*FunctionUrlConfig{}}
	after, paged := strings.CutPrefix(in.Marker, "~") // a marker is "~" and the last qualifier listed
	last := ""
	for _, set := range sets {
		if paged && set.Name <= after {
			continue
		}
		if len(out.FunctionUrlConfigs) == limit {
			out.NextMarker = "~" + last
			break
		}
		u := &storedURL{}
		if err := json.Unmarshal(set.Config, u); err != nil {
			return nil, err
		}
		u.Config.FunctionUrl = s.urlOf(u.ID)
		out.FunctionUrlConfigs = append(out.FunctionUrlConfigs, &u.Config)
		last = set.Name
	}
	return out, nil
}
